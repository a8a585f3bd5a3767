"""Front end of the speech emotion recognizer (torch, no torchaudio): log-mel bands, and
optionally a narrow-band low-frequency spectrum whose bins resolve the harmonics of the
voice, so pitch level, range and contour (the main prosodic carriers of emotion) are
visible to the network rather than blurred across a few mel bands."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn


@dataclass(frozen=True)
class LogMelConfig:
    sample_rate: int = 16000
    n_fft: int = 512
    win_length: int = 400      # 25 ms
    hop_length: int = 160      # 10 ms
    n_mels: int = 64
    f_min: float = 50.0
    f_max: float = 8000.0
    floor: float = 1e-6        # power floor before the log: about -60 dB below full scale
    harmonic_bins: int = 0     # > 0: append this many narrow-band bins (from 1 x sample_rate / harmonic_n_fft Hz)
    harmonic_n_fft: int = 1024  # 64 ms window, 15.6 Hz bins at 16 kHz: harmonics of voices from ~70 Hz apart

    @property
    def bands(self) -> int:
        return self.n_mels + self.harmonic_bins


def hz_to_mel(hz: np.ndarray) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def mel_to_hz(mel: np.ndarray) -> np.ndarray:
    return 700.0 * (10.0 ** (np.asarray(mel, dtype=np.float64) / 2595.0) - 1.0)


def mel_filterbank(config: LogMelConfig) -> np.ndarray:
    """(n_mels, n_fft // 2 + 1) triangular filters, equally spaced on the HTK mel scale,
    each normalised to unit area so bands of different widths weigh alike."""
    bins = np.linspace(0.0, config.sample_rate / 2.0, config.n_fft // 2 + 1)
    edges = mel_to_hz(np.linspace(hz_to_mel(config.f_min), hz_to_mel(config.f_max), config.n_mels + 2))
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins[None, :] - lower) / (centre - lower)
    falling = (upper - bins[None, :]) / (upper - centre)
    filters = np.clip(np.minimum(rising, falling), 0.0, None)
    return (filters / np.maximum(filters.sum(axis=1, keepdims=True), 1e-12)).astype(np.float32)


class LogMelFrontend(nn.Module):
    """(batch, samples) at ``sample_rate`` -> (batch, bands, frames): log mel power, then the
    log narrow-band bins (when ``harmonic_bins`` > 0)."""

    def __init__(self, config: LogMelConfig = LogMelConfig()):
        super().__init__()
        self.config = config
        self.register_buffer("window", torch.hann_window(config.win_length), persistent=False)
        self.register_buffer("filters", torch.from_numpy(mel_filterbank(config)), persistent=False)
        self.register_buffer("harmonic_window", torch.hann_window(config.harmonic_n_fft), persistent=False)

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        c = self.config
        spectrum = torch.stft(audio, c.n_fft, c.hop_length, c.win_length, self.window,
                              center=True, return_complex=True)
        power = spectrum.real ** 2 + spectrum.imag ** 2
        mel = torch.log(torch.matmul(self.filters, power) + c.floor)
        if not c.harmonic_bins:
            return mel
        narrow = torch.stft(audio, c.harmonic_n_fft, c.hop_length, c.harmonic_n_fft, self.harmonic_window,
                            center=True, return_complex=True)[..., 1:1 + c.harmonic_bins, :]
        # Same hop and centre padding, so both give samples // hop + 1 frames.
        return torch.cat([mel, torch.log(narrow.real ** 2 + narrow.imag ** 2 + c.floor)], dim=-2)

    def frames_for(self, samples: torch.Tensor) -> torch.Tensor:
        """Number of frames forward() gives for each input length (centre padding)."""
        return samples // self.config.hop_length + 1
