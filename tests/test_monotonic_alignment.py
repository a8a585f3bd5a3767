"""Monotonic alignment search finds the best monotonic path and only such paths."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from synth.tts.monotonic_alignment import durations_from_path, monotonic_alignment


def _all_paths(tokens: int, frames: int):
    for cuts in itertools.combinations(range(1, frames), tokens - 1):
        edges = (0,) + cuts + (frames,)
        path = np.zeros((tokens, frames), dtype=np.int8)
        for token, (start, end) in enumerate(zip(edges, edges[1:])):
            path[token, start:end] = 1
        yield path


@pytest.mark.parametrize("seed", range(5))
def test_search_matches_exhaustive_search(seed):
    scores = np.random.default_rng(seed).normal(size=(4, 9))
    path = monotonic_alignment(scores)
    best = max(_all_paths(4, 9), key=lambda p: float((p * scores).sum()))
    assert float((path * scores).sum()) == pytest.approx(float((best * scores).sum()))
    durations = durations_from_path(path)
    assert durations.sum() == 9 and (durations >= 1).all()
    assert (path.sum(axis=0) == 1).all()


def test_recovers_planted_durations():
    truth = np.array([3, 1, 5, 2])
    owner = np.repeat(np.arange(4), truth)
    scores = np.where(np.arange(4)[:, None] == owner[None, :], 0.0, -5.0)
    assert durations_from_path(monotonic_alignment(scores)).tolist() == truth.tolist()


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="cannot cover"):
        monotonic_alignment(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="tokens, frames"):
        monotonic_alignment(np.zeros(5))
