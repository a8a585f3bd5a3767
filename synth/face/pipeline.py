"""The talking-head pipeline: speech + emotion + a face -> motion -> frames -> MP4.

It only composes: the mouth generator (learned, audio -> jaw and lips), the expression
track (FACS prototypes), the behaviour track (blinks, gaze, head), the rig (motion ->
landmarks), a renderer (photo warp or cartoon) and the video writer; the face expression
recognizer scores what was rendered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from common.audio_io import check_audio
from common.atomic import atomic_write_bytes
from conditioning.fer.judgement import FaceEmotion, judge_face_clip
from conditioning.fer.recognizer import FaceExpressionRecognizer
from conditioning.timeline import EmotionSource
from synth.settings import ANIMATE_FIELDS, check_range

from .behaviour import behaviour_track, compose_track, speech_energy
from .cartoon import CartoonIdentity, CartoonRenderer
from .expression import expression_track
from .motion import FPS, MotionTrack
from .mouth_generator import DEFAULT_STEPS, MouthMotionGenerator, motion_frames
from .portrait import default_portrait_path, detect_face, load_portrait
from .renderer import PortraitRenderer
from .rig import pose_track
from .video import write_frame_png, write_video

MAX_AUDIO_S = 600.0
SIZES = (256, 512, None)
FaceSource = str | Path | np.ndarray | CartoonIdentity | None   # None: the default portrait
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class AnimateOptions:
    size: int | None = 256          # 256 or 512 px square around the face, None: the portrait's framing
    steps: int = DEFAULT_STEPS      # flow-matching steps of the mouth model
    guidance: float = 1.0           # classifier-free guidance on emotion in the mouth model
    seed: int = 0
    largest_face: bool = False      # with several faces, animate the largest instead of refusing
    score_every: int = 5            # FER on every n-th frame (0: no scoring)

    def __post_init__(self) -> None:
        if self.size not in SIZES:
            raise ValueError(f"size must be 256, 512 or None (the portrait's own framing); got {self.size!r}")
        check_range("steps", self.steps, ANIMATE_FIELDS["steps"])


@dataclass
class Animation:
    video: Path
    motion: MotionTrack
    points: np.ndarray                  # (frames, 70, 2) in output pixels
    recognized: FaceEmotion | None      # both FERs over the rendered frames (conditioning/fer/judgement.py)
    options: AnimateOptions
    scoring: Any = None                 # synth.scoring.Scored when made with best_of / calibrate

    @property
    def frames(self) -> int:
        return self.motion.frames

    @property
    def duration_s(self) -> float:
        return self.motion.duration


def arousal_per_frame(emotion: EmotionSource, frames: int, fps: float = FPS) -> np.ndarray:
    return np.array([t.vad[1] for t in emotion.sample(fps, frames / fps)][:frames])


def make_renderer(face: FaceSource, options: AnimateOptions):
    """A photo (path or array; None: the default portrait) or a cartoon identity -> renderer."""
    if isinstance(face, CartoonIdentity):
        return CartoonRenderer(face, options.size or 256)
    image = load_portrait(default_portrait_path() if face is None else face)
    return PortraitRenderer(image, detect_face(image, largest=options.largest_face).landmarks, options.size)


def landmarks_document(motion: MotionTrack, points: np.ndarray) -> dict:
    """Per-frame landmarks and motion channels (action units included), for animators."""
    return {"fps": motion.fps, "points": "68 iBUG landmarks then the 2 pupils, output pixels",
            "frames": [{"time_s": round(i / motion.fps, 4), "landmarks": np.round(points[i], 2).tolist(),
                        "motion": motion.frame_dict(i)} for i in range(motion.frames)]}


class TalkingHeadPipeline:
    def __init__(self, mouth: MouthMotionGenerator, recognizer: FaceExpressionRecognizer | None = None):
        self.mouth, self.recognizer = mouth, recognizer

    @classmethod
    def shipped(cls) -> "TalkingHeadPipeline":
        from conditioning.fer.recognizer import shipped_face_recognizer
        from .mouth_generator import shipped_mouth_generator
        return cls(shipped_mouth_generator(), shipped_face_recognizer())

    def motion(self, audio: np.ndarray, sample_rate: int, emotion: EmotionSource,
               options: AnimateOptions = AnimateOptions()) -> MotionTrack:
        audio, sample_rate = check_audio(audio, sample_rate, max_duration_s=MAX_AUDIO_S)
        frames = motion_frames(len(audio) / sample_rate)
        mouth = self.mouth.generate(audio, sample_rate, emotion, options.steps, options.seed, options.guidance)
        behaviour = behaviour_track(frames, FPS, arousal_per_frame(emotion, frames),
                                    speech_energy(audio, sample_rate, frames), options.seed)
        return compose_track(mouth[:frames], expression_track(emotion, frames), behaviour)

    def animate(self, face: FaceSource, audio: np.ndarray, sample_rate: int, emotion: EmotionSource,
                output: Path, options: AnimateOptions = AnimateOptions(), frames_dir: Path | None = None,
                landmarks_json: Path | None = None, progress: Progress | None = None) -> Animation:
        report = progress or (lambda share, message: None)
        renderer = make_renderer(face, options)      # bad portraits fail before any work
        audio, sample_rate = check_audio(audio, sample_rate, max_duration_s=MAX_AUDIO_S)
        report(0.05, "motion")
        motion = self.motion(audio, sample_rate, emotion, options)
        points = pose_track(renderer.source_points[:68], motion)
        scored_frames, scored_points = [], []

        def frames():
            for index, frame_points in enumerate(points):
                image = renderer.render(frame_points)
                if options.score_every and index % options.score_every == 0:
                    scored_frames.append(image)
                    scored_points.append(frame_points)
                if frames_dir is not None:
                    write_frame_png(Path(frames_dir), index, image)
                if index % 25 == 0:
                    report(0.1 + 0.85 * index / len(points), f"rendering frame {index + 1}/{len(points)}")
                yield image

        video = write_video(Path(output), frames(), FPS, audio, sample_rate)
        if landmarks_json is not None:
            atomic_write_bytes(Path(landmarks_json), json.dumps(landmarks_document(motion, points)).encode())
        recognized = None
        if self.recognizer is not None and scored_frames:
            recognized = judge_face_clip(self.recognizer, scored_frames, scored_points)
        report(1.0, "done")
        return Animation(video, motion, points, recognized, options)
