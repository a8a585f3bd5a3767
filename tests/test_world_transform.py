"""WORLD prosody transform: each ProsodyTargets field is checked on a synthetic vowel, mostly
by re-analysing the output (what a listener or a recognizer would get), not by reading back
the parameters we set."""

import json

import numpy as np
import pytest
from scipy.signal import lfilter

from conditioning.prosody import ProsodyTargets
from synth.render.world_transform import (EDGE_PAUSE_MAX_S, OUTPUT_SAMPLE_RATE, PEAK_LIMIT, WorldFeatures,
                                          analyze, apply_prosody, apply_prosody_to_features, build_time_map,
                                          contour_offsets, spectral_tilt_gain_db, synthesize)

SR = 16000
FRAME_S = 0.005
PHONES = (("pau", 0.0, 0.1), ("aa", 0.1, 0.5), ("m", 0.5, 0.7), ("aa", 0.7, 1.1), ("pau", 1.1, 1.2))


def _resonators(x, formants):
    for freq, bandwidth in formants:
        r = np.exp(-np.pi * bandwidth / SR)
        a = [1.0, -2.0 * r * np.cos(2 * np.pi * freq / SR), r * r]
        x = lfilter([1.0 - r], a, x)
    return x


def _gate(t, start, end, ramp=0.01):
    """1 inside [start, end], 0 outside, raised-cosine edges."""
    up = np.clip((t - start) / ramp + 0.5, 0, 1)
    down = np.clip((end - t) / ramp + 0.5, 0, 1)
    return 0.5 - 0.5 * np.cos(np.pi * np.minimum(up, down))


def make_vowel():
    """1.2 s, F0 gliding 120 -> 140 Hz, a 1/k harmonic source (up to 7.5 kHz) through formant
    resonators: /a/ (700, 1220, 2600 Hz) and a weaker nasal /m/ (250, 1000, 2200 Hz); digital
    silence in the pauses (as TTS engines produce)."""
    t = np.arange(int(1.2 * SR)) / SR
    f0 = 120.0 + 20.0 * t / 1.2
    phase = np.cumsum(f0) / SR
    source = sum(np.sin(2 * np.pi * k * phase) / k * (k * f0 < 7500) for k in range(1, 63))
    aa = _resonators(source, [(700, 110), (1220, 90), (2600, 160)])
    m = _resonators(source, [(250, 60), (1000, 120), (2200, 200)])
    aa, m = aa / np.max(np.abs(aa)), m / np.max(np.abs(m))
    x = aa * (_gate(t, 0.1, 0.5) + _gate(t, 0.7, 1.1)) + 0.4 * m * _gate(t, 0.5, 0.7)
    x[(t < 0.09) | (t > 1.11)] = 0.0
    return (0.3 * x / np.max(np.abs(x))).astype(np.float32)


@pytest.fixture(scope="module")
def vowel():
    return make_vowel()


@pytest.fixture(scope="module")
def features(vowel):
    return analyze(vowel, SR)


@pytest.fixture(scope="module")
def neutral(features):
    return apply_prosody_to_features(features, PHONES, ProsodyTargets(), seed=0)


def _render(features, seed=0, contour="neutral", **targets):
    return apply_prosody_to_features(features, PHONES, ProsodyTargets(**targets), seed=seed, contour=contour)


def _interior_voiced_semitones(audio, start=0.2, end=1.0, time_scale=1.0):
    """Semitone F0 of re-analysed voiced frames away from voicing edges."""
    f0 = analyze(audio, OUTPUT_SAMPLE_RATE).f0
    t = np.arange(f0.size) * FRAME_S
    keep = (f0 > 0) & (t >= start * time_scale) & (t <= end * time_scale)
    return 12 * np.log2(f0[keep])


def _rms_db(audio):
    return 10 * np.log10(np.mean(np.asarray(audio, dtype=np.float64) ** 2))


@pytest.mark.parametrize("f0_method", ["dio", "harvest"])
def test_round_trip_keeps_duration_and_median_f0(vowel, features, f0_method):
    if f0_method != "dio":
        features = analyze(vowel, SR, f0_method=f0_method)
    assert features.sample_rate == OUTPUT_SAMPLE_RATE and features.spectral_envelope.shape == (241, 513)
    out = synthesize(features)
    assert out.dtype == np.float32
    assert len(out) == round(len(vowel) / SR * OUTPUT_SAMPLE_RATE)
    f0_in = np.median(features.f0[features.f0 > 0])
    assert abs(f0_in / 130.0 - 1) < 0.03  # the glide's median
    f0_out = analyze(out, OUTPUT_SAMPLE_RATE, f0_method=f0_method).f0
    assert abs(np.median(f0_out[f0_out > 0]) / f0_in - 1) < 0.03
    assert abs(_rms_db(out) - _rms_db(vowel)) < 1.0


def test_octave_shift_doubles_median_f0(vowel, neutral):
    result = apply_prosody(vowel, SR, PHONES, ProsodyTargets(f0_shift_semitones=12.0), seed=0)
    base = np.median(_interior_voiced_semitones(neutral.audio))
    shifted = np.median(_interior_voiced_semitones(result.audio))
    ratio = 2 ** ((shifted - base) / 12)
    assert abs(ratio - 2.0) <= 0.1, ratio
    assert result.applied["f0_median_out_hz"] == pytest.approx(2 * result.applied["f0_median_in_hz"], rel=1e-6)


def test_range_factor_two_doubles_f0_spread(features, neutral):
    wide = _render(features, f0_range_factor=2.0)
    base = np.std(_interior_voiced_semitones(neutral.audio))
    spread = np.std(_interior_voiced_semitones(wide.audio))
    assert base > 0.3  # the glide gives a measurable spread to double
    assert abs(spread / base - 2.0) <= 0.5, (spread, base)
    # the median is the pivot: it stays where it was
    assert abs(np.median(_interior_voiced_semitones(wide.audio))
               - np.median(_interior_voiced_semitones(neutral.audio))) < 0.5


def test_tempo_shortens_speech_and_pause_factor_lengthens_pauses(features, neutral):
    result = _render(features, tempo_factor=1.25, pause_factor=2.0)
    for (name, s0, e0), (name_out, s1, e1) in zip(PHONES, result.phones):
        assert name == name_out
        expected = (e0 - s0) * (2.0 if name == "pau" else 1 / 1.25)
        assert e1 - s1 == pytest.approx(expected, abs=1e-6)
    assert result.phones[0][1] == 0.0
    assert abs(result.phones[-1][2] - result.duration) <= FRAME_S
    assert result.duration == pytest.approx(0.2 + 1.0 / 1.25 + 0.2, abs=FRAME_S)
    # the audio really is faster: the voiced stretch (1.0 s in the input) lasts ~0.8 s
    voiced_idx = np.flatnonzero(analyze(result.audio, OUTPUT_SAMPLE_RATE).f0 > 0)
    base_idx = np.flatnonzero(analyze(neutral.audio, OUTPUT_SAMPLE_RATE).f0 > 0)
    voiced_span = (voiced_idx[-1] - voiced_idx[0]) * FRAME_S
    base_span = (base_idx[-1] - base_idx[0]) * FRAME_S
    assert abs(voiced_span / base_span - 0.8) < 0.05, (voiced_span, base_span)
    # voicing starts where the time map sends the input's voicing onset
    time_map = build_time_map(PHONES, 1.2, tempo_factor=1.25, pause_factor=2.0)
    assert abs(voiced_idx[0] * FRAME_S - time_map.to_output(base_idx[0] * FRAME_S)) <= 3 * FRAME_S


@pytest.mark.parametrize("targets", [
    dict(), dict(tempo_factor=0.7, pause_factor=0.5), dict(tempo_factor=1.6, pause_factor=3.0),
    dict(tempo_factor=1.13, pause_factor=1.37, f0_shift_semitones=-3, breathiness=1.0)])
def test_phone_times_match_output_length(features, targets):
    result = _render(features, **targets)
    assert len(result.audio) == round(result.applied["duration_out_s"] * OUTPUT_SAMPLE_RATE)
    assert abs(result.phones[-1][2] - len(result.audio) / OUTPUT_SAMPLE_RATE) <= FRAME_S
    assert abs(result.features.n_frames - 1 - result.duration / FRAME_S) <= 1
    starts_ends = [t for _, s, e in result.phones for t in (s, e)]
    assert np.all(np.diff(starts_ends) >= 0)


def test_edge_pauses_are_capped_but_internal_pauses_scale_fully():
    phones = (("pau", 0.05, 0.25), ("a", 0.25, 0.5), ("pau", 0.5, 0.7), ("b", 0.7, 0.9), ("sil", 0.9, 1.1),
              ("n", 1.15, 1.3), ("h#", 1.3, 1.4))
    time_map = build_time_map(phones, 1.5, tempo_factor=2.0, pause_factor=2.0)
    knots = (0.25, 0.5, 0.7, 0.9, 1.1, 1.15, 1.3, 1.5)
    durations = np.diff([0.0] + [float(time_map.to_output(t)) for t in knots])
    # leading silence (0.05 s uncovered + 0.2 s pau) grows only to the cap, not to 0.5 s
    np.testing.assert_allclose(durations, [EDGE_PAUSE_MAX_S, 0.125, 0.4, 0.1, 0.4, 0.025, 0.075, EDGE_PAUSE_MAX_S])
    #  internal pauses (0.2 s) double, speech and the gap between sil and n halve,
    #  trailing silence (0.1 s h# + 0.1 s uncovered) grows to the cap (0.3 s), not to 0.4 s
    assert time_map.output_duration == pytest.approx(sum(durations))
    short = build_time_map(phones, 1.5, tempo_factor=1.0, pause_factor=0.5)
    assert float(short.to_output(0.25)) == pytest.approx(0.125)  # edges shrink freely


def test_loudness_plus_6_db_raises_rms_by_6_db(features, neutral):
    louder = _render(features, loudness_db=6.0)
    gain = _rms_db(louder.audio) - _rms_db(neutral.audio)
    assert abs(gain - 6.0) <= 1.5, gain
    assert louder.applied["peak_normalisation_db"] == 0.0


def test_peak_is_limited_and_recorded(features):
    loud = _render(features, loudness_db=20.0)
    assert loud.audio.dtype == np.float32 and np.all(np.isfinite(loud.audio))
    assert np.max(np.abs(loud.audio)) <= PEAK_LIMIT + 1e-6
    assert loud.applied["peak_normalisation_db"] < 0
    assert loud.applied["total_gain_db"] == pytest.approx(20.0 + loud.applied["peak_normalisation_db"])
    # the returned features carry the limiting gain: they resynthesize to the returned audio
    np.testing.assert_allclose(synthesize(loud.features), loud.audio, atol=2e-3)


def _high_band_ratio(audio, cutoff=2000.0):
    power = np.abs(np.fft.rfft(np.asarray(audio, dtype=np.float64))) ** 2
    freqs = np.fft.rfftfreq(len(audio), 1 / OUTPUT_SAMPLE_RATE)
    return power[freqs > cutoff].sum() / power.sum()


def test_spectral_tilt_moves_high_band_energy(features, neutral):
    gain = spectral_tilt_gain_db(np.array([250.0, 500.0, 1000.0, 4000.0, 8000.0]), 6.0)
    np.testing.assert_allclose(gain, [0.0, 0.0, 2.0, 6.0, 6.0])
    base = _high_band_ratio(neutral.audio)
    brighter = _high_band_ratio(_render(features, spectral_tilt_db=6.0).audio)
    darker = _high_band_ratio(_render(features, spectral_tilt_db=-6.0).audio)
    assert brighter > 1.5 * base and darker < base / 1.5, (darker, base, brighter)


def test_breathiness_raises_aperiodicity_and_full_breathiness_whispers(features, neutral):
    breathy = _render(features, breathiness=0.5)
    voiced = breathy.features.f0 > 0
    assert voiced.any()
    assert breathy.features.aperiodicity[voiced].mean() > neutral.features.aperiodicity[voiced].mean() + 0.2
    whisper = _render(features, breathiness=1.0)
    assert whisper.applied["whisper"] is True
    assert not np.any(whisper.features.f0 > 0)
    assert int(np.sum(analyze(neutral.audio, OUTPUT_SAMPLE_RATE).f0 > 0)) > 150  # the 1 s vowel is voiced
    assert int(np.sum(analyze(whisper.audio, OUTPUT_SAMPLE_RATE).f0 > 0)) == 0
    assert _rms_db(whisper.audio) < _rms_db(neutral.audio)


def test_jitter_increases_frame_to_frame_f0_variation(features, neutral):
    def variation(audio):
        f0 = analyze(audio, OUTPUT_SAMPLE_RATE).f0
        both = (f0[1:] > 0) & (f0[:-1] > 0)
        return np.mean(np.abs(np.diff(12 * np.log2(np.maximum(f0, 1.0))))[both])

    calm, jittery = variation(neutral.audio), variation(_render(features, jitter=0.03).audio)
    assert jittery > 2 * calm, (calm, jittery)


def test_same_seed_is_identical_and_another_seed_differs(features):
    targets = dict(jitter=0.02, shimmer=0.05, breathiness=0.3, f0_shift_semitones=2.0)
    a, b = _render(features, seed=7, **targets), _render(features, seed=7, **targets)
    assert np.array_equal(a.audio, b.audio)
    assert a.phones == b.phones
    c = _render(features, seed=8, **targets)
    assert not np.array_equal(a.audio, c.audio)


def test_contours_shape_the_melody(features):
    f0 = features.f0
    rising, falling, arched = (contour_offsets(f0, c, 5.0) for c in ("rising", "falling", "arched"))
    voiced_idx = np.flatnonzero(f0 > 0)
    first, last, mid = voiced_idx[0], voiced_idx[-1], voiced_idx[len(voiced_idx) // 2]
    assert rising[last] == pytest.approx(5.0) and rising[first] == 0.0 and np.all(np.diff(rising[voiced_idx]) >= 0)
    assert falling[last] == pytest.approx(-4.0) and falling[mid] == 0.0
    assert arched[mid] == pytest.approx(3.0, abs=0.05) and arched[first] == arched[last] == 0.0
    assert not np.any(contour_offsets(f0, "neutral", 5.0))
    question = apply_prosody_to_features(features, PHONES, ProsodyTargets(), seed=0, contour="rising")
    end = np.flatnonzero(question.features.f0 > 0)[-1]
    assert question.features.f0[end] / features.f0[end] == pytest.approx(2 ** (5 / 12), rel=1e-6)


def test_output_is_safe_float32(features):
    result = _render(features, f0_shift_semitones=12, f0_range_factor=3.0, loudness_db=12, spectral_tilt_db=12,
                     jitter=0.05, shimmer=0.1, tempo_factor=2.0, contour="arched")
    assert result.audio.dtype == np.float32
    assert np.all(np.isfinite(result.audio)) and np.max(np.abs(result.audio)) <= 1.0
    assert isinstance(result.features, WorldFeatures)
    assert json.loads(json.dumps(result.applied))["contour"] == "arched"


@pytest.mark.parametrize("audio, phones, message", [
    (np.zeros(0, dtype=np.float32), PHONES, "empty"),
    (np.full(SR, np.nan, dtype=np.float32), PHONES, "NaN"),
    ("vowel", (("pau", 0.0, 0.1), ("aa", 0.3, 0.2)), "increase"),
    ("vowel", (("pau", 0.0, 0.5), ("aa", 0.3, 0.9)), "increase"),
    ("vowel", (("aa", 0.0, 2.5),), "after the audio ends"),
    ("vowel", (), "empty"),
    (np.zeros((SR, 2), dtype=np.float32), PHONES, "mono"),
    (np.zeros(SR, dtype=np.float32), PHONES, "silent"),
])
def test_bad_input_raises_clear_errors(vowel, audio, phones, message):
    audio = vowel if isinstance(audio, str) else audio
    with pytest.raises(ValueError, match=message):
        apply_prosody(audio, SR, phones, ProsodyTargets(), seed=0)


def test_bad_targets_and_options_raise(vowel):
    with pytest.raises(ValueError, match="tempo_factor"):
        apply_prosody(vowel, SR, PHONES, ProsodyTargets(tempo_factor=-1.0), seed=0)
    with pytest.raises(ValueError, match="breathiness"):
        apply_prosody(vowel, SR, PHONES, ProsodyTargets(breathiness=1.5), seed=0)
    with pytest.raises(ValueError, match="contour"):
        apply_prosody(vowel, SR, PHONES, ProsodyTargets(), seed=0, contour="sideways")
    with pytest.raises(ValueError, match="sample_rate"):
        apply_prosody(vowel, 0, PHONES, ProsodyTargets(), seed=0)
    with pytest.raises(ValueError, match="f0_method"):
        analyze(vowel, SR, f0_method="yin")
