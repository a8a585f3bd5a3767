"""Waveform augmentation: each transform is checked by measuring its output (level, SNR,
spectrum, duration, pitch, decay), then augment's contract and input validation."""

import json

import numpy as np
import pytest
from scipy import signal

from train.audio_augment import (NOISE_COLOURS, TRANSFORM_ORDER, AugmentConfig, add_noise, apply_gain,
                                 augment, band_limit, change_tempo, hard_clip, resample_roundtrip,
                                 replay, reverberate, roughen_voice, roughness_ranges, shift_pitch, shift_voice,
                                 tilt_spectrum)

SR = 16000
ALWAYS = AugmentConfig(**{f"{name}_probability": 1.0 for name in TRANSFORM_ORDER})
NEVER = AugmentConfig(**{f"{name}_probability": 0.0 for name in TRANSFORM_ORDER})


def _time(seconds, rate=SR):
    return np.arange(int(round(seconds * rate))) / rate


def _harmonic(f0, seconds, rate=SR, harmonics=6):
    """A 1/k harmonic tone: the fundamental is its strongest partial."""
    t = _time(seconds, rate)
    x = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, harmonics + 1))
    return (0.4 * x / np.max(np.abs(x))).astype(np.float32)


def _speechlike(seconds=1.0, seed=0):
    """Harmonic vowel-ish tone with a syllable-rate envelope plus a little breath noise."""
    rng = np.random.default_rng(seed)
    t = _time(seconds)
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t) ** 2
    return (_harmonic(140, seconds) * envelope + 0.01 * rng.standard_normal(t.size)).astype(np.float32)


def _power_db(x):
    return 10 * np.log10(np.mean(np.square(x, dtype=np.float64)))


def _tone_amplitude(x, freq, rate=SR):
    """Lock-in amplitude of one sinusoid (over the second half, past filter transients)."""
    x = np.asarray(x, np.float64)[len(x) // 2:]
    t = (np.arange(x.size) + len(x)) / rate
    return 2 * abs(np.mean(x * np.exp(-2j * np.pi * freq * t)))


def _band_power(x, rate, low, high):
    freqs, psd = signal.welch(x, rate, nperseg=1024)
    return np.sum(psd[(freqs >= low) & (freqs <= high)])


def _peak_frequency(x, rate, low=100.0, high=400.0):
    """Strongest spectral peak in [low, high], refined by parabolic interpolation."""
    n = 1 << 18
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size), n))
    freqs = np.fft.rfftfreq(n, 1 / rate)
    band = np.flatnonzero((freqs >= low) & (freqs <= high))
    k = band[np.argmax(spectrum[band])]
    a, b, c = np.log(spectrum[k - 1: k + 2])
    return freqs[k] + 0.5 * (a - c) / (a - 2 * b + c) * (freqs[1] - freqs[0])


# --- determinism ------------------------------------------------------------------------

@pytest.mark.parametrize("config", [AugmentConfig(), ALWAYS], ids=["default", "always"])
def test_augment_is_deterministic_for_a_seed(config):
    x = _speechlike()
    for seed in range(4):
        out1, applied1 = augment(x, SR, np.random.default_rng(seed), config)
        out2, applied2 = augment(x, SR, np.random.default_rng(seed), config)
        np.testing.assert_array_equal(out1, out2)
        assert applied1 == applied2
    out_a, _ = augment(x, SR, np.random.default_rng(1), ALWAYS)
    out_b, _ = augment(x, SR, np.random.default_rng(2), ALWAYS)
    assert out_a.shape != out_b.shape or not np.array_equal(out_a, out_b)


def test_replay_repeats_the_drawn_transforms_on_other_audio():
    """A speaker reference goes through the item's own speaker and channel transforms."""
    x = _speechlike(seed=0)
    deterministic = AugmentConfig(**{f"{name}_probability": float(name in ("pitch_shift", "tilt", "gain", "band_limit"))
                                     for name in TRANSFORM_ORDER})
    out, applied = augment(x, SR, np.random.default_rng(3), deterministic)
    assert set(applied) >= {"pitch_shift", "tilt", "gain"}
    np.testing.assert_allclose(replay(x, SR, applied, np.random.default_rng(99)), out, atol=1e-6)
    other = _speechlike(seconds=0.7, seed=1)
    moved = replay(other, SR, applied, np.random.default_rng(99))
    assert moved.shape == other.shape and moved.dtype == np.float32
    assert abs(_power_db(moved) - _power_db(replay(other, SR, {}, np.random.default_rng(0)))) > 0.5


def test_replay_of_every_transform_keeps_the_contract_and_names_unknown_ones():
    x = _speechlike()
    _, applied = augment(x, SR, np.random.default_rng(5), ALWAYS)
    other = _speechlike(seconds=0.8, seed=2)
    moved = replay(other, SR, applied, np.random.default_rng(0))
    assert moved.dtype == np.float32 and np.all(np.isfinite(moved)) and np.max(np.abs(moved)) <= 1.0
    with pytest.raises(ValueError, match="wobble"):
        replay(other, SR, {"wobble": {}}, np.random.default_rng(0))


# --- the transforms, one by one ---------------------------------------------------------

@pytest.mark.parametrize("gain_db", [-12.0, -3.5, 0.0, 6.0])
def test_gain_changes_rms_by_the_asked_db(gain_db):
    x = _speechlike()
    out = apply_gain(x, SR, gain_db)
    assert out.dtype == np.float32 and out.shape == x.shape
    assert _power_db(out) - _power_db(x) == pytest.approx(gain_db, abs=0.01)


@pytest.mark.parametrize("colour", NOISE_COLOURS)
@pytest.mark.parametrize("snr_db", [5.0, 20.0, 35.0])
def test_add_noise_reaches_the_asked_snr(colour, snr_db):
    x = _speechlike()
    out = add_noise(x, SR, snr_db, colour, np.random.default_rng(3))
    assert out.dtype == np.float32 and out.shape == x.shape
    noise = out.astype(np.float64) - x
    assert _power_db(x) - _power_db(noise) == pytest.approx(snr_db, abs=1.0)


@pytest.mark.parametrize("colour, slope, tolerance", [("white", 0.0, 0.15), ("pink", -1.0, 0.2),
                                                      ("brown", -2.0, 0.25)])
def test_noise_colour_sets_the_spectral_slope(colour, slope, tolerance):
    """Power ~ f^slope on a log-log fit over 100 Hz-4 kHz: pink and brown slope downwards."""
    x = _harmonic(440, 4.0)
    noise = add_noise(x, SR, 0.0, colour, np.random.default_rng(5)).astype(np.float64) - x
    freqs, psd = signal.welch(noise, SR, nperseg=2048)
    band = (freqs >= 100) & (freqs <= 4000)
    fitted = np.polyfit(np.log10(freqs[band]), np.log10(psd[band]), 1)[0]
    assert fitted == pytest.approx(slope, abs=tolerance)


def test_add_noise_leaves_silence_alone():
    out = add_noise(np.zeros(SR, np.float32), SR, 10.0, "pink", np.random.default_rng(0))
    assert not out.any()


@pytest.mark.parametrize("via_rate", [8000, 11025, 12000])
def test_resample_roundtrip_removes_energy_above_half_the_via_rate(via_rate):
    x = (0.1 * np.random.default_rng(0).standard_normal(2 * SR)).astype(np.float32)
    out = resample_roundtrip(x, SR, via_rate)
    assert out.dtype == np.float32 and out.shape == x.shape
    cutoff = via_rate / 2
    above = _band_power(out, SR, 1.1 * cutoff, 7900) / _band_power(x, SR, 1.1 * cutoff, 7900)
    below = _band_power(out, SR, 100, 0.8 * cutoff) / _band_power(x, SR, 100, 0.8 * cutoff)
    assert 10 * np.log10(above) < -30
    assert abs(10 * np.log10(below)) < 0.5
    # A tone just above the cutoff neither survives nor aliases back below it.
    tone = (0.5 * np.sin(2 * np.pi * 1.08 * cutoff * _time(1.0))).astype(np.float32)
    residue = resample_roundtrip(tone, SR, via_rate)[SR // 4: -SR // 4]
    assert _power_db(residue) - _power_db(tone) < -40


def test_band_limit_attenuates_out_of_band_tones():
    t = _time(1.0)
    tones = {60.0: 0.3, 1000.0: 0.3, 6500.0: 0.3}
    x = sum(a * np.sin(2 * np.pi * f * t) for f, a in tones.items()).astype(np.float32)
    out = band_limit(x, SR, 300.0, 3400.0)
    assert out.dtype == np.float32 and out.shape == x.shape
    change_db = {f: 20 * np.log10(_tone_amplitude(out, f) / a) for f, a in tones.items()}
    assert abs(change_db[1000.0]) < 1.0
    assert change_db[60.0] < -20 and change_db[6500.0] < -20
    # A high edge at Nyquist leaves a high-pass.
    high_passed = band_limit(x, SR, 300.0, SR / 2)
    assert _tone_amplitude(high_passed, 6500.0) == pytest.approx(0.3, rel=0.05)
    assert _tone_amplitude(high_passed, 60.0) < 0.03


def test_hard_clip_limits_samples_and_restores_the_peak():
    x = (0.8 * np.sin(2 * np.pi * 200 * _time(0.5))).astype(np.float32)
    out = hard_clip(x, 0.5)
    assert out.dtype == np.float32 and out.shape == x.shape
    peak = np.max(np.abs(x))
    assert np.max(np.abs(out)) == pytest.approx(peak, rel=1e-6)
    # A sine spends 2/3 of its time above half its peak: all of that is now flat-topped.
    assert np.mean(np.abs(out) >= peak * (1 - 1e-5)) == pytest.approx(2 / 3, abs=0.02)
    np.testing.assert_allclose(out, np.clip(x, -0.5 * peak, 0.5 * peak) / 0.5, rtol=1e-6)
    assert not hard_clip(np.zeros(100, np.float32), 0.3).any()


@pytest.mark.parametrize("factor", [0.9, 0.95, 1.05, 1.1])
def test_change_tempo_changes_duration_and_keeps_pitch(factor):
    """A 220 Hz tone, a pause, a second tone: the pause end moves by the factor, the
    pitch stays, and the steady part stays a clean harmonic tone (no splice garbage)."""
    gap_end = 0.9
    x = np.concatenate([_harmonic(220, 0.6), np.zeros(int(0.3 * SR), np.float32), _harmonic(220, 1.1)])
    out = change_tempo(x, SR, factor)
    assert out.dtype == np.float32
    assert len(out) / SR == pytest.approx(len(x) / SR / factor, rel=0.02)
    envelope = np.convolve(np.abs(out), np.ones(80) / 80, "same")
    onset = np.flatnonzero(envelope[int(0.7 * SR / factor):] > 0.05)[0] / SR + 0.7 / factor
    assert onset == pytest.approx(gap_end / factor, rel=0.02)
    steady = out[int((gap_end + 0.1) / factor * SR): int((len(x) / SR - 0.1) / factor * SR)]
    assert _peak_frequency(steady, SR) == pytest.approx(220, rel=0.02)
    freqs, psd = signal.welch(steady, SR, nperseg=4096)
    near_harmonics = np.abs(freqs / 220 - np.rint(freqs / 220)) * 220 < 15
    assert psd[near_harmonics].sum() / psd.sum() > 0.99


def test_change_tempo_unit_factor_and_short_input():
    x = _speechlike(0.2)
    np.testing.assert_array_equal(change_tempo(x, SR, 1.0), x)
    assert len(change_tempo(x[:50], SR, 1.1)) == round(50 / 1.1)


@pytest.mark.parametrize("rt60", [0.3, 0.8])
def test_reverberate_decays_a_click_at_the_asked_rt60(rt60):
    """Energy after a click, in 10 ms blocks, falls 60 dB per RT60 (fit between 50 ms and
    0.6 RT60, past the early reflections)."""
    click_at = int(0.1 * SR)
    x = np.zeros(2 * SR, np.float32)
    x[click_at] = 1.0
    out = reverberate(x, SR, rt60, np.random.default_rng(11), wet=0.7)
    assert out.dtype == np.float32 and out.shape == x.shape
    assert _power_db(out) == pytest.approx(_power_db(x), abs=0.01)
    block = SR // 100
    tail = out[click_at + int(0.05 * SR): click_at + int(0.6 * rt60 * SR)].astype(np.float64)
    energy_db = 10 * np.log10(np.mean(tail[: tail.size // block * block].reshape(-1, block) ** 2, axis=1))
    slope = np.polyfit(np.arange(energy_db.size) * block / SR, energy_db, 1)[0]
    assert -60 / slope == pytest.approx(rt60, rel=0.2)
    assert np.max(np.abs(out[click_at + int(0.9 * rt60 * SR):])) < 1e-3 * np.max(np.abs(out))


@pytest.mark.parametrize("transform", [
    lambda x: apply_gain(x, SR, -3.0),
    lambda x: add_noise(x, SR, 10.0, "brown", np.random.default_rng(0)),
    lambda x: reverberate(x, SR, 0.5, np.random.default_rng(0)),
    lambda x: resample_roundtrip(x, SR, 11025),
    lambda x: band_limit(x, SR, 100.0, 5000.0),
    lambda x: hard_clip(x, 0.4),
    lambda x: tilt_spectrum(x, SR, -4.0, 1500.0),
], ids=["gain", "noise", "reverb", "resample", "band", "clip", "tilt"])
def test_transforms_keep_length_return_float32_and_leave_the_input_alone(transform):
    x = _speechlike(0.5).astype(np.float64)
    before = x.copy()
    out = transform(x)
    assert out.dtype == np.float32 and out.shape == x.shape and np.isfinite(out).all()
    np.testing.assert_array_equal(x, before)


# --- augment ----------------------------------------------------------------------------

def _check_applied(applied, config, x_len, out_len):
    names = list(applied)
    transforms = [n for n in names if n != "peak_limit"]
    assert transforms == [n for n in TRANSFORM_ORDER if n in applied]
    assert "peak_limit" not in names or names[-1] == "peak_limit"
    json.dumps(applied)
    expected_len = round(x_len / applied["tempo"]["factor"]) if "tempo" in applied else x_len
    assert out_len == expected_len
    ranges = {("tempo", "factor"): config.tempo_factor, ("reverb", "rt60_s"): config.reverb_rt60_s,
              ("band_limit", "low_hz"): config.band_low_hz, ("band_limit", "high_hz"): config.band_high_hz,
              ("clip", "level"): config.clip_level, ("noise", "snr_db"): config.noise_snr_db,
              ("gain", "db"): config.gain_db, ("tilt", "db"): config.tilt_db}
    for (name, key), (low, high) in ranges.items():
        if name in applied:
            assert low <= applied[name][key] <= high
    if "resample" in applied:
        assert applied["resample"]["via_rate"] in config.resample_rates
    if "noise" in applied:
        assert applied["noise"]["colour"] in NOISE_COLOURS


@pytest.mark.parametrize("config", [AugmentConfig(), ALWAYS], ids=["default", "always"])
def test_augment_output_contract(config):
    seen = set()
    for seed in range(12):
        x = _speechlike(0.7, seed) * (3.0 if seed % 4 == 0 else 1.0)  # some inputs too loud
        out, applied = augment(x, SR, np.random.default_rng(seed), config)
        assert out.dtype == np.float32 and out.ndim == 1
        assert np.isfinite(out).all() and np.max(np.abs(out)) <= 1.0
        _check_applied(applied, config, len(x), len(out))
        seen.update(applied)
    if config is ALWAYS:
        assert set(TRANSFORM_ORDER) <= seen and "peak_limit" in seen


def test_augment_with_nothing_to_apply_returns_a_copy():
    x = _speechlike()
    out, applied = augment(x, SR, np.random.default_rng(0), NEVER)
    assert applied == {}
    np.testing.assert_array_equal(out, x)
    assert out is not x


def test_augment_skips_what_the_rate_cannot_take():
    """At 8 kHz there is no listed rate to go down to."""
    x = _speechlike(0.5)[::2].copy()
    for seed in range(5):
        out, applied = augment(x, 8000, np.random.default_rng(seed), ALWAYS)
        assert "resample" not in applied and np.isfinite(out).all()


# --- validation -------------------------------------------------------------------------

GOOD = _speechlike(0.1)


@pytest.mark.parametrize("call, problem", [
    (lambda: augment(GOOD[None, :], SR, np.random.default_rng(0)), "1-D"),
    (lambda: augment(np.array([0.1, np.nan], np.float32), SR, np.random.default_rng(0)), "NaN"),
    (lambda: augment(np.array([0.1, np.inf]), SR, np.random.default_rng(0)), "NaN or inf"),
    (lambda: augment(np.zeros(0, np.float32), SR, np.random.default_rng(0)), "empty"),
    (lambda: augment(np.zeros(10, np.int16), SR, np.random.default_rng(0)), "floating point"),
    (lambda: augment(GOOD, 0, np.random.default_rng(0)), "sample rate"),
    (lambda: augment(GOOD, 16000.5, np.random.default_rng(0)), "sample rate"),
    (lambda: augment(GOOD, -8000, np.random.default_rng(0)), "sample rate"),
    (lambda: AugmentConfig(gain_probability=1.5), "gain_probability"),
    (lambda: AugmentConfig(noise_probability=-0.1), "noise_probability"),
    (lambda: AugmentConfig(gain_db=(6.0, -12.0)), "low > high"),
    (lambda: AugmentConfig(band_high_hz=(7500.0, 2800.0)), "band_high_hz"),
    (lambda: AugmentConfig(tempo_factor=(0.0, 1.1)), "tempo_factor"),
    (lambda: AugmentConfig(clip_level=(0.2, 1.5)), "clip_level"),
    (lambda: AugmentConfig(resample_rates=(8000, 0)), "resample_rates"),
    (lambda: change_tempo(GOOD, SR, 0.0), "tempo factor"),
    (lambda: change_tempo(GOOD, SR, -1.2), "tempo factor"),
    (lambda: band_limit(GOOD, SR, 3000.0, 300.0), "low_hz < high_hz"),
    (lambda: hard_clip(GOOD, 0.0), "clip level"),
    (lambda: add_noise(GOOD, SR, 10.0, "purple", np.random.default_rng(0)), "colour"),
    (lambda: add_noise(GOOD, SR, float("nan"), "pink", np.random.default_rng(0)), "snr_db"),
    (lambda: resample_roundtrip(GOOD, SR, SR), "via_rate"),
    (lambda: reverberate(GOOD, SR, 0.0, np.random.default_rng(0)), "rt60_s"),
    (lambda: tilt_spectrum(GOOD, SR, 3.0, 8000.0), "corner_hz must be below Nyquist"),
    (lambda: tilt_spectrum(GOOD, SR, float("nan"), 1000.0), "gain_db"),
])
def test_bad_inputs_raise_value_errors_naming_the_problem(call, problem):
    with pytest.raises(ValueError, match=problem):
        call()


@pytest.mark.parametrize("gain_db", [-6.0, 3.0, 6.0])
def test_tilt_spectrum_moves_the_highs_and_keeps_the_lows(gain_db):
    t = np.arange(2 * SR) / SR
    low, high = 150.0, 6000.0
    x = (0.2 * np.sin(2 * np.pi * low * t) + 0.2 * np.sin(2 * np.pi * high * t)).astype(np.float32)
    y = tilt_spectrum(x, SR, gain_db, 1500.0)
    def change(f):
        return 20 * np.log10(_tone_amplitude(y, f) / _tone_amplitude(x, f))
    assert change(low) == pytest.approx(0.0, abs=0.3)
    assert change(high) == pytest.approx(gain_db, abs=0.5)
    np.testing.assert_array_equal(tilt_spectrum(x, SR, 0.0, 1500.0), x)


@pytest.mark.parametrize("semitones", [-4.0, -1.5, 2.0, 4.0])
def test_shift_voice_moves_pitch_and_keeps_length(semitones):
    x = _harmonic(150.0, 2.0)
    y, applied = shift_voice(x, SR, semitones)
    assert len(y) == pytest.approx(len(x), rel=0.01)
    assert applied == pytest.approx(semitones, abs=0.1)  # the ratio is a small fraction
    measured = 12 * np.log2(_peak_frequency(y, SR) / 150.0)
    assert measured == pytest.approx(applied, abs=0.15)


def test_shift_voice_moves_formants_too():
    """A resonance (a formant) moves with the pitch: the spectral envelope is scaled."""
    rng = np.random.default_rng(0)
    noise = rng.standard_normal(2 * SR)
    b, a = signal.iirpeak(1000.0, 8.0, SR)
    x = (0.1 * signal.lfilter(b, a, noise)).astype(np.float32)
    y, applied = shift_voice(x, SR, 3.0)
    def centroid(z):
        return _band_power(z, SR, 1000, 1400) / _band_power(z, SR, 700, 1000)
    assert centroid(y) > 1.5 * centroid(x)


def _formant_vowel(f0, seconds=2.0, formant_hz=1000.0):
    """A pulse train through one resonance: harmonics of f0 under a formant."""
    n = int(seconds * SR)
    pulses = np.zeros(n)
    pulses[:: int(round(SR / f0))] = 1.0
    b, a = signal.iirpeak(formant_hz, 5.0, SR)
    x = signal.lfilter(b, a, pulses)
    return (0.3 * x / np.max(np.abs(x))).astype(np.float32)


def _spectral_centroid(x, low=400.0, high=2500.0):
    freqs, psd = signal.welch(x, SR, nperseg=2048)
    band = (freqs >= low) & (freqs <= high)
    return np.sum(freqs[band] * psd[band]) / np.sum(psd[band])


@pytest.mark.parametrize("semitones", [-3.0, 3.0])
def test_shift_pitch_moves_pitch_and_keeps_formants_length_and_level(semitones):
    x = _formant_vowel(125.0)
    y, applied = shift_pitch(x, SR, semitones)
    assert y.dtype == np.float32 and y.shape == x.shape and np.isfinite(y).all()
    assert applied == pytest.approx(semitones, abs=0.1)
    measured = 12 * np.log2(_peak_frequency(y, SR, 80.0, 200.0) / _peak_frequency(x, SR, 80.0, 200.0))
    assert measured == pytest.approx(applied, abs=0.2)
    moved_too, _ = shift_voice(x, SR, semitones)
    def formant_move(z):
        return abs(np.log(_spectral_centroid(z) / _spectral_centroid(x)))
    assert formant_move(y) < 0.35 * formant_move(moved_too)
    assert _power_db(y) == pytest.approx(_power_db(x), abs=0.1)


def _phase_and_level(x, f0):
    """A tone's phase deviation from steady (rad) and its level (dB), away from the edges."""
    analytic = signal.hilbert(np.asarray(x, np.float64))[SR // 10: -SR // 10]
    t = (np.arange(analytic.size) + SR // 10) / SR
    phase = np.unwrap(np.angle(analytic * np.exp(-2j * np.pi * f0 * t)))
    return phase - phase.mean(), 20 * np.log10(np.abs(analytic))


def test_roughen_voice_jitter_moves_the_timing_by_the_requested_amount():
    x = (0.3 * np.sin(2 * np.pi * 200.0 * _time(2.0))).astype(np.float32)
    y = roughen_voice(x, SR, 0.3, 0.0, 300.0, np.random.default_rng(0))
    phase, level = _phase_and_level(y, 200.0)
    assert np.std(phase) == pytest.approx(2 * np.pi * 200.0 * 0.0003, rel=0.25)
    assert np.std(level) < 0.6  # timing only: far below the 1.5 dB of the shimmer test below


def test_roughen_voice_shimmer_wobbles_the_level_by_the_requested_amount():
    x = (0.3 * np.sin(2 * np.pi * 200.0 * _time(2.0))).astype(np.float32)
    y = roughen_voice(x, SR, 0.0, 1.5, 300.0, np.random.default_rng(0))
    phase, level = _phase_and_level(y, 200.0)
    assert np.std(level) == pytest.approx(1.5, rel=0.25)
    assert np.std(phase) < 0.02


def test_roughen_voice_aspiration_sits_above_2khz_and_follows_the_speech():
    x = _harmonic(150.0, 2.0, harmonics=4)  # nothing above 600 Hz
    x[SR:] = 0.0  # the second second is silence
    y = roughen_voice(x, SR, 0.0, 0.0, 20.0, np.random.default_rng(0))
    voiced, silent = y[SR // 10: 9 * SR // 10], y[11 * SR // 10:]
    breath_db = 10 * np.log10(_band_power(voiced, SR, 2500, 7000) / _band_power(voiced, SR, 100, 700))
    assert -35.0 < breath_db < -15.0
    assert np.max(np.abs(silent)) < 1e-3


def test_roughen_voice_keeps_length_level_and_repeats_for_a_seed():
    x = _speechlike(1.0)
    y = roughen_voice(x, SR, 0.2, 1.0, 15.0, np.random.default_rng(3))
    assert y.dtype == np.float32 and y.shape == x.shape and np.isfinite(y).all()
    assert _power_db(y) == pytest.approx(_power_db(x), abs=0.01)
    np.testing.assert_array_equal(y, roughen_voice(x, SR, 0.2, 1.0, 15.0, np.random.default_rng(3)))
    with pytest.raises(ValueError, match="jitter_ms"):
        roughen_voice(x, SR, -0.1, 1.0, 15.0, np.random.default_rng(3))
    with pytest.raises(ValueError, match="roughness_shimmer_db"):
        AugmentConfig(roughness_shimmer_db=(-1.0, 1.0))


def test_roughness_strength_scales_the_drawn_roughness_from_clean_to_the_roughest():
    roughest = AugmentConfig()
    assert roughness_ranges(1.0) == {"roughness_jitter_ms": roughest.roughness_jitter_ms,
                                     "roughness_shimmer_db": roughest.roughness_shimmer_db,
                                     "roughness_aspiration_snr_db": roughest.roughness_aspiration_snr_db}
    half = AugmentConfig(roughness_probability=1.0, **roughness_ranges(0.5))
    assert half.roughness_jitter_ms == pytest.approx((0.0, 0.15))
    assert half.roughness_shimmer_db == pytest.approx((0.0, 0.75))
    assert half.roughness_aspiration_snr_db == pytest.approx((25.0, 40.0))
    for strength in (0.0, -0.5, 1.5):
        with pytest.raises(ValueError, match="roughness strength"):
            roughness_ranges(strength)


def test_shift_pitch_by_nothing_returns_a_copy():
    x = _formant_vowel(125.0, 0.5)
    y, applied = shift_pitch(x, SR, 0.0)
    assert applied == 0.0 and y is not x
    np.testing.assert_array_equal(y, x)
