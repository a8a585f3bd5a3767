"""`Studio`: the one Python entry point. Every method takes `emotion` in any input form
(label with intensity, mixture, VAD values, free text, EmotionML, timeline) and returns the
result with the resolved emotion and what the studio's own recognizers measured.

    >>> from synth.studio import Studio
    >>> studio = Studio()
    >>> result = studio.animate(None, "speech.wav", emotion="happy:0.8", output="out.mp4")  # doctest: +SKIP
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from conditioning import parse_emotion
from conditioning.audio import load_audio
from conditioning.timeline import EmotionSource

from .face.pipeline import MAX_AUDIO_S, AnimateOptions, Animation, FaceSource, Progress, TalkingHeadPipeline

AudioInput = str | Path | tuple[np.ndarray, int]


def read_speech(audio: AudioInput) -> tuple[np.ndarray, int]:
    """A path (any rate, mono or stereo: stereo is downmixed) or (samples, rate)."""
    if isinstance(audio, tuple):
        samples, rate = audio
        samples = np.asarray(samples)
        return (samples.mean(axis=1) if samples.ndim == 2 else samples), rate
    return load_audio(audio, max_duration_s=MAX_AUDIO_S, downmix=True)


class Studio:
    @functools.cached_property
    def talking_head(self) -> TalkingHeadPipeline:
        return TalkingHeadPipeline.shipped()

    def animate(self, portrait: FaceSource, audio: AudioInput, emotion="neutral", output: str | Path = "animation.mp4",
                size: int | None = 256, seed: int = 0, steps: int | None = None, largest_face: bool = False,
                frames_dir: str | Path | None = None, landmarks_json: str | Path | None = None,
                progress: Progress | None = None) -> tuple[Animation, EmotionSource]:
        """A talking-head MP4 of `portrait` (a photo path/array, None for the default portrait,
        or a CartoonIdentity) saying `audio` with `emotion`. Returns the animation (video
        path, motion, landmarks, FER of the rendered frames) and the resolved emotion."""
        source = parse_emotion(emotion)
        options = AnimateOptions(size=size, seed=seed, largest_face=largest_face,
                                 **({"steps": steps} if steps is not None else {}))
        samples, rate = read_speech(audio)
        animation = self.talking_head.animate(portrait, samples, rate, source, Path(output), options,
                                              Path(frames_dir) if frames_dir else None,
                                              Path(landmarks_json) if landmarks_json else None, progress)
        return animation, source
