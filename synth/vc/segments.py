"""Where the speech and the pauses of a recording are, by its energy alone (no transcript).

A recording brings no phone times, but the WORLD transform needs segments to stretch: pauses
(their length is an emotion cue: ``pause_factor``) and speech (``tempo_factor``). An energy
voice-activity detector finds them; speech runs are cut into short pieces, so that a timeline
can change the emotion piece by piece, as the engine decoder does phone by phone. Long input is
cut into chunks in the middle of its pauses, so every chunk is analysed on its own (bounded
memory) and the joins fall where there is nothing to hear.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FRAME_S = 0.01
# Active: within ACTIVE_RANGE_DB of the loud frames (95th percentile) and clear of the noise
# floor (10th percentile) by NOISE_MARGIN_DB: a steady sound has no frames that pass both.
ACTIVE_RANGE_DB = 35.0
NOISE_MARGIN_DB = 6.0
MIN_PAUSE_S = 0.15          # shorter silences are stop closures and word joins: speech
SPEECH_PIECE_S = 0.25       # a timeline's resolution inside a speech run
PAUSE_LABEL, SPEECH_LABEL = "pau", "speech"
MAX_CHUNK_S = 20.0
MIN_CHUNK_S = 8.0


@dataclass(frozen=True)
class Activity:
    """Per 10 ms frame: level (dBFS) and whether it is active (speech-like energy)."""

    level_db: np.ndarray
    active: np.ndarray

    @property
    def active_s(self) -> float:
        return float(self.active.sum() * FRAME_S)


def frame_levels(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    hop = max(1, int(round(FRAME_S * sample_rate)))
    frames = max(1, len(audio) // hop)
    x = np.asarray(audio[:frames * hop], dtype=np.float64)
    if x.size < hop:
        x = np.pad(x, (0, hop - x.size))
    return 10.0 * np.log10(np.mean(x.reshape(frames, hop) ** 2, axis=1) + 1e-12)


def activity(audio: np.ndarray, sample_rate: int) -> Activity:
    level = frame_levels(audio, sample_rate)
    threshold = max(np.percentile(level, 95) - ACTIVE_RANGE_DB, np.percentile(level, 10) + NOISE_MARGIN_DB)
    return Activity(level, level > threshold)


def _runs(mask: np.ndarray) -> list[tuple[int, int, bool]]:
    """(start, end, value) of each run of equal values."""
    edges = np.flatnonzero(np.diff(mask.astype(np.int8))) + 1
    bounds = np.concatenate([[0], edges, [mask.size]])
    return [(int(a), int(b), bool(mask[a])) for a, b in zip(bounds[:-1], bounds[1:])]


def pause_mask(active: np.ndarray) -> np.ndarray:
    """Inactive runs of at least MIN_PAUSE_S; shorter gaps count as speech."""
    pauses = np.zeros(active.size, dtype=bool)
    for start, end, on in _runs(active):
        if not on and (end - start) * FRAME_S >= MIN_PAUSE_S:
            pauses[start:end] = True
    return pauses


def pseudo_phones(active: np.ndarray, duration_s: float) -> tuple[tuple[str, float, float], ...]:
    """Segments covering [0, duration_s) of a chunk whose frames are ``active``: pauses as
    "pau", speech in pieces of about SPEECH_PIECE_S, times relative to the chunk."""
    phones: list[tuple[str, float, float]] = []
    pauses = pause_mask(active) if active.size else np.zeros(0, dtype=bool)
    runs = _runs(pauses) if pauses.size else []
    for start, end, is_pause in runs:
        a, b = start * FRAME_S, min(end * FRAME_S, duration_s)
        if b <= a:
            continue
        if is_pause:
            phones.append((PAUSE_LABEL, a, b))
            continue
        pieces = max(1, int(round((b - a) / SPEECH_PIECE_S)))
        cuts = np.linspace(a, b, pieces + 1)
        phones += [(SPEECH_LABEL, float(s), float(e)) for s, e in zip(cuts[:-1], cuts[1:])]
    if not phones:
        return ((SPEECH_LABEL, 0.0, duration_s),)
    name, start, _ = phones[-1]
    phones[-1] = (name, start, duration_s)  # the last frame's remainder belongs to the last segment
    return tuple(phones)


def chunk_bounds(active: np.ndarray, level_db: np.ndarray, max_chunk_s: float = MAX_CHUNK_S,
                 min_chunk_s: float = MIN_CHUNK_S) -> list[tuple[int, int]]:
    """Frame ranges of the chunks: each cut in the middle of the longest pause between
    min_chunk_s and max_chunk_s after the previous cut (no pause: the quietest frame there)."""
    n = active.size
    max_frames, min_frames = int(max_chunk_s / FRAME_S), int(min_chunk_s / FRAME_S)
    if n <= max_frames:
        return [(0, n)]
    pauses = pause_mask(active)
    bounds, start = [], 0
    while n - start > max_frames:
        lo, hi = start + min_frames, start + max_frames
        window = [(e - s, (s + e) // 2) for s, e, on in _runs(pauses[lo:hi]) if on]
        cut = lo + (max(window)[1] if window else int(np.argmin(level_db[lo:hi])))
        bounds.append((start, cut))
        start = cut
    bounds.append((start, n))
    return bounds
