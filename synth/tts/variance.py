"""The variance adaptor: how long each token lasts, and the pitch, voicing and loudness of
every frame, all conditioned on emotion and voice (the main carriers of vocal emotion).

    encoder features -> DurationPredictor -> log(1 + frames) per token
    LengthRegulator: token features repeated by integer durations -> frame features
    frame features (+ position inside the token) -> FramePredictor -> log F0, voicing, energy

`scale_durations` re-times predicted durations to an exact total (dubbing: "say this in
2.4 s"), stretching pauses more than phones, as speakers do when they slow down.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from synth.text.frontend import LONG_PAUSE, PHONE_SYMBOLS, SHORT_PAUSE

from .config import TTSConfig
from .text_encoder import ConditionalNorm

PAUSE_IDS: tuple[int, ...] = (PHONE_SYMBOLS.index(SHORT_PAUSE), PHONE_SYMBOLS.index(LONG_PAUSE))
# Pauses change length about twice as much as phones when speech is slowed or hurried
# (Goldman-Eisler 1968; Trouvain 2003: tempo changes go largely into pausing).
PAUSE_STRETCH = 2.0


class ConditionedConvStack(nn.Module):
    """Masked residual 1-D convolutions over (B, T, C) with FiLM-conditioned layer norms."""

    def __init__(self, channels: int, kernel_size: int, dilations: Sequence[int], condition_dim: int, dropout: float):
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv1d(channels, channels, kernel_size, dilation=d,
                                             padding=d * (kernel_size - 1) // 2) for d in dilations)
        self.norms = nn.ModuleList(ConditionalNorm(channels, condition_dim) for _ in dilations)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        keep = mask[..., None].to(x.dtype)
        for conv, norm in zip(self.convs, self.norms):
            h = F.relu(conv((x * keep).transpose(1, 2))).transpose(1, 2)
            x = x + self.dropout(norm(h, condition))
        return x * keep


def _condition(emotion: torch.Tensor, voice: torch.Tensor) -> torch.Tensor:
    return torch.cat([emotion, voice[:, None, :].expand(-1, emotion.shape[1], -1)], dim=-1)


class DurationPredictor(nn.Module):
    """Per-token log(1 + frames); the +1 keeps zero-length tokens (edges) finite."""

    def __init__(self, config: TTSConfig):
        super().__init__()
        condition_dim = config.emotion.embedding_dim + config.voice_dim
        self.stack = ConditionedConvStack(config.hidden, config.conv_kernel, (1,) * config.duration_layers,
                                          condition_dim, config.dropout)
        self.output = nn.Linear(config.hidden, 1)

    def forward(self, encoded: torch.Tensor, mask: torch.Tensor, emotion: torch.Tensor,
                voice: torch.Tensor) -> torch.Tensor:
        """encoded (B, T, H), mask (B, T), emotion (B, T, E), voice (B, V) -> (B, T)."""
        h = self.stack(encoded, mask, _condition(emotion, voice))
        return self.output(h).squeeze(-1) * mask.to(h.dtype)


def log_duration_target(durations: torch.Tensor) -> torch.Tensor:
    return torch.log1p(durations.to(torch.float32))


def durations_from_log(log_durations: torch.Tensor, mask: torch.Tensor, rate: float = 1.0) -> torch.Tensor:
    """Predicted log(1 + frames) -> integer frames (B, T), at least 1 per real token.
    `rate` > 1 speaks faster. Rounds the running total rather than each token, so rounding
    errors do not pile up over a long sentence."""
    if rate <= 0:
        raise ValueError(f"rate must be positive; got {rate}")
    frames = (torch.expm1(log_durations) / rate).clamp(min=1.0) * mask.to(log_durations.dtype)
    ends = torch.floor(frames.cumsum(dim=1) + 0.5)
    return torch.diff(ends, dim=1, prepend=torch.zeros_like(ends[:, :1])).long()


def utterance_statistics_loss(log_durations: torch.Tensor, durations: torch.Tensor, token_mask: torch.Tensor,
                              log_f0: torch.Tensor, true_log_f0: torch.Tensor, voiced: torch.Tensor,
                              frame_mask: torch.Tensor) -> torch.Tensor:
    """Squared error of each utterance's length (log frames) plus that of its F0 range (the
    standard deviation of normalised log F0 over voiced frames). Per-token and per-frame
    squared errors let a predictor undershoot both: exp of the mean log duration is shorter
    than the mean duration, and a contour regressed to its mean is flatter than any one
    spoken. Length and range are what is heard as tempo and liveliness, and they are what
    tells one intensity of an emotion from another."""
    predicted_frames = (torch.expm1(log_durations).clamp(min=0.0) * token_mask).sum(dim=1)
    true_frames = (durations * token_mask).sum(dim=1).to(log_durations.dtype)
    length = (torch.log1p(predicted_frames) - torch.log1p(true_frames)) ** 2
    weight = (voiced.bool() & frame_mask).to(log_f0.dtype)
    measured = weight.sum(dim=1) >= 2

    def spread(values: torch.Tensor) -> torch.Tensor:
        count = weight.sum(dim=1).clamp(min=1.0)
        mean = (values * weight).sum(dim=1) / count
        return (((values - mean[:, None]) ** 2 * weight).sum(dim=1) / count + 1e-6).sqrt()

    f0_range = (spread(log_f0) - spread(true_log_f0)) ** 2
    return length.mean() + (f0_range * measured).sum() / measured.sum().clamp(min=1)


class FrameAlignment(NamedTuple):
    token_index: torch.Tensor   # (B, F) long: the token each frame belongs to
    progress: torch.Tensor      # (B, F) float in (0, 1): how far through its token the frame is
    frame_mask: torch.Tensor    # (B, F) bool: real frames


class LengthRegulator(nn.Module):
    """Expands token-level values to frames by integer durations (FastSpeech)."""

    def align(self, durations: torch.Tensor, total_frames: int | None = None) -> FrameAlignment:
        """durations (B, T) long -> alignment over `total_frames` (default: the longest item)."""
        ends = durations.cumsum(dim=1)
        lengths = ends[:, -1]
        frames = total_frames if total_frames is not None else max(1, int(lengths.max()))
        frame_ids = torch.arange(frames, device=durations.device).expand(len(durations), -1).contiguous()
        token_index = torch.searchsorted(ends.contiguous(), frame_ids, right=True).clamp(max=durations.shape[1] - 1)
        starts = (ends - durations).gather(1, token_index)
        spans = durations.gather(1, token_index).clamp(min=1)
        frame_mask = frame_ids < lengths[:, None]
        progress = ((frame_ids - starts).float() + 0.5) / spans.float() * frame_mask
        return FrameAlignment(token_index, progress, frame_mask)

    def forward(self, token_values: torch.Tensor, alignment: FrameAlignment) -> torch.Tensor:
        """(B, T, D) -> (B, F, D), zero at padded frames."""
        index = alignment.token_index[..., None].expand(-1, -1, token_values.shape[-1])
        return token_values.gather(1, index) * alignment.frame_mask[..., None].to(token_values.dtype)


class FrameProsody(NamedTuple):
    log_f0: torch.Tensor        # (B, F) normalised continuous log F0
    voiced_logit: torch.Tensor  # (B, F)
    energy: torch.Tensor        # (B, F) normalised energy (dB)


class FramePredictor(nn.Module):
    """Frame-level log F0, voicing and energy. Predicting per frame (not per token) lets it
    draw contours inside a syllable: the rise-fall of a stressed vowel, a question's final rise."""

    def __init__(self, config: TTSConfig):
        super().__init__()
        condition_dim = config.emotion.embedding_dim + config.voice_dim
        self.input = nn.Linear(config.hidden + 1, config.hidden)
        self.stack = ConditionedConvStack(config.hidden, config.conv_kernel, config.frame_predictor_dilations,
                                          condition_dim, config.dropout)
        self.output = nn.Linear(config.hidden, 3)

    def forward(self, regulated: torch.Tensor, alignment: FrameAlignment, emotion: torch.Tensor,
                voice: torch.Tensor) -> FrameProsody:
        """regulated (B, F, H), emotion (B, F, E) per frame, voice (B, V)."""
        mask = alignment.frame_mask
        x = self.input(torch.cat([regulated, alignment.progress[..., None].to(regulated.dtype)], dim=-1))
        h = self.stack(x, mask, _condition(emotion, voice))
        log_f0, voiced_logit, energy = (self.output(h) * mask[..., None].to(h.dtype)).unbind(-1)
        return FrameProsody(log_f0, voiced_logit, energy)


def pause_mask_of(tokens: torch.Tensor) -> torch.Tensor:
    return torch.isin(tokens, torch.tensor(PAUSE_IDS, device=tokens.device))


def _scale_one(durations: np.ndarray, target: int, weights: np.ndarray) -> np.ndarray:
    count = len(durations)
    if target < count:
        raise ValueError(f"cannot fit {count} tokens into {target} frames (each needs at least one)")
    durations = durations.astype(np.float64)
    allocation = np.ones(count)
    free = np.ones(count, dtype=bool)
    # Give every free token its weighted share of the change; a token pushed below one
    # frame is pinned at one and the rest re-share, until nobody is below one.
    while free.any():
        budget = target - (count - free.sum())
        share = (weights * durations)[free]
        if share.sum() > 0:
            change = budget - durations[free].sum()
            allocation[free] = durations[free] + change * share / share.sum()
        else:
            allocation[free] = budget * weights[free] / weights[free].sum()
        too_short = free & (allocation < 1.0)
        if not too_short.any():
            break
        allocation[too_short] = 1.0
        free &= ~too_short
    # Largest remainders: floor everything, then hand the missing frames to the tokens that
    # lost the most, so the total is exact and no token drops below one frame.
    floors = np.floor(allocation + 1e-9)
    missing = int(round(target - floors.sum()))
    order = np.argsort(-(allocation - floors), kind="stable")
    floors[order[:missing]] += 1
    return floors.astype(np.int64)


def scale_durations(durations: torch.Tensor, target_frames: int | Sequence[int] | torch.Tensor,
                    pause_mask: torch.Tensor | None = None, token_mask: torch.Tensor | None = None,
                    pause_stretch: float = PAUSE_STRETCH) -> torch.Tensor:
    """Integer durations (T,) or (B, T) re-timed to sum to exactly `target_frames` (an int,
    or one per item), keeping at least one frame per real token. Each token absorbs the
    change in proportion to its length, pauses `pause_stretch` times more. Padded tokens
    (token_mask False) stay at zero."""
    single = durations.dim() == 1
    batch = durations[None] if single else durations
    pause_mask = torch.zeros_like(durations, dtype=torch.bool) if pause_mask is None else pause_mask
    token_mask = torch.ones_like(durations, dtype=torch.bool) if token_mask is None else token_mask
    pauses, real = (pause_mask[None], token_mask[None]) if single else (pause_mask, token_mask)
    targets = torch.as_tensor(target_frames).reshape(-1).tolist()
    if len(targets) == 1:
        targets = targets * len(batch)
    if len(targets) != len(batch):
        raise ValueError(f"{len(targets)} targets for a batch of {len(batch)}")
    scaled = torch.zeros_like(batch, dtype=torch.long, device="cpu")
    for item, (values, is_pause, is_real, target) in enumerate(zip(batch.cpu(), pauses.cpu(), real.cpu(), targets)):
        weights = np.where(is_pause[is_real].numpy(), pause_stretch, 1.0)
        scaled[item, is_real] = torch.from_numpy(_scale_one(values[is_real].numpy(), int(target), weights))
    scaled = scaled.to(durations.device)
    return scaled[0] if single else scaled
