"""The denoising network both acoustic decoders train: one architecture, two objectives.

    frame condition: regulated encoder features + (log F0, voicing, energy, position in
                     token) + emotion + voice, summed per frame (`DecoderCondition`)
    noisy acoustic frames (42 channels) + condition
      -> input convolution
      -> residual dilated convolutions, each FiLM-modulated per frame by condition + time
      -> output (noise - data for flow matching, noise for diffusion)

F0 is an input, so the spectral envelope is generated for the pitch that will be played:
after a pitch shift the formants and breathiness follow the new F0 as the corpus taught
(timbre-consistent), rather than being copied from the old one. Normalisation is per frame
(LayerNorm over channels, not GroupNorm over time) and padded frames are zeroed before every
convolution, so padding never leaks into a shorter item of the batch.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from synth.face.mouth_model import time_embedding
from synth.sampling import classifier_free_guidance

from .config import TTSConfig


class DecoderCondition(nn.Module):
    """Everything the decoder is told about a frame, as (B, channels, F)."""

    def __init__(self, config: TTSConfig):
        super().__init__()
        channels = config.decoder_channels
        self.features = nn.Linear(config.hidden, channels)
        # A small MLP, not a linear map: how pitch and loudness shape the spectrum is nonlinear.
        self.prosody = nn.Sequential(nn.Linear(4, channels), nn.SiLU(), nn.Linear(channels, channels))
        self.emotion = nn.Linear(config.emotion.embedding_dim, channels)
        self.voice = nn.Linear(config.voice_dim, channels)

    def forward(self, regulated: torch.Tensor, log_f0: torch.Tensor, voiced: torch.Tensor, energy: torch.Tensor,
                progress: torch.Tensor, emotion: torch.Tensor, voice: torch.Tensor,
                frame_mask: torch.Tensor) -> torch.Tensor:
        """regulated (B, F, H); log_f0, energy normalised (B, F); voiced, progress (B, F);
        emotion (B, F, E) per frame; voice (B, V) -> (B, C, F)."""
        prosody = torch.stack([log_f0, voiced.to(log_f0.dtype), energy, progress.to(log_f0.dtype)], dim=-1)
        condition = (self.features(regulated) + self.prosody(prosody) + self.emotion(emotion)
                     + self.voice(voice)[:, None, :])
        return (condition * frame_mask[..., None].to(condition.dtype)).transpose(1, 2)


class DenoiserBlock(nn.Module):
    def __init__(self, channels: int, kernel_size: int, dilation: int):
        super().__init__()
        self.conv = nn.Conv1d(channels, channels, kernel_size, dilation=dilation,
                              padding=dilation * (kernel_size - 1) // 2)
        self.norm = nn.LayerNorm(channels)
        self.film = nn.Conv1d(channels, 2 * channels, 1)
        self.project = nn.Conv1d(channels, channels, 1)

    def forward(self, x: torch.Tensor, modulation: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        """x, modulation (B, C, F); keep (B, 1, F)."""
        h = self.norm(self.conv(x).transpose(1, 2)).transpose(1, 2)
        scale, shift = self.film(modulation).chunk(2, dim=1)
        h = self.project(F.gelu(h * (1 + scale) + shift))
        return (x + h) * keep


class DenoiserNet(nn.Module):
    """(noisy (B, A, F), time (B,) in [0, 1], condition (B, C, F), mask (B, F)) -> (B, A, F)."""

    def __init__(self, acoustic_dims: int, channels: int, dilations: Sequence[int], kernel_size: int):
        super().__init__()
        self.channels = channels
        self.time = nn.Sequential(nn.Linear(channels, channels), nn.SiLU(), nn.Linear(channels, channels))
        self.input = nn.Conv1d(acoustic_dims + channels, channels, 3, padding=1)
        self.blocks = nn.ModuleList(DenoiserBlock(channels, kernel_size, d) for d in dilations)
        self.output = nn.Conv1d(channels, acoustic_dims, 3, padding=1)
        # Zero output at initialisation: the first loss is the target's variance, not noise.
        nn.init.zeros_(self.output.weight)
        nn.init.zeros_(self.output.bias)

    @classmethod
    def from_config(cls, config: TTSConfig) -> "DenoiserNet":
        return cls(config.acoustic_dims, config.decoder_channels, config.decoder_dilations, config.decoder_kernel)

    def forward(self, noisy: torch.Tensor, time: torch.Tensor, condition: torch.Tensor,
                mask: torch.Tensor) -> torch.Tensor:
        keep = mask[:, None, :].to(noisy.dtype)
        timing = self.time(time_embedding(time.to(noisy.dtype), self.channels))[:, :, None]
        modulation = condition + timing
        x = self.input(torch.cat([noisy * keep, condition], dim=1)) * keep
        for block in self.blocks:
            x = block(x, modulation, keep)
        return self.output(x) * keep


def masked_mse(prediction: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean squared error over real frames only; mask (B, F) against (B, F) or (B, C, F)."""
    weight = mask.to(prediction.dtype)
    if prediction.dim() == 3:
        weight = weight[:, None, :].expand_as(prediction)
    return ((prediction - target) ** 2 * weight).sum() / weight.sum().clamp(min=1.0)


def normal_noise(reference: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """Gaussian noise shaped like `reference`, drawn on the generator's device (CPU by
    default) and moved, so a seed means the same noise on every device."""
    device = generator.device if generator is not None else reference.device
    return torch.randn(reference.shape, generator=generator, device=device).to(reference)


def sampling_generator(generator: torch.Generator | None) -> torch.Generator:
    """The generator to sample with: the caller's, or a CPU one seeded from torch's global
    RNG (so torch.manual_seed still makes an unseeded call repeatable)."""
    if generator is not None:
        return generator
    return torch.Generator().manual_seed(int(torch.randint(0, 2**62, (1,))))


def guided_prediction(net: DenoiserNet, sample: torch.Tensor, time: torch.Tensor, condition: torch.Tensor,
                      null_condition: torch.Tensor | None, mask: torch.Tensor, guidance: float) -> torch.Tensor:
    """Classifier-free guidance: null + guidance * (conditional - null). guidance 1 is
    plain conditional sampling and skips the unconditional pass; above 1 it exaggerates
    what the emotion changes, which gives intensities beyond those seen in training."""
    if guidance == 1.0:
        return net(sample, time, condition, mask)
    if null_condition is None:
        raise ValueError("guidance other than 1 needs the null (emotion-dropped) condition")
    both = net(torch.cat([sample, sample]), torch.cat([time, time]), torch.cat([condition, null_condition]),
               torch.cat([mask, mask]))
    conditional, unconditional = both.chunk(2)
    return classifier_free_guidance(conditional, unconditional, guidance)
