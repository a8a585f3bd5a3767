"""What a recording channel does to speech: level, background noise, rooms, narrow bands
and sample rates, a brighter or darker microphone, an overdriven input stage."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import signal

from .checks import check_audio, check_finite, check_positive, check_rate, match_rms

NOISE_COLOURS = ("white", "pink", "brown")
# Below 20 Hz coloured noise is inaudible rumble that would still count in the SNR.
NOISE_FLOOR_HZ = 20.0
EARLY_REFLECTION_S = (0.003, 0.04)
EARLY_REFLECTION_GAIN = (0.1, 0.5)
EARLY_REFLECTION_COUNT = (3, 8)
RESAMPLE_ZERO_CROSSINGS = 20
RESAMPLE_CUTOFF = 0.92  # of the lower rate's Nyquist
BAND_ORDER = 4
# A band edge this close to Nyquist removes nothing the recording contains.
MAX_CUTOFF_FRACTION = 0.99


def apply_gain(audio: np.ndarray, sample_rate: int, gain_db: float) -> np.ndarray:
    """Scale by ``gain_db`` decibels (no limiting: :func:`augment` limits the peak)."""
    x = check_audio(audio)
    check_rate(sample_rate)
    return (x * np.float32(10.0 ** (check_finite("gain_db", gain_db) / 20.0))).astype(np.float32)


def add_noise(audio: np.ndarray, sample_rate: int, snr_db: float, colour: str,
              rng: np.random.Generator) -> np.ndarray:
    """Add white, pink (power ~ 1/f) or brown (~ 1/f^2) noise at ``snr_db`` over the whole
    clip. Silence has no SNR and is returned unchanged."""
    x = check_audio(audio)
    rate = check_rate(sample_rate)
    snr_db = check_finite("snr_db", snr_db)
    if colour not in NOISE_COLOURS:
        raise ValueError(f"noise colour must be one of {NOISE_COLOURS}, got {colour!r}")
    noise = _coloured_noise(x.size, rate, colour, rng)
    signal_power = float(np.mean(np.square(x, dtype=np.float64)))
    noise_power = float(np.mean(np.square(noise)))
    if signal_power == 0.0 or noise_power == 0.0:
        return x.copy()
    scale = math.sqrt(signal_power / (noise_power * 10.0 ** (snr_db / 10.0)))
    return (x + scale * noise).astype(np.float32)


def _coloured_noise(n: int, rate: int, colour: str, rng: np.random.Generator) -> np.ndarray:
    if colour == "white":
        return rng.standard_normal(n)
    # Shaping a random spectrum costs one inverse FFT; amplitude ~ f^-1/2 gives pink power.
    exponent = 0.5 if colour == "pink" else 1.0
    freqs = np.fft.rfftfreq(n, 1.0 / rate)
    spectrum = rng.standard_normal(freqs.size) + 1j * rng.standard_normal(freqs.size)
    spectrum *= np.maximum(freqs, NOISE_FLOOR_HZ) ** -exponent
    spectrum[0] = 0.0
    return np.fft.irfft(spectrum, n)


def reverberate(audio: np.ndarray, sample_rate: int, rt60_s: float, rng: np.random.Generator,
                wet: float = 0.5) -> np.ndarray:
    """Convolve with a synthetic room impulse response (see :func:`room_impulse_response`)
    and mix ``wet`` of it with ``1 - wet`` of the dry signal. Same length and RMS as the
    input: the tail past the end is cut, as a recording would be."""
    x = check_audio(audio)
    rate = check_rate(sample_rate)
    if not 0.0 <= check_finite("wet", wet) <= 1.0:
        raise ValueError(f"wet must lie in [0, 1], got {wet!r}")
    rir = room_impulse_response(rate, rt60_s, rng).astype(np.float32)
    reverberant = signal.oaconvolve(x, rir)[: x.size]
    return match_rms((1.0 - wet) * x + wet * reverberant, x)


def room_impulse_response(sample_rate: int, rt60_s: float, rng: np.random.Generator) -> np.ndarray:
    """Direct path (1.0), sometimes a few early reflections, and a Gaussian-noise tail whose
    energy falls 60 dB in ``rt60_s`` (the RT60 definition) and equals the direct path's."""
    rate = check_rate(sample_rate)
    rt60_s = check_positive("rt60_s", rt60_s)
    n = max(2, int(rt60_s * rate))  # by rt60 the tail is 60 dB down: cutting it there is inaudible
    t = np.arange(n) / rate
    envelope = np.exp(-3.0 * math.log(10.0) * t / rt60_s)
    rir = rng.standard_normal(n) * envelope
    rir[0] = 0.0
    rir /= np.sqrt(np.sum(rir ** 2))
    if rng.random() < 0.5:  # a small room or a nearby wall; open spaces have none
        count = int(rng.integers(EARLY_REFLECTION_COUNT[0], EARLY_REFLECTION_COUNT[1] + 1))
        delays = np.minimum((rng.uniform(*EARLY_REFLECTION_S, count) * rate).astype(int), n - 1)
        gains = rng.uniform(*EARLY_REFLECTION_GAIN, count) * rng.choice((-1.0, 1.0), count)
        np.add.at(rir, delays, gains * envelope[delays])
    rir[0] = 1.0  # after the reflections: one landing on sample 0 must not move the direct path
    return rir


def resample_roundtrip(audio: np.ndarray, sample_rate: int, via_rate: int) -> np.ndarray:
    """Resample down to ``via_rate`` and back (polyphase), as a narrow-band recording or
    codec leaves speech: nothing above ``via_rate / 2``. Same length as the input."""
    x = check_audio(audio)
    rate = check_rate(sample_rate)
    via_rate = check_rate(via_rate, "via_rate")
    if via_rate >= rate:
        raise ValueError(f"via_rate must be below the sample rate ({rate} Hz), got {via_rate}")
    g = math.gcd(rate, via_rate)
    up, down = via_rate // g, rate // g
    low = signal.resample_poly(x, up, down, window=_resample_filter(up, down))
    back = signal.resample_poly(low, down, up, window=_resample_filter(down, up))
    out = np.zeros(x.size, np.float32)
    out[: min(x.size, back.size)] = back[: x.size]
    return out


@lru_cache(maxsize=32)
def _resample_filter(up: int, down: int) -> np.ndarray:
    # resample_poly's default filter is -6 dB at the new Nyquist and lets a tone 8 % above
    # it alias back at about -19 dB; twice the length with the cutoff at 92 % keeps
    # aliases below -65 dB, as a decent resampler would. Cached: designing the 25601-tap
    # filter for 441/640 costs about as much as using it.
    max_rate = max(up, down)
    taps = signal.firwin(2 * RESAMPLE_ZERO_CROSSINGS * max_rate + 1, RESAMPLE_CUTOFF / max_rate,
                         window=("kaiser", 5.0))
    taps.setflags(write=False)
    return taps


def band_limit(audio: np.ndarray, sample_rate: int, low_hz: float, high_hz: float) -> np.ndarray:
    """Causal Butterworth band-pass (order 4 per edge), like a small loudspeaker, phone or
    cheap microphone. A high edge at Nyquist gives a high-pass only."""
    x = check_audio(audio)
    rate = check_rate(sample_rate)
    low_hz, high_hz = check_positive("low_hz", low_hz), check_positive("high_hz", high_hz)
    nyquist_edge = MAX_CUTOFF_FRACTION * rate / 2.0
    if low_hz >= high_hz or low_hz >= nyquist_edge:
        raise ValueError(f"band needs low_hz < high_hz and low_hz < {nyquist_edge:g} Hz, "
                         f"got {low_hz:g}-{high_hz:g} Hz")
    if high_hz >= nyquist_edge:
        sos = signal.butter(BAND_ORDER, low_hz, "highpass", fs=rate, output="sos")
    else:
        sos = signal.butter(BAND_ORDER, (low_hz, high_hz), "bandpass", fs=rate, output="sos")
    return signal.sosfilt(sos, x).astype(np.float32)


def tilt_spectrum(audio: np.ndarray, sample_rate: int, gain_db: float, corner_hz: float) -> np.ndarray:
    """High-shelf EQ (second order, shelf slope 1): ``gain_db`` above ``corner_hz``, 0 dB
    well below it, half the gain at the corner. Positive is brighter, as a tenser voice or a
    close small-diaphragm microphone; negative darker."""
    x = check_audio(audio)
    rate = check_rate(sample_rate)
    gain_db = check_finite("gain_db", gain_db)
    corner_hz = check_positive("corner_hz", corner_hz)
    if corner_hz >= rate / 2.0:
        raise ValueError(f"corner_hz must be below Nyquist ({rate / 2.0:g} Hz), got {corner_hz:g}")
    if gain_db == 0.0:
        return x.copy()
    amplitude = 10.0 ** (gain_db / 40.0)
    omega = 2.0 * math.pi * corner_hz / rate
    cos_w, alpha = math.cos(omega), math.sin(omega) / math.sqrt(2.0)
    root = 2.0 * math.sqrt(amplitude) * alpha
    b = [amplitude * ((amplitude + 1) + (amplitude - 1) * cos_w + root),
         -2.0 * amplitude * ((amplitude - 1) + (amplitude + 1) * cos_w),
         amplitude * ((amplitude + 1) + (amplitude - 1) * cos_w - root)]
    a = [(amplitude + 1) - (amplitude - 1) * cos_w + root,
         2.0 * ((amplitude - 1) - (amplitude + 1) * cos_w),
         (amplitude + 1) - (amplitude - 1) * cos_w - root]
    return signal.lfilter(b, a, x).astype(np.float32)


def hard_clip(audio: np.ndarray, level: float) -> np.ndarray:
    """Clip at ``level`` x the peak, then scale the peak back: an overdriven input stage."""
    x = check_audio(audio)
    level = check_positive("clip level", level)
    if level > 1.0:
        raise ValueError(f"clip level must lie in (0, 1], got {level!r}")
    limit = float(np.max(np.abs(x))) * level
    if limit == 0.0:
        return x.copy()
    return (np.clip(x, -limit, limit) / np.float32(level)).astype(np.float32)
