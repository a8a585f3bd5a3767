"""The mouth-motion network: a flow-matching velocity field over mouth trajectories,
conditioned on speech and on the shared emotion embedding.

    log-mel (64 bands, 100 frames/s)
      -> audio encoder: convolution to 25 frames/s, dilated residual convolutions
         (receptive field about +-0.6 s, so anticipatory coarticulation is audible to it)
    noisy mouth trajectory (3 channels at 25 frames/s) + flow time
      + audio features + emotion embedding (per frame, so a timeline works)
      -> residual convolutions with time/emotion modulation -> velocity

It learns what a mouth does for a sound, and how emotion changes that (wider when aroused,
spread when happy), from corpus audio against viseme targets derived from phone times; at
inference only audio is needed, so any voice drives it. Sampling (diffusers' flow-matching
Euler scheduler) lives in `mouth_generator.py`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from conditioning.encoder import EmotionEncoder, EmotionEncoderConfig
from synth.sampling import flow_matching_pair

from .motion import MOUTH_CHANNELS


@dataclass(frozen=True)
class MouthModelConfig:
    mel_bands: int = 64
    mel_frames_per_motion_frame: int = 4   # 100 mel frames/s -> 25 motion frames/s
    channels: int = 128
    audio_dilations: tuple[int, ...] = (1, 2, 4, 8)
    flow_dilations: tuple[int, ...] = (1, 2, 4, 1)
    kernel_size: int = 3
    motion_channels: int = len(MOUTH_CHANNELS)
    emotion: EmotionEncoderConfig = field(default_factory=EmotionEncoderConfig)
    # Per-channel normalisation of the mouth targets (set from training data).
    motion_mean: tuple[float, ...] = (0.3, 0.0, 0.5)
    motion_std: tuple[float, ...] = (0.25, 0.4, 0.4)


class DilatedBlock(nn.Module):
    """Residual dilated convolution; with `condition`, its output is scaled and shifted
    per frame (FiLM) by the flow time and emotion."""

    def __init__(self, channels: int, kernel_size: int, dilation: int, condition_dim: int = 0):
        super().__init__()
        self.conv = nn.Conv1d(channels, channels, kernel_size, dilation=dilation,
                              padding=dilation * (kernel_size - 1) // 2)
        self.norm = nn.GroupNorm(8, channels)
        self.film = nn.Linear(condition_dim, 2 * channels) if condition_dim else None

    def forward(self, x: torch.Tensor, condition: torch.Tensor | None = None) -> torch.Tensor:
        h = self.norm(self.conv(x))
        if self.film is not None:
            scale, shift = self.film(condition).transpose(1, 2).chunk(2, dim=1)
            h = h * (1 + scale) + shift
        return x + F.gelu(h)


class AudioEncoder(nn.Module):
    """(B, bands, 4T) normalised log-mel -> (B, C, T) features at the motion frame rate."""

    def __init__(self, config: MouthModelConfig):
        super().__init__()
        c = config.channels
        self.register_buffer("mel_mean", torch.zeros(config.mel_bands))
        self.register_buffer("mel_std", torch.ones(config.mel_bands))
        self.input = nn.Conv1d(config.mel_bands, c, 5, padding=2)
        self.downsample = nn.Conv1d(c, c, config.mel_frames_per_motion_frame,
                                    stride=config.mel_frames_per_motion_frame)
        self.blocks = nn.ModuleList(DilatedBlock(c, config.kernel_size, d) for d in config.audio_dilations)

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        mel = (mel - self.mel_mean[:, None]) / self.mel_std[:, None]
        x = self.downsample(F.gelu(self.input(mel)))
        for block in self.blocks:
            x = block(x)
        return x


def time_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal embedding of flow time in [0, 1], (B,) -> (B, dim)."""
    half = dim // 2
    frequencies = torch.exp(-math.log(1000.0) * torch.arange(half, dtype=t.dtype, device=t.device) / half)
    angles = 1000.0 * t[:, None] * frequencies[None]
    return torch.cat([angles.sin(), angles.cos()], dim=-1)


class MouthFlowNet(nn.Module):
    """Velocity of the mouth trajectory: v(x_t, t | audio, emotion), all (B, ., T)."""

    def __init__(self, config: MouthModelConfig = MouthModelConfig()):
        super().__init__()
        self.config = config
        c, e = config.channels, config.emotion.embedding_dim
        self.audio = AudioEncoder(config)
        self.emotion = EmotionEncoder(config.emotion)
        self.time = nn.Sequential(nn.Linear(c, c), nn.SiLU(), nn.Linear(c, c))
        self.input = nn.Conv1d(config.motion_channels + c, c, 3, padding=1)
        self.blocks = nn.ModuleList(DilatedBlock(c, config.kernel_size, d, condition_dim=c + e)
                                    for d in config.flow_dilations)
        self.output = nn.Conv1d(c, config.motion_channels, 3, padding=1)
        nn.init.zeros_(self.output.weight)
        nn.init.zeros_(self.output.bias)

    def forward(self, noisy: torch.Tensor, t: torch.Tensor, audio_features: torch.Tensor,
                emotion_embedding: torch.Tensor) -> torch.Tensor:
        """noisy (B, 3, T), t (B,), audio_features (B, C, T), emotion_embedding (B, T, E)."""
        frames = noisy.shape[-1]
        timing = self.time(time_embedding(t, self.config.channels))[:, None, :].expand(-1, frames, -1)
        condition = torch.cat([timing, emotion_embedding], dim=-1)
        x = self.input(torch.cat([noisy, audio_features], dim=1))
        for block in self.blocks:
            x = block(x, condition)
        return self.output(x)

    def loss(self, mel: torch.Tensor, motion: torch.Tensor, emotion: torch.Tensor,
             generator: torch.Generator | None = None, condition_dropout: float = 0.0) -> torch.Tensor:
        """The flow-matching loss (the model owns it, as Matcha's CFM.compute_loss does): mel
        (B, bands, 4T), motion (B, 3, T) normalised, emotion features (B, F). The emotion is
        dropped for `condition_dropout` of the items, which trains classifier-free guidance."""
        batch, frames = motion.shape[0], motion.shape[-1]
        noise = torch.randn(motion.shape, generator=generator)
        sigma = torch.rand(batch, generator=generator)
        noisy, velocity = flow_matching_pair(motion, noise, sigma)
        drop = torch.rand(batch, generator=generator) < condition_dropout
        embedding = self.emotion(emotion[:, None, :].expand(-1, frames, -1), drop)
        return F.mse_loss(self(noisy, sigma, self.audio(mel), embedding), velocity)

    def normalise(self, motion: torch.Tensor) -> torch.Tensor:
        mean, std = self._stats(motion)
        return (motion - mean) / std

    def denormalise(self, motion: torch.Tensor) -> torch.Tensor:
        mean, std = self._stats(motion)
        return motion * std + mean

    def _stats(self, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean = torch.tensor(self.config.motion_mean, dtype=like.dtype, device=like.device)[:, None]
        std = torch.tensor(self.config.motion_std, dtype=like.dtype, device=like.device)[:, None]
        return mean, std
