"""Speech emotion recognition: audio of any rate and length -> EmotionTarget, per utterance
and per window (every ``hop_s``, default 0.25 s), from the shipped checkpoint.

A recognizer trained with a speaker reference also takes neutral speech by the same speaker
(:meth:`SpeechEmotionRecognizer.speaker_reference`) and judges the utterance against it.

Every utterance reading also says how far to trust it (:mod:`.judgement`): the category
head's temperature and the out-of-distribution distance come from the calibration stored
beside the checkpoint (:mod:`.calibration`), and a knowledge-based reading of the prosodic
cues (:mod:`.cues`) is the prior that unfamiliar recordings fall back on and the check the
network's arousal must pass. ``SpeechEmotion.reliable`` and ``.confidence`` are what callers
that act on a reading (voice conversion, the scoring loop) should look at first.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from common.audio_io import (AudioArray, AudioFile, AudioInputError, check_audio, load_audio, open_audio, resample,
                             resampled, stated_duration_s)
from conditioning.heads import targets_from_outputs
from conditioning.checkpoints import load_shipped, shipped_path
from conditioning.target import EmotionTarget

from .calibration import Calibration, load_calibration
from .cues import CUE_MAX_S, CueReading, VoiceCues, mean_cues, measure_cues, read_cues
from common.log_mel import LogMelConfig, LogMelFrontend
from .judgement import Doubt, judge
from .long_audio import encode_long, front_end_reader
from .model import SERConfig, SpeechEmotionNet, stack_padded

MIN_DURATION_S = 0.25
MAX_DURATION_S = 3600.0  # an hour, from a file: longer than LONG_AUDIO_S it is read a piece at a time
# Longer recordings (a file, or samples in memory) are recognized piece by piece, so the working
# memory is a piece's whatever the length.
LONG_AUDIO_S = 120.0


@dataclass(frozen=True)
class FrameEmotion:
    time_s: float              # centre of the window
    target: EmotionTarget


@dataclass(frozen=True)
class SpeechEmotion:
    """What the recognizer heard: the whole utterance and its windows over time."""

    target: EmotionTarget
    frames: tuple[FrameEmotion, ...]
    duration_s: float
    doubt: Doubt | None = None             # None: not judged (made outside the recognizer)
    network: EmotionTarget | None = None   # the network's own (calibrated) reading
    cue_reading: CueReading | None = None  # the prosodic cues read into VAD

    @property
    def confidence(self) -> float:
        """In [0, 1]: calibrated top-category probability x familiarity x cue agreement."""
        return self.doubt.confidence if self.doubt else float(max(self.target.categories))

    @property
    def reliable(self) -> bool:
        """False for readings to ignore: unfamiliar recordings, disagreeing cues, no clear category."""
        return self.doubt.reliable if self.doubt else True

    @property
    def label(self) -> str:
        """The top category, or "uncertain" when the reading is not reliable."""
        return self.target.category if self.reliable else "uncertain"

    def to_dict(self) -> dict:
        judged = {} if self.doubt is None else {
            "label": self.label, **self.doubt.to_dict(),
            "network": self.network.to_dict() if self.network else None,
            "cue_reading": self.cue_reading.to_dict() if self.cue_reading else None}
        return {"duration_s": round(self.duration_s, 3), "emotion": self.target.to_dict(), **judged,
                "frames": [{"time_s": round(f.time_s, 3), "emotion": f.target.to_dict()} for f in self.frames]}


@dataclass(frozen=True)
class SpeakerReference:
    """A speaker's neutral voice as the recognizer encodes it: the mean over its clips."""

    encoding: torch.Tensor     # (1, 2 * hidden)
    clips: int
    seconds: float
    cues: VoiceCues | None = None  # the clips' prosodic functionals, for the cue reading


class SpeechEmotionRecognizer:
    """Loads the network once; ``recognize`` takes raw audio, ``recognize_file`` a path."""

    def __init__(self, net: SpeechEmotionNet, frontend_config: LogMelConfig = LogMelConfig(),
                 calibration: Calibration = Calibration()):
        self.net = net.eval()
        self.frontend = LogMelFrontend(frontend_config)
        self.calibration = calibration

    @classmethod
    def from_checkpoint(cls, path: Path | None = None) -> "SpeechEmotionRecognizer":
        path = path or shipped_path("ser")
        config, state, extra = load_shipped("ser", SERConfig, path)
        net = SpeechEmotionNet(config)
        net.load_state_dict(state)
        return cls(net, LogMelConfig(**extra.get("frontend", {})), load_calibration(path))

    def _calibrated(self, outputs: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        return {**outputs, "category_logits": outputs["category_logits"] / self.calibration.temperature}

    @property
    def sample_rate(self) -> int:
        return self.frontend.config.sample_rate

    def features(self, audio: np.ndarray, sample_rate: int) -> torch.Tensor:
        """Validated audio at any rate -> (1, bands, frames) front-end features at the model's rate."""
        return self._features_of_checked(*check_audio(audio, sample_rate, MIN_DURATION_S, MAX_DURATION_S))

    def _features_of_checked(self, x: np.ndarray, rate: int) -> torch.Tensor:
        # The front end takes float64 as it is, converting a chunk at a time (an hour is 460 MB).
        x = resample(x, rate, self.sample_rate)
        return self.frontend(torch.from_numpy(x)[None])

    @property
    def takes_speaker_reference(self) -> bool:
        return self.net.config.speaker_reference

    def _require_reference_branch(self) -> None:
        if not self.takes_speaker_reference:
            raise ValueError("this recognizer was trained without a speaker reference; "
                             "train one with python -m train.train_ser --speaker-reference")

    def speaker_reference(self, clips: np.ndarray | Sequence[np.ndarray], sample_rate: int) -> SpeakerReference:
        """Neutral speech by the speaker (one clip or several, at one rate) -> their reference."""
        clips = [clips] if isinstance(clips, np.ndarray) else list(clips)
        return self._reference([(clip, sample_rate) for clip in clips])

    def speaker_reference_from_files(self, paths: Sequence) -> SpeakerReference:
        return self._reference([load_audio(path, MIN_DURATION_S, MAX_DURATION_S) for path in paths])

    @torch.inference_mode()
    def _reference(self, clips: list[tuple[np.ndarray, int]]) -> SpeakerReference:
        self._require_reference_branch()
        if not clips:
            raise ValueError("a speaker reference needs at least one clip of neutral speech")
        checked = [check_audio(audio, rate, MIN_DURATION_S, MAX_DURATION_S) for audio, rate in clips]
        encodings = [self._pooled_of_checked(audio, rate) for audio, rate in checked]
        return SpeakerReference(torch.cat(encodings).mean(0, keepdim=True), len(clips),
                                sum(len(audio) / rate for audio, rate in checked),
                                mean_cues([measure_cues(audio, rate) for audio, rate in checked]))

    def _pooled_of_checked(self, x: np.ndarray, rate: int) -> torch.Tensor:
        if len(x) > LONG_AUDIO_S * rate:
            return self._encode_long(AudioArray(x, rate), windows=False)[0]
        mel = self._features_of_checked(x, rate)
        return self.net.pooled(mel, torch.tensor([mel.shape[-1]]))

    def _encode_long(self, recording: AudioFile | AudioArray, windows: bool):
        samples, read = resampled(recording.read, recording.frames, recording.sample_rate, self.sample_rate)
        mel_frames, features = front_end_reader(self.frontend, read, samples)
        return encode_long(self.net, features, mel_frames, windows)

    @torch.inference_mode()
    def recognize(self, audio: np.ndarray, sample_rate: int, frames: bool = True,
                  reference: SpeakerReference | None = None) -> SpeechEmotion:
        x, rate = check_audio(audio, sample_rate, MIN_DURATION_S, MAX_DURATION_S)
        if len(x) > LONG_AUDIO_S * rate:
            return self._recognize_long(AudioArray(x, rate), frames, reference)
        return self._recognize_checked(x, rate, frames, reference)

    @torch.inference_mode()
    def _recognize_checked(self, audio: np.ndarray, sample_rate: int, frames: bool,
                           reference: SpeakerReference | None) -> SpeechEmotion:
        mel = self._features_of_checked(audio, sample_rate)
        length = torch.tensor([mel.shape[-1]])
        encoding = None if reference is None else reference.encoding
        if frames:
            utterance, outputs, centres = self.net.utterance_and_windows(mel, length, encoding)
            pooled = utterance["pooled"]
        else:
            pooled, outputs, centres = self.net.pooled(mel, length), None, None
        return self._reading(pooled, outputs, centres, audio, sample_rate, len(audio) / sample_rate, reference)

    @torch.inference_mode()
    def _recognize_long(self, recording: AudioFile | AudioArray, frames: bool, reference: SpeakerReference | None
                        ) -> SpeechEmotion:
        pooled, window_stats, centres = self._encode_long(recording, frames)
        outputs = None if window_stats is None else self.net.read(
            window_stats, None if reference is None else reference.encoding)
        cue_audio = recording.read(0, int(CUE_MAX_S * recording.sample_rate))   # all the cues read
        return self._reading(pooled, outputs, centres, cue_audio, recording.sample_rate, recording.duration_s,
                             reference)

    def _reading(self, pooled: torch.Tensor, window_outputs: dict | None, centres: torch.Tensor | None,
                 audio: np.ndarray, sample_rate: int, duration_s: float,
                 reference: SpeakerReference | None) -> SpeechEmotion:
        """The judged reading from the utterance's encoding, the windows' outputs and the audio's cues."""
        utterance = self.net.read(pooled, None if reference is None else reference.encoding)
        windows = () if window_outputs is None else tuple(
            FrameEmotion(float(t), target)
            for t, target in zip(centres.tolist(), targets_from_outputs(self._calibrated(window_outputs))))
        network = targets_from_outputs(self._calibrated(utterance))[0]
        distance = float(self.calibration.distance(pooled.double().numpy())[0])
        cues = read_cues(measure_cues(audio, sample_rate), None if reference is None else reference.cues)
        target, doubt = judge(network, cues, float(self.calibration.familiarity(distance)),
                              distance if self.calibration.detects_ood else float("nan"))
        return SpeechEmotion(target, windows, duration_s, doubt, network, cues)

    def recognize_file(self, path, frames: bool = True, reference: SpeakerReference | None = None) -> SpeechEmotion:
        """Up to an hour of audio: a recording longer than LONG_AUDIO_S stays on disk and is
        read a piece at a time (:mod:`.long_audio`), so memory does not grow with its length."""
        if stated_duration_s(path) > LONG_AUDIO_S:
            return self._recognize_long(open_audio(path, MIN_DURATION_S, MAX_DURATION_S), frames, reference)
        # load_audio has checked it: no second validated copy of the samples.
        audio, rate = load_audio(path, MIN_DURATION_S, MAX_DURATION_S)
        return self._recognize_checked(audio, rate, frames, reference)

    @torch.inference_mode()
    def recognize_batch(self, clips: list[np.ndarray], sample_rate: int,
                        references: Sequence[SpeakerReference | None] | None = None) -> list[EmotionTarget]:
        """Utterance-level targets for many clips at one rate (padded into one batch), each
        judged against its own speaker reference where ``references`` gives one."""
        return self.read(self.encode_batch(clips, sample_rate), references)

    @torch.inference_mode()
    def read(self, encodings: torch.Tensor, references: Sequence[SpeakerReference | None] | None = None
             ) -> list[EmotionTarget]:
        """Targets from utterance encodings (clips, 2 * hidden) as `encode_batch` makes them, each
        judged against its own speaker reference where ``references`` gives one."""
        outputs = self.net.read(encodings, self._reference_batch(references, len(encodings)))
        return targets_from_outputs(self._calibrated(outputs))

    @torch.inference_mode()
    def encode_batch(self, clips: list[np.ndarray], sample_rate: int) -> torch.Tensor:
        """(clips, 2 * hidden): the utterance encodings the heads read, for many clips at one rate."""
        mels = [self.features(clip, sample_rate) for clip in clips]
        return self.net.pooled(stack_padded(mels), torch.tensor([m.shape[-1] for m in mels]))

    def _reference_batch(self, references: Sequence[SpeakerReference | None] | None, count: int) -> torch.Tensor | None:
        if references is None or all(r is None for r in references):
            return None
        if len(references) != count:
            raise ValueError(f"{len(references)} speaker references for {count} clips")
        self._require_reference_branch()
        return torch.cat([self.net.no_reference[None] if r is None else r.encoding for r in references])


@functools.cache
def shipped_recognizer() -> SpeechEmotionRecognizer:
    return SpeechEmotionRecognizer.from_checkpoint()


__all__ = ["AudioInputError", "Doubt",
           "FrameEmotion", "SpeakerReference", "SpeechEmotion", "SpeechEmotionRecognizer",
           "shipped_recognizer", "targets_from_outputs"]
