"""TTS training batches from a built corpus: timed tokens match the acoustic frames."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from conditioning.features import FEATURE_DIM
from synth.tts.config import ACOUSTIC_DIMS
from train.tts.data import TOKEN_CACHE, TTSDataset, collate, load_tokens
from train.tts.features import build_features, load_features

pytestmark = pytest.mark.slow


def test_batches_line_up_tokens_and_frames(tiny_corpus):
    build_features(tiny_corpus, jobs=2, progress=False)
    acoustic = load_features(tiny_corpus)
    tokens = load_tokens(tiny_corpus, acoustic, progress=False)
    assert (tiny_corpus / TOKEN_CACHE).exists()
    again = load_tokens(tiny_corpus, acoustic, progress=False)            # from the cache
    np.testing.assert_array_equal(again.durations, tokens.durations)
    for index in range(len(acoustic.records)):
        assert tokens.item(index).durations.sum() == acoustic.offsets[index + 1] - acoustic.offsets[index]
    dataset = TTSDataset(acoustic, tokens, list(range(4)))
    batch = collate([dataset[i] for i in range(4)])
    frames = batch["frame_mask"].sum(dim=1)
    assert torch.equal(batch["durations"].sum(dim=1), frames)
    assert batch["acoustic"].shape == (4, ACOUSTIC_DIMS, int(frames.max()))
    assert batch["token_emotion"].shape[-1] == FEATURE_DIM
    assert batch["tokens"][~batch["token_mask"]].eq(0).all()
    assert batch["voice"].dtype == torch.long and batch["voice"].max() < 7
