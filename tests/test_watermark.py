"""The in-repo audio watermark: round trip, attacks the issue names, unmarked audio, bad input."""

from datetime import datetime, timezone
from functools import cache

import numpy as np
import pytest

from synth.provenance.payload import CODED_BITS, PAYLOAD_BITS, Payload, WatermarkInputError, encode, viterbi
from synth.provenance.watermark import DEFAULT_CONFIG, _to_rate, detect, embed

PAYLOAD = Payload("speak", datetime(2026, 12, 1, tzinfo=timezone.utc), "a3f9c0")
SENTENCE = ("Nobody expected the quiet librarian to win the national chess championship, "
            "least of all the librarian herself.")


@cache
def speech() -> tuple[np.ndarray, int]:
    from synth.render.engines import render

    rendering = render(SENTENCE, "slt")
    return rendering.audio.astype(np.float64), rendering.sample_rate


@cache
def marked() -> np.ndarray:
    audio, rate = speech()
    return embed(audio, rate, PAYLOAD)


def test_payload_bits_round_trip_and_a_flipped_bit_fails_the_crc():
    bits = PAYLOAD.bits()
    assert Payload.from_bits(bits) == PAYLOAD
    assert PAYLOAD.created == datetime(2026, 12, 1, tzinfo=timezone.utc) and PAYLOAD.recipe_hash == "a3"
    for index in range(len(bits)):
        flipped = bits.copy()
        flipped[index] ^= 1
        assert Payload.from_bits(flipped) != PAYLOAD


def test_the_convolutional_code_corrects_noisy_soft_values():
    rng = np.random.default_rng(0)
    failures = 0
    for _ in range(50):
        bits = rng.integers(0, 2, PAYLOAD_BITS)
        coded = encode(bits)
        assert coded.shape == (CODED_BITS,)
        assert np.array_equal(viterbi(2.0 * coded - 1.0), bits)
        # Soft values at z = 1.2 per coded bit: ~12 % of them read wrong one by one.
        soft = 1.2 * (2.0 * coded - 1.0) + rng.normal(0.0, 1.0, CODED_BITS)
        assert np.mean((soft > 0) != coded) > 0.03
        failures += not np.array_equal(viterbi(soft), bits)
    assert failures <= 2


def test_the_threshold_bounds_false_alarms_over_every_hypothesis():
    config = DEFAULT_CONFIG
    hypotheses = config.tiles_per_block * config.frames_per_tile * len(config.shifts)
    assert hypotheses * np.exp(-config.threshold ** 2 / 2) == pytest.approx(config.false_alarm)
    assert config.threshold_for(10) > config.threshold


def test_marked_speech_is_detected_and_the_mark_is_quiet():
    audio, rate = speech()
    out = marked()
    assert out.shape == audio.shape and out.dtype == audio.dtype
    snr = 10 * np.log10(np.sum(audio ** 2) / np.sum((out - audio) ** 2))
    assert snr > 15.0
    found = detect(out, rate)
    assert found.watermarked and found.score > DEFAULT_CONFIG.threshold + 2
    assert found.payload == PAYLOAD


def test_unmarked_speech_is_not_detected():
    audio, rate = speech()
    found = detect(audio, rate)
    assert not found.watermarked and found.payload is None and found.score < DEFAULT_CONFIG.threshold - 0.5


def _attacked(name: str) -> tuple[np.ndarray, int]:
    out, rate = marked(), speech()[1]
    if name == "resample_16k":
        return _to_rate(_to_rate(out, rate, 16000), 16000, rate), rate
    if name == "gain_minus_6":
        return out * 10 ** (-6 / 20), rate
    if name == "gain_plus_6":
        return np.clip(out / np.max(np.abs(out)) * 0.45 * 10 ** (6 / 20), -1, 1), rate
    if name == "noise_20db":
        noise = np.random.default_rng(0).normal(0.0, np.sqrt(np.mean(out ** 2) / 100), out.shape)
        return out + noise, rate
    if name == "crop_3s":
        start = int(0.77 * rate)
        return out[start:start + 3 * rate], rate
    if name == "rate_48k":
        return _to_rate(out, rate, 48000), 48000
    raise KeyError(name)


@pytest.mark.parametrize("attack", ["resample_16k", "gain_minus_6", "gain_plus_6", "noise_20db", "crop_3s",
                                    "rate_48k"])
def test_the_mark_survives(attack):
    audio, rate = _attacked(attack)
    found = detect(audio, rate)
    assert found.watermarked
    # A payload that does not decode is None, never a different payload.
    assert found.payload in (None, PAYLOAD)


def test_stereo_keeps_its_shape_and_every_rate_works():
    audio, rate = speech()
    stereo = np.stack([audio, 0.5 * audio], axis=1).astype(np.float32)
    out = embed(stereo, rate, PAYLOAD)
    assert out.shape == stereo.shape and out.dtype == np.float32
    assert detect(out, rate).watermarked
    low = _to_rate(audio, rate, 8000)
    assert detect(embed(low, 8000, PAYLOAD), 8000).watermarked


def test_embedding_is_deterministic_and_silence_stays_silent():
    audio, rate = speech()
    assert np.array_equal(embed(audio, rate, PAYLOAD), marked())
    assert not np.any(embed(np.zeros(rate * 3), rate, PAYLOAD))


@pytest.mark.parametrize("audio, rate, problem", [
    (np.zeros(16000), 4000, "outside"),
    (np.array([np.nan] * 16000), 16000, "NaN"),
    (np.zeros((10, 2, 2)), 16000, "shape"),
    (np.zeros(0), 16000, "empty"),
    (np.zeros(16000, dtype=np.int16), 16000, "float"),
])
def test_bad_audio_is_refused_with_the_reason(audio, rate, problem):
    with pytest.raises(WatermarkInputError, match=problem):
        embed(audio, rate, PAYLOAD)


def test_bad_payloads_are_refused():
    with pytest.raises(WatermarkInputError, match="generator"):
        Payload("paint", datetime(2026, 1, 1, tzinfo=timezone.utc), "ab")
    with pytest.raises(WatermarkInputError, match="hexadecimal"):
        Payload("speak", datetime(2026, 1, 1, tzinfo=timezone.utc), "zz")
    with pytest.raises(WatermarkInputError, match="timezone"):
        Payload("speak", datetime(2026, 1, 1), "ab")
