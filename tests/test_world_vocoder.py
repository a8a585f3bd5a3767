"""The WORLD vocoder's own edits, shared by the corpus builder and the TTS."""

from __future__ import annotations

import numpy as np

from synth.vocoder.world import WorldFeatures, apply_jitter_shimmer


def steady_vowel(frames: int = 200) -> WorldFeatures:
    return WorldFeatures(f0=np.full(frames, 120.0), spectral_envelope=np.ones((frames, 513)),
                         aperiodicity=np.full((frames, 513), 0.1), frame_period_ms=10.0)


def test_per_frame_amounts_perturb_only_where_they_are_set():
    features = steady_vowel()
    amount = np.r_[np.zeros(100), np.full(100, 0.02)]
    out = apply_jitter_shimmer(features, amount, amount, np.random.default_rng(0))
    np.testing.assert_array_equal(out.f0[:100], features.f0[:100])
    np.testing.assert_array_equal(out.spectral_envelope[:100], features.spectral_envelope[:100])
    assert np.std(np.log(out.f0[100:])) > 0.01
    assert np.std(out.spectral_envelope[100:, 0]) > 0.02


def test_a_constant_array_is_the_same_as_one_amount():
    features = steady_vowel()
    one = apply_jitter_shimmer(features, 0.02, 0.05, np.random.default_rng(3))
    per_frame = apply_jitter_shimmer(features, np.full(200, 0.02), np.full(200, 0.05), np.random.default_rng(3))
    np.testing.assert_array_equal(one.f0, per_frame.f0)
    np.testing.assert_array_equal(one.spectral_envelope, per_frame.spectral_envelope)
