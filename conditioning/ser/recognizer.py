"""Speech emotion recognition: audio of any rate and length -> EmotionTarget, per utterance
and per window (every ``hop_s``, default 0.25 s), from the shipped checkpoint."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from conditioning.audio import AudioInputError, check_audio, load_audio, resample
from conditioning.heads import targets_from_outputs
from conditioning.checkpoints import checkpoint_path, load_checkpoint
from conditioning.target import EmotionTarget

from .frontend import LogMelConfig, LogMelFrontend
from .model import SERConfig, SpeechEmotionNet

CHECKPOINT_NAME = "speech_emotion.pt"
MADE_BY = "python -m train.train_ser --corpus data/corpus"
MIN_DURATION_S = 0.25
MAX_DURATION_S = 3600.0  # an hour: the network is convolutional, memory grows linearly


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

    def to_dict(self) -> dict:
        return {"duration_s": round(self.duration_s, 3), "emotion": self.target.to_dict(),
                "frames": [{"time_s": round(f.time_s, 3), "emotion": f.target.to_dict()} for f in self.frames]}


class SpeechEmotionRecognizer:
    """Loads the network once; ``recognize`` takes raw audio, ``recognize_file`` a path."""

    def __init__(self, net: SpeechEmotionNet, frontend_config: LogMelConfig = LogMelConfig()):
        self.net = net.eval()
        self.frontend = LogMelFrontend(frontend_config)

    @classmethod
    def from_checkpoint(cls, path: Path | None = None) -> "SpeechEmotionRecognizer":
        config, state, extra = load_checkpoint(path or checkpoint_path(CHECKPOINT_NAME), SERConfig, MADE_BY)
        net = SpeechEmotionNet(config)
        net.load_state_dict(state)
        return cls(net, LogMelConfig(**extra.get("frontend", {})))

    @property
    def sample_rate(self) -> int:
        return self.frontend.config.sample_rate

    def features(self, audio: np.ndarray, sample_rate: int) -> torch.Tensor:
        """Validated audio at any rate -> (1, bands, frames) front-end features at the model's rate."""
        x, rate = check_audio(audio, sample_rate, MIN_DURATION_S, MAX_DURATION_S)
        x = resample(x, rate, self.sample_rate).astype(np.float32)
        return self.frontend(torch.from_numpy(x)[None])

    @torch.inference_mode()
    def recognize(self, audio: np.ndarray, sample_rate: int, frames: bool = True) -> SpeechEmotion:
        mel = self.features(audio, sample_rate)
        length = torch.tensor([mel.shape[-1]])
        if not frames:
            return SpeechEmotion(targets_from_outputs(self.net(mel, length))[0], (), len(audio) / sample_rate)
        utterance, outputs, centres = self.net.utterance_and_windows(mel, length)
        windows = tuple(FrameEmotion(float(t), target)
                        for t, target in zip(centres.tolist(), targets_from_outputs(outputs)))
        return SpeechEmotion(targets_from_outputs(utterance)[0], windows, len(audio) / sample_rate)

    def recognize_file(self, path, frames: bool = True) -> SpeechEmotion:
        audio, rate = load_audio(path, MIN_DURATION_S, MAX_DURATION_S)
        return self.recognize(audio, rate, frames)

    @torch.inference_mode()
    def recognize_batch(self, clips: list[np.ndarray], sample_rate: int) -> list[EmotionTarget]:
        """Utterance-level targets for many clips at one rate (padded into one batch)."""
        mels = [self.features(clip, sample_rate)[0] for clip in clips]
        lengths = torch.tensor([m.shape[-1] for m in mels])
        batch = torch.zeros(len(mels), mels[0].shape[0], int(lengths.max()))
        for i, m in enumerate(mels):
            batch[i, :, : m.shape[-1]] = m
        return targets_from_outputs(self.net(batch, lengths))


@functools.cache
def shipped_recognizer() -> SpeechEmotionRecognizer:
    return SpeechEmotionRecognizer.from_checkpoint()


__all__ = ["CHECKPOINT_NAME", "AudioInputError", "FrameEmotion", "SpeechEmotion", "SpeechEmotionRecognizer",
           "shipped_recognizer", "targets_from_outputs"]
