"""The log-mel front end (torch, no torchaudio) that the speech emotion recognizer and the
mouth model hear speech through: log-mel bands, and optionally a narrow-band low-frequency
spectrum whose bins resolve the harmonics of the voice, so pitch level, range and contour (the
main prosodic carriers of emotion) are visible to the network rather than blurred across a few
mel bands."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .mel_scale import hz_to_mel, mel_to_hz

# Frames per STFT call on long audio (about 41 s at 100 frames/s).
STFT_CHUNK_FRAMES = 1 << 12


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
    log narrow-band bins (when ``harmonic_bins`` > 0); float32 whatever the input's precision."""

    def __init__(self, config: LogMelConfig = LogMelConfig()):
        super().__init__()
        self.config = config
        self.register_buffer("window", torch.hann_window(config.win_length), persistent=False)
        self.register_buffer("filters", torch.from_numpy(mel_filterbank(config)), persistent=False)
        self.register_buffer("harmonic_window", torch.hann_window(config.harmonic_n_fft), persistent=False)

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        # Same hop and centre padding for every spectrum, so each gives samples // hop + 1 frames.
        parts = [self._framewise(audio, *spectrum) for spectrum in self._spectra()]
        return parts[0] if len(parts) == 1 else torch.cat(parts, dim=-2)

    def _spectra(self) -> list[tuple]:
        """(n_fft, win_length, window, reduce) of the log mel bands and of the narrow-band bins."""
        c = self.config
        spectra = [(c.n_fft, c.win_length, self.window,
                    lambda power: torch.log(torch.matmul(self.filters, power) + c.floor))]
        if c.harmonic_bins:
            spectra.append((c.harmonic_n_fft, c.harmonic_n_fft, self.harmonic_window,
                            lambda power: torch.log(power[..., 1:1 + c.harmonic_bins, :] + c.floor)))
        return spectra

    @property
    def context(self) -> int:
        """Samples either side of a frame's centre that its spectra read."""
        return max(n_fft for n_fft, *_ in self._spectra()) // 2

    def frames_of_padded(self, padded: torch.Tensor) -> torch.Tensor:
        """forward()'s frames from audio padded by `context` samples either side (as centring
        pads, or with the neighbouring samples of a longer recording): a piece of a recording
        gives the frames of the whole that fall in it."""
        parts = []
        for n_fft, win_length, window, reduce in self._spectra():
            trim = self.context - n_fft // 2
            piece = padded[..., trim:padded.shape[-1] - trim].float()
            spectrum = torch.stft(piece, n_fft, self.config.hop_length, win_length, window, center=False,
                                  return_complex=True)
            parts.append(reduce(spectrum.real ** 2 + spectrum.imag ** 2))
        return parts[0] if len(parts) == 1 else torch.cat(parts, dim=-2)

    def _framewise(self, audio: torch.Tensor, n_fft: int, win_length: int, window: torch.Tensor,
                   reduce) -> torch.Tensor:
        """`reduce(power spectrogram)`, computed STFT_CHUNK_FRAMES frames at a time: the same
        frames as one centred STFT, but the full spectrogram of an hour (~1 GB) never exists."""
        hop = self.config.hop_length
        frames = audio.shape[-1] // hop + 1
        if frames <= STFT_CHUNK_FRAMES:
            spectrum = torch.stft(audio.float(), n_fft, hop, win_length, window, center=True, return_complex=True)
            return reduce(spectrum.real ** 2 + spectrum.imag ** 2)
        out = None
        for first in range(0, frames, STFT_CHUNK_FRAMES):
            last = min(frames, first + STFT_CHUNK_FRAMES)
            # float32 piece by piece: float64 audio (as loaded) is never copied whole.
            piece = _reflect_padded(audio, n_fft // 2, first * hop, (last - 1) * hop + n_fft).float()
            spectrum = torch.stft(piece, n_fft, hop, win_length, window, center=False, return_complex=True)
            values = reduce(spectrum.real ** 2 + spectrum.imag ** 2)
            if out is None:
                out = values.new_empty((*values.shape[:-1], frames))
            out[..., first:last] = values
        return out

    def frames_for(self, samples: torch.Tensor) -> torch.Tensor:
        """Number of frames forward() gives for each input length (centre padding)."""
        return samples // self.config.hop_length + 1


def _reflect_padded(audio: torch.Tensor, pad: int, start: int, stop: int) -> torch.Tensor:
    """`F.pad(audio, (pad, pad), mode="reflect")[..., start:stop]` (how a centred STFT pads),
    without making the padded copy of all of the audio."""
    n = audio.shape[-1]
    left = audio[..., 1:pad + 1].flip(-1)
    right = audio[..., n - pad - 1:n - 1].flip(-1)
    parts = []
    if start < pad:
        parts.append(left[..., start:min(stop, pad)])
    if max(start, pad) < min(stop, n + pad):
        parts.append(audio[..., max(start, pad) - pad:min(stop, n + pad) - pad])
    if stop > n + pad:
        parts.append(right[..., max(start, n + pad) - n - pad:stop - n - pad])
    return torch.cat(parts, dim=-1)
