"""The telephone line and low-bit-rate codecs of the SER's augmentation (issue 34)."""

from __future__ import annotations

import numpy as np
import pytest

from train.audio_augment import CODECS, AugmentConfig, augment, codec_roundtrip, replay, telephone

SR = 16000


def _speechlike(seconds: float = 0.8, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    voiced = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 40))
    return (0.1 * voiced * (1 + np.sin(2 * np.pi * 4 * t)) + 0.01 * rng.standard_normal(t.size)).astype(np.float32)


def _band_share(x: np.ndarray, low: float, high: float) -> float:
    power = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(x.size, 1 / SR)
    return float(power[(freqs >= low) & (freqs < high)].sum() / power.sum())


def test_telephone_keeps_the_length_and_removes_what_a_phone_line_cannot_carry():
    x = _speechlike()
    y = telephone(x, SR)
    assert y.shape == x.shape and y.dtype == np.float32 and np.isfinite(y).all()
    assert _band_share(x, 4200, 8000) > 1e-3
    assert _band_share(y, 4200, 8000) < 1e-5
    assert _band_share(y, 0, 200) < 0.2 * _band_share(x, 0, 200)


@pytest.mark.parametrize("codec", sorted(CODECS))
def test_codec_roundtrip_keeps_length_and_level(codec):
    x = _speechlike()
    y = codec_roundtrip(x, SR, codec, CODECS[codec][2][0])
    assert y.shape == x.shape and y.dtype == np.float32
    level = 20 * np.log10(np.sqrt(np.mean(y ** 2)) / np.sqrt(np.mean(x ** 2)))
    assert abs(level) < 3.0
    assert not np.allclose(y, x, atol=1e-3)


def test_transmission_is_drawn_only_when_switched_on_and_replays():
    x = _speechlike(seed=1)
    plain = augment(x, SR, np.random.default_rng(5), AugmentConfig())
    assert "telephone" not in plain[1] and "codec" not in plain[1]
    on = AugmentConfig(telephone_probability=1.0, codec_probability=1.0, noise_probability=0.0)
    out, applied = augment(x, SR, np.random.default_rng(5), on)
    assert applied["codec"]["codec"] in CODECS and applied["codec"]["kbps"] in CODECS[applied["codec"]["codec"]][2]
    assert "telephone" in applied and np.max(np.abs(out)) <= 1.0
    again = replay(x, SR, applied, np.random.default_rng(7))
    assert again.shape == out.shape
    with pytest.raises(ValueError, match="codecs"):
        AugmentConfig(codecs=("vorbis",))
