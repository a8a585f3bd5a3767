"""Recognizing a long recording with memory that does not grow with its length: the file is
read from disk a piece at a time, and each piece is resampled, turned into front-end frames
and encoded with the context its neighbours give, so every stage computes the values one pass
over the whole would (to float rounding). The utterance's attentive statistics are summed as
the frames go by, and the windows are pooled as soon as their frames are there.

Each stage is a reader, `read(start, stop)`, of its output's positions [start, stop)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

from common.audio_io import Reader
from common.log_mel import LogMelFrontend

from .model import SPEECH_RANGE_NEPERS, SpeechEmotionNet, _weighted_stats

# Front-end frames per piece while the utterance's band means are summed (a minute).
MEANS_CHUNK = 6000


def front_end_reader(frontend: LogMelFrontend, read: Reader, length: int) -> tuple[int, Callable]:
    """(frames, reader of (1, bands, n) frames) of `frontend` over `length` samples, centred
    and reflect-padded at the recording's ends as a one-pass forward() pads them."""
    hop, context = frontend.config.hop_length, frontend.context

    def frames(first: int, last: int) -> torch.Tensor:
        positions = np.arange(first * hop - context, (last - 1) * hop + context)
        positions = np.abs(positions)                                  # reflect at the start ...
        positions = np.where(positions > length - 1, 2 * (length - 1) - positions, positions)   # ... and the end
        low = int(positions.min())
        piece = read(low, int(positions.max()) + 1)[positions - low]
        return frontend.frames_of_padded(torch.from_numpy(piece)[None])

    return length // hop + 1, frames


def band_means(features: Callable, frames: int) -> torch.Tensor:
    """`model.speech_band_means` of one utterance, read twice a piece at a time: once for the
    loudest frame, once for the mean of the frames within range of it."""
    pieces = range(0, frames, MEANS_CHUNK)
    loudest = max(float(torch.logsumexp(features(a, min(frames, a + MEANS_CHUNK)), dim=1).max()) for a in pieces)
    total, count = 0.0, 0.0
    for a in pieces:
        mel = features(a, min(frames, a + MEANS_CHUNK)).double()
        speech = (torch.logsumexp(mel, dim=1) >= loudest - SPEECH_RANGE_NEPERS).double()
        total, count = total + (mel * speech[:, None, :]).sum(-1), count + float(speech.sum())
    return (total / max(count, 1.0)).float()


class StreamedPooling:
    """Attentive statistics pooling over frames that come a chunk at a time: running sums of
    the softmax weights (against the largest logit so far) and of weighted x and x²."""

    def __init__(self):
        self.peak, self.weight, self.first, self.second = -math.inf, 0.0, 0.0, 0.0

    def add(self, x: torch.Tensor, logits: torch.Tensor) -> None:
        x, logits = x[0].double(), logits[0].double()
        peak = max(self.peak, float(logits.max()))
        rescale, weights = math.exp(self.peak - peak), torch.exp(logits - peak)
        self.weight = self.weight * rescale + weights.sum()
        self.first = self.first * rescale + (x * weights).sum(-1)
        self.second = self.second * rescale + (x * x * weights).sum(-1)
        self.peak = peak

    def result(self) -> torch.Tensor:
        mean = self.first / self.weight
        variance = (self.second / self.weight - mean * mean).clamp_min(0.0)
        return torch.cat([mean, torch.sqrt(variance + 1e-5)])[None].float()


def window_starts(net: SpeechEmotionNet, frames: int) -> tuple[torch.Tensor, int]:
    """The sliding windows' first frames and their size, as `utterance_and_windows` places them."""
    config = net.config
    size = max(1, min(frames, round(config.window_s * config.frame_rate)))
    last_start_s = (frames - size) / config.frame_rate
    return torch.round(torch.arange(0.0, last_start_s + 1e-6, config.hop_s) * config.frame_rate).long(), size


def encode_long(net: SpeechEmotionNet, features: Callable, mel_frames: int, windows: bool
                ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
    """(pooled utterance encoding (1, 2 * hidden), window statistics (W, 2 * hidden) or None,
    window centres in seconds or None) of one utterance whose front-end frames `features` reads."""
    means = band_means(features, mel_frames) if net.config.utterance_normalisation else None
    pooling, half = StreamedPooling(), (mel_frames + 1) // 2
    starts, size = window_starts(net, half)
    stats, next_window, held, held_from = [], 0, None, 0
    for start, x in net.frames_in_chunks(lambda a, b: net.normalised(features(a, b), means), mel_frames):
        logits = net.pool.logits(x, torch.ones(1, x.shape[-1], dtype=torch.bool))
        pooling.add(x, logits)
        if not windows:
            continue
        if held is None:
            held, held_from = (x, logits), start
        else:
            held = (torch.cat([held[0], x], dim=-1), torch.cat([held[1], logits], dim=-1))
        end = start + x.shape[-1]
        ready = starts[next_window:][starts[next_window:] + size <= end]
        if len(ready):
            stats.append(_window_stats(held, ready - held_from, size))
            next_window += len(ready)
        keep_from = int(starts[next_window]) if next_window < len(starts) else end
        held, held_from = (held[0][..., keep_from - held_from:], held[1][..., keep_from - held_from:]), keep_from
    if not windows:
        return pooling.result(), None, None
    centres = (starts.to(torch.float32) + size / 2.0) / net.config.frame_rate
    return pooling.result(), torch.cat(stats), centres


def _window_stats(held: tuple[torch.Tensor, torch.Tensor], offsets: torch.Tensor, size: int) -> torch.Tensor:
    x, logits = held
    segments = x[0].unfold(1, size, 1)[:, offsets].permute(1, 0, 2)       # (W, C, size)
    weights = torch.softmax(logits[0].unfold(0, size, 1)[offsets], dim=-1)  # (W, size)
    return _weighted_stats(segments, weights.unsqueeze(1))
