"""Speech (+ emotion) -> mouth motion, from the shipped mouth-motion checkpoint.

Wraps the network with what inference needs: the log-mel front end, emotion features at the
motion frame rate, and flow-matching sampling with diffusers' Euler scheduler. Steps,
guidance and seed are run-time parameters; the same seed gives the same motion.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import torch

from common.audio_io import check_audio, resample
from conditioning.checkpoints import load_shipped
from conditioning.features import source_features
from common.log_mel import LogMelConfig, LogMelFrontend
from conditioning.target import NEUTRAL
from conditioning.timeline import EmotionSource

from synth.sampling import classifier_free_guidance, sample_flow

from .motion import FPS
from .mouth_model import MouthFlowNet, MouthModelConfig

DEFAULT_STEPS = 8
MAX_DURATION_S = 600.0


def motion_frames(duration_s: float, fps: float = FPS) -> int:
    return max(1, int(round(duration_s * fps)))


class MouthMotionGenerator:
    def __init__(self, net: MouthFlowNet, frontend: LogMelConfig = LogMelConfig()):
        self.net = net.eval()
        self.frontend = LogMelFrontend(frontend).eval()

    @classmethod
    def from_checkpoint(cls, path: Path | None = None) -> "MouthMotionGenerator":
        config, state, extra = load_shipped("mouth_motion", MouthModelConfig, path)
        net = MouthFlowNet(config)
        net.load_state_dict(state)
        return cls(net, LogMelConfig(**extra.get("frontend", {})))

    def mel(self, audio: np.ndarray, sample_rate: int, frames: int) -> torch.Tensor:
        """(1, bands, 4 * frames): log-mel covering exactly `frames` motion frames."""
        audio, rate = check_audio(audio, sample_rate, max_duration_s=MAX_DURATION_S)
        audio = resample(audio, rate, self.frontend.config.sample_rate)
        per_frame = self.net.config.mel_frames_per_motion_frame
        samples = frames * per_frame * self.frontend.config.hop_length
        padded = np.zeros(samples, dtype=np.float32)
        padded[: min(samples, len(audio))] = audio[:samples]
        return self.frontend(torch.from_numpy(padded)[None])[..., : frames * per_frame]

    @torch.inference_mode()
    def generate(self, audio: np.ndarray, sample_rate: int, emotion: EmotionSource | None = None,
                 steps: int = DEFAULT_STEPS, seed: int = 0, guidance: float = 1.0, fps: float = FPS) -> np.ndarray:
        """(frames, 3) mouth channels (jaw_open, lip_width, lip_close) at `fps` (25 only)."""
        if fps != FPS:
            raise ValueError(f"the mouth model runs at {FPS:g} frames/s; got {fps}")
        duration = len(audio) / sample_rate
        frames = motion_frames(duration, fps)
        audio_features = self.net.audio(self.mel(audio, sample_rate, frames))
        features = source_features(emotion if emotion is not None else NEUTRAL, fps, frames / fps)[:frames]
        conditioned = self.net.emotion(torch.from_numpy(features)[None])
        unconditioned = self.net.emotion.null(1, frames)

        def velocity(sample: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
            guided = self.net(sample, sigma, audio_features, conditioned)
            if guidance == 1.0:
                return guided
            free = self.net(sample, sigma, audio_features, unconditioned)
            return classifier_free_guidance(guided, free, guidance)

        generator = torch.Generator().manual_seed(int(seed))
        motion = sample_flow(velocity, (1, self.net.config.motion_channels, frames), steps, generator)
        return self.net.denormalise(motion)[0].T.numpy().astype(np.float32)


@functools.lru_cache(maxsize=1)
def shipped_mouth_generator() -> MouthMotionGenerator:
    return MouthMotionGenerator.from_checkpoint()
