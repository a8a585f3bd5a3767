"""TTS acoustic features: analysis, the way back to audio, and the corpus feature cache."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from synth.tts.acoustic import AcousticConfig, analyze_audio, continuous_log_f0, to_waveform
from train.tts.features import build_features, feature_folder, load_features


def _vowel(seconds: float = 1.0, rate: int = 16000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    f0 = 120 + 20 * np.sin(2 * np.pi * 1.5 * t)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    voice = sum(np.sin(k * phase) / k for k in range(1, 30)) * np.hanning(len(t)) ** 0.2
    return (0.2 * voice).astype(np.float64)


def test_features_have_the_configured_shapes_and_resynthesise():
    config = AcousticConfig()
    features = analyze_audio(_vowel(), 16000, config)
    assert features.frames == pytest.approx(101, abs=1)
    assert features.envelope.shape == (features.frames, config.envelope_dims)
    assert features.decoder_target().shape == (features.frames, config.decoder_dims)
    assert features.voiced[10:-10].mean() > 0.9
    assert np.median(np.exp(features.log_f0[features.voiced])) == pytest.approx(120, rel=0.1)
    audio = to_waveform(features, config)
    assert len(audio) == round(features.duration_s * config.sample_rate)
    again = analyze_audio(audio, config.sample_rate, config)
    both = features.voiced & again.voiced
    assert np.median(np.abs(again.log_f0[both] - features.log_f0[both])) < 0.02      # F0 within 2 %
    assert np.abs(again.envelope - features.envelope).mean() < 0.5 * features.envelope.std(axis=0).mean()


def test_continuous_log_f0_fills_gaps():
    f0 = np.array([0.0, 100.0, 0.0, 0.0, 200.0, 0.0])
    filled = continuous_log_f0(f0)
    assert filled[0] == pytest.approx(np.log(100)) and filled[-1] == pytest.approx(np.log(200))
    assert np.log(100) < filled[2] < filled[3] < np.log(200)
    assert np.allclose(continuous_log_f0(np.zeros(3)), np.log(100))


@pytest.mark.slow
def test_corpus_cache_builds_resumes_and_guards_its_config(tiny_corpus):
    build_features(tiny_corpus, jobs=2, progress=False)
    corpus = load_features(tiny_corpus)
    assert len(corpus.offsets) == len(corpus.records) + 1
    for index, record in enumerate(corpus.records[:5]):
        frames = corpus.offsets[index + 1] - corpus.offsets[index]
        assert frames == pytest.approx(record["duration_s"] * 100, abs=2)
    shard = sorted(feature_folder(tiny_corpus, AcousticConfig()).glob("shard-*.npz"))[0]
    before = shard.read_bytes()
    shard.unlink()
    build_features(tiny_corpus, jobs=1, progress=False)
    assert shard.read_bytes() == before                                   # deterministic resume
    with pytest.raises(SystemExit, match="another config"):
        build_features(tiny_corpus, dataclasses.replace(AcousticConfig(), frame_period_ms=5.0), progress=False)
