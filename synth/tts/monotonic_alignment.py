"""Monotonic alignment search (Glow-TTS, Kim et al. 2020): the most likely way a text's
tokens cover a recording's frames, each token a run of at least one frame, in order.

With phone times the corpus gives durations directly; this is what lets the TTS train on
recordings that come with text only (LJSpeech-style data): an aligner scores every
(token, frame) pair, this search picks the best monotonic path, and its run lengths are
the durations.
"""

from __future__ import annotations

import numpy as np


def monotonic_alignment(log_likelihood: np.ndarray) -> np.ndarray:
    """(tokens, frames) scores -> (tokens, frames) 0/1 path maximising their sum, where
    every frame belongs to one token, tokens advance by at most one per frame, the path
    starts at (0, 0) and ends at (tokens-1, frames-1). Needs frames >= tokens."""
    scores = np.asarray(log_likelihood, dtype=np.float64)
    if scores.ndim != 2:
        raise ValueError(f"scores must be (tokens, frames); got shape {scores.shape}")
    tokens, frames = scores.shape
    if tokens == 0 or frames < tokens:
        raise ValueError(f"{frames} frames cannot cover {tokens} tokens with one frame each at least")
    best = np.full((tokens, frames), -np.inf)
    best[0, 0] = scores[0, 0]
    for frame in range(1, frames):
        stay = best[:, frame - 1]
        advance = np.concatenate([[-np.inf], best[:-1, frame - 1]])
        best[:, frame] = np.maximum(stay, advance) + scores[:, frame]
    path = np.zeros((tokens, frames), dtype=np.int8)
    token = tokens - 1
    for frame in range(frames - 1, -1, -1):
        path[token, frame] = 1
        if frame > 0 and token > 0 and best[token - 1, frame - 1] >= best[token, frame - 1]:
            token -= 1
    return path


def durations_from_path(path: np.ndarray) -> np.ndarray:
    """(tokens,) frames per token of an alignment path."""
    return np.asarray(path).sum(axis=1).astype(np.int64)
