"""Waveform augmentation for the speech emotion recognizer that judges EmoStudio's output.

The recognizer must score generated and real speech on equal terms, so it is trained on
speech pushed through what separates the two in practice: recording level, background
noise, rooms, telephone-like bands and sample rates, clipping, and a little speaking-rate
change. Each transform is a pure public function; :func:`augment` draws which ones to apply,
and with what parameters, from the caller's rng, so an epoch can be replayed exactly.
"""

from __future__ import annotations

import math
from fractions import Fraction
from dataclasses import dataclass, fields
from functools import lru_cache

import numpy as np
from scipy import signal

NOISE_COLOURS = ("white", "pink", "brown")
# Order used by augment: the source's own timing first, then the channel (room, band,
# codec rate, clipping converter) acting on that source, then the noise floor, which sits
# after the channel and is not filtered by it, and the level last, as a gain knob would.
TRANSFORM_ORDER = ("voice_shift", "pitch_shift", "roughness", "tempo", "reverb", "tilt", "band_limit", "resample", "clip", "noise", "gain")

# Below 20 Hz coloured noise is inaudible rumble that would still count in the SNR.
NOISE_FLOOR_HZ = 20.0
# The wet share of a reverberated clip; the RIR's tail has the direct path's energy, so
# this spans a direct-to-reverberant ratio of about +10 dB (close mic) to 0 dB.
REVERB_WET = (0.3, 1.0)
EARLY_REFLECTION_S = (0.003, 0.04)
EARLY_REFLECTION_GAIN = (0.1, 0.5)
EARLY_REFLECTION_COUNT = (3, 8)
RESAMPLE_ZERO_CROSSINGS = 20
RESAMPLE_CUTOFF = 0.92  # of the lower rate's Nyquist
BAND_ORDER = 4
# A band edge this close to Nyquist removes nothing the recording contains.
MAX_CUTOFF_FRACTION = 0.99
# WSOLA: 30 ms frames cross-fade over 15 ms, a period of any voice above 67 Hz; +-10 ms of
# search always finds an aligned period down to 50 Hz F0.
WSOLA_FRAME_S = 0.03
WSOLA_TOLERANCE_S = 0.01
# Spectral envelope for pitch shifting: 32 ms frames, cepstrum liftered at 1.5 ms, shorter
# than the period of any voice up to 600 Hz, so harmonics stay out of the envelope.
ENVELOPE_FRAME_S = 0.032
ENVELOPE_LIFTER_S = 0.0015
# A correction past +-40 dB would only amplify the noise floor of an empty band.
ENVELOPE_GAIN_LIMIT_NEPERS = 4.6
# Roughness: period-to-period perturbations change at about the F0 rate, so their noise is
# low-passed near the lowest F0s; aspiration noise lives above the first formants and
# follows the syllable envelope (smoothed at 30 Hz).
ROUGHNESS_BANDWIDTH_HZ = 150.0
# The roughest voice the roughness augmentation draws, at strength 1: about three times the
# jitter and shimmer the corpus gives sadness at full intensity (1 % of a 10 ms period, 5 %
# in level), well past any speaker's resting voice.
ROUGHEST_JITTER_MS = 0.3
ROUGHEST_SHIMMER_DB = 1.5
ROUGHEST_ASPIRATION_SNR_DB = 10.0
CLEANEST_ASPIRATION_SNR_DB = 40.0
ASPIRATION_LOW_HZ = 2000.0
ASPIRATION_ENVELOPE_HZ = 30.0


@dataclass(frozen=True)
class AugmentConfig:
    """Probability each transform is applied to an item, and the range its parameter is
    drawn from (uniformly; resample rates and noise colours by equal choice)."""

    gain_probability: float = 0.8
    gain_db: tuple[float, float] = (-12.0, 6.0)
    noise_probability: float = 0.4
    noise_snr_db: tuple[float, float] = (5.0, 35.0)
    reverb_probability: float = 0.3
    reverb_rt60_s: tuple[float, float] = (0.15, 0.9)
    resample_probability: float = 0.25
    resample_rates: tuple[int, ...] = (8000, 11025, 12000)
    band_limit_probability: float = 0.25
    band_low_hz: tuple[float, float] = (60.0, 400.0)
    band_high_hz: tuple[float, float] = (2800.0, 7500.0)
    clip_probability: float = 0.15
    clip_level: tuple[float, float] = (0.2, 0.7)
    # A microphone's or voice's own brightness: a high shelf. Without it the recognizer read
    # emotion from the spectral balance alone (measured: a 3 dB shelf above 1.5 kHz on the
    # held-out voice moved its UAR from 0.60 to 0.39, turning sad into calm and fear into anger).
    tilt_probability: float = 0.0
    tilt_db: tuple[float, float] = (-6.0, 6.0)
    tilt_corner_hz: tuple[float, float] = (800.0, 3000.0)
    tempo_probability: float = 0.3
    # Kept small because speaking rate is itself an emotion cue the recognizer must read.
    tempo_factor: tuple[float, float] = (0.9, 1.1)
    # Another speaker: pitch and formants moved together, duration kept. A recognizer
    # trained on a few voices otherwise reads a new voice's own pitch and pace as emotion
    # (measured: a held-out voice lower and slower than the training voices came out one
    # step down in arousal for every category).
    voice_shift_probability: float = 0.0
    voice_shift_semitones: tuple[float, float] = (-4.0, 4.0)
    # Another speaker's F0 baseline over the same vocal tract: pitch moved, formants kept.
    # Speakers of one sex differ by several semitones in F0 at the same vocal-tract size;
    # without this the recognizer read pitch relative to formants as emotion (measured: the
    # held-out voice speaks 2.6 semitones below the training voice of the same speaker and
    # was heard one category lower, happy as angry, neutral as disgusted; raised 2.6
    # semitones by WORLD its UAR went from 0.46 to 0.70).
    pitch_shift_probability: float = 0.0
    pitch_shift_semitones: tuple[float, float] = (-4.0, 4.0)
    # Another speaker's voice quality: a rougher, breathier voice at rest. The corpus renders
    # disgust, anger and sadness with jitter, shimmer and breath, so a naturally noisy voice
    # is otherwise heard as those (measured: the held-out voice, aperiodicity 0.46 against
    # 0.12-0.41, had its neutral speech heard as disgusted and its happiness as anger).
    roughness_probability: float = 0.0
    roughness_jitter_ms: tuple[float, float] = (0.0, ROUGHEST_JITTER_MS)
    roughness_shimmer_db: tuple[float, float] = (0.0, ROUGHEST_SHIMMER_DB)
    roughness_aspiration_snr_db: tuple[float, float] = (ROUGHEST_ASPIRATION_SNR_DB, CLEANEST_ASPIRATION_SNR_DB)

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name.endswith("_probability"):
                _check_probability(field.name, value)
            elif field.name == "resample_rates":
                _check_resample_rates(value, self.resample_probability)
            else:
                _check_range(field.name, value)
        _check_positive("tempo_factor low end", self.tempo_factor[0])
        _check_positive("reverb_rt60_s low end", self.reverb_rt60_s[0])
        _check_positive("band_low_hz low end", self.band_low_hz[0])
        _check_positive("clip_level low end", self.clip_level[0])
        if self.clip_level[1] > 1.0:
            raise ValueError(f"clip_level must lie in (0, 1], got {self.clip_level}")
        if min(self.roughness_jitter_ms[0], self.roughness_shimmer_db[0]) < 0:
            raise ValueError("roughness_jitter_ms and roughness_shimmer_db must be >= 0, got "
                             f"{self.roughness_jitter_ms}, {self.roughness_shimmer_db}")


def roughness_ranges(strength: float) -> dict[str, tuple[float, float]]:
    """AugmentConfig's roughness ranges scaled to ``strength`` in (0, 1]: jitter and shimmer
    up to that share of the roughest, aspiration that share of the way from the cleanest
    (40 dB down) to the roughest (10 dB down). Strength below 1 keeps the augmentation within
    the range of resting voices, so the roughness an emotion is rendered with stays readable."""
    if not 0.0 < strength <= 1.0:
        raise ValueError(f"roughness strength must lie in (0, 1], got {strength!r}")
    loudest_breath = CLEANEST_ASPIRATION_SNR_DB - strength * (CLEANEST_ASPIRATION_SNR_DB - ROUGHEST_ASPIRATION_SNR_DB)
    return {"roughness_jitter_ms": (0.0, strength * ROUGHEST_JITTER_MS),
            "roughness_shimmer_db": (0.0, strength * ROUGHEST_SHIMMER_DB),
            "roughness_aspiration_snr_db": (loudest_breath, CLEANEST_ASPIRATION_SNR_DB)}


# --- validation -------------------------------------------------------------------------

def _check_audio(audio) -> np.ndarray:
    x = np.asarray(audio)
    if x.ndim != 1:
        raise ValueError(f"audio must be 1-D mono, got shape {x.shape}")
    if x.size == 0:
        raise ValueError("audio is empty")
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"audio must be floating point (scale PCM to [-1, 1]), got dtype {x.dtype}")
    x = x.astype(np.float32, copy=False)
    if not np.isfinite(x).all():
        raise ValueError("audio contains NaN or inf")
    return x


def _check_rate(rate, name: str = "sample rate") -> int:
    if isinstance(rate, bool) or not isinstance(rate, (int, np.integer)) or rate <= 0:
        raise ValueError(f"{name} must be a positive integer in Hz, got {rate!r}")
    return int(rate)


def _check_finite(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def _check_positive(name: str, value) -> float:
    if _check_finite(name, value) <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return float(value)


def _check_probability(name: str, value) -> None:
    if not 0.0 <= _check_finite(name, value) <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")


def _check_range(name: str, value) -> None:
    if not isinstance(value, tuple) or len(value) != 2:
        raise ValueError(f"{name} must be a (low, high) pair, got {value!r}")
    low, high = (_check_finite(name, v) for v in value)
    if low > high:
        raise ValueError(f"{name} range has low > high: {value!r}")


def _check_resample_rates(rates, probability: float) -> None:
    if not isinstance(rates, tuple) or (probability > 0 and not rates):
        raise ValueError(f"resample_rates must be a non-empty tuple of rates, got {rates!r}")
    for rate in rates:
        _check_rate(rate, "each resample_rates entry")


# --- transforms -------------------------------------------------------------------------

def apply_gain(audio: np.ndarray, sample_rate: int, gain_db: float) -> np.ndarray:
    """Scale by ``gain_db`` decibels (no limiting: :func:`augment` limits the peak)."""
    x = _check_audio(audio)
    _check_rate(sample_rate)
    return (x * np.float32(10.0 ** (_check_finite("gain_db", gain_db) / 20.0))).astype(np.float32)


def add_noise(audio: np.ndarray, sample_rate: int, snr_db: float, colour: str,
              rng: np.random.Generator) -> np.ndarray:
    """Add white, pink (power ~ 1/f) or brown (~ 1/f^2) noise at ``snr_db`` over the whole
    clip. Silence has no SNR and is returned unchanged."""
    x = _check_audio(audio)
    rate = _check_rate(sample_rate)
    snr_db = _check_finite("snr_db", snr_db)
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
    x = _check_audio(audio)
    rate = _check_rate(sample_rate)
    if not 0.0 <= _check_finite("wet", wet) <= 1.0:
        raise ValueError(f"wet must lie in [0, 1], got {wet!r}")
    rir = room_impulse_response(rate, rt60_s, rng).astype(np.float32)
    reverberant = signal.oaconvolve(x, rir)[: x.size]
    return _match_rms((1.0 - wet) * x + wet * reverberant, x)


def room_impulse_response(sample_rate: int, rt60_s: float, rng: np.random.Generator) -> np.ndarray:
    """Direct path (1.0), sometimes a few early reflections, and a Gaussian-noise tail whose
    energy falls 60 dB in ``rt60_s`` (the RT60 definition) and equals the direct path's."""
    rate = _check_rate(sample_rate)
    rt60_s = _check_positive("rt60_s", rt60_s)
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


def _match_rms(y: np.ndarray, reference: np.ndarray) -> np.ndarray:
    target = np.sqrt(np.mean(np.square(reference, dtype=np.float64)))
    current = np.sqrt(np.mean(np.square(y, dtype=np.float64)))
    scale = target / current if current > 0 else 0.0
    return (y * scale).astype(np.float32)


def resample_roundtrip(audio: np.ndarray, sample_rate: int, via_rate: int) -> np.ndarray:
    """Resample down to ``via_rate`` and back (polyphase), as a narrow-band recording or
    codec leaves speech: nothing above ``via_rate / 2``. Same length as the input."""
    x = _check_audio(audio)
    rate = _check_rate(sample_rate)
    via_rate = _check_rate(via_rate, "via_rate")
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
    x = _check_audio(audio)
    rate = _check_rate(sample_rate)
    low_hz, high_hz = _check_positive("low_hz", low_hz), _check_positive("high_hz", high_hz)
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
    x = _check_audio(audio)
    rate = _check_rate(sample_rate)
    gain_db = _check_finite("gain_db", gain_db)
    corner_hz = _check_positive("corner_hz", corner_hz)
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
    x = _check_audio(audio)
    level = _check_positive("clip level", level)
    if level > 1.0:
        raise ValueError(f"clip level must lie in (0, 1], got {level!r}")
    limit = float(np.max(np.abs(x))) * level
    if limit == 0.0:
        return x.copy()
    return (np.clip(x, -limit, limit) / np.float32(level)).astype(np.float32)


def shift_voice(audio: np.ndarray, sample_rate: int, semitones: float) -> tuple[np.ndarray, float]:
    """Pitch and formants up by about ``semitones`` (resampling, as a smaller or larger
    vocal tract and faster or slower folds would), length kept by WSOLA. The ratio is
    rounded to a fraction with a small denominator, so the polyphase filter stays short;
    returns the audio and the semitones actually applied."""
    x = _check_audio(audio)
    rate = _check_rate(sample_rate)
    ratio = Fraction(2.0 ** (_check_finite("semitones", semitones) / 12.0)).limit_denominator(24)
    if ratio == 1:
        return x.copy(), 0.0
    raised = signal.resample_poly(x, ratio.denominator, ratio.numerator).astype(np.float32)
    restored = change_tempo(raised, rate, len(raised) / len(x))
    return restored, 12.0 * math.log2(float(ratio))


def shift_pitch(audio: np.ndarray, sample_rate: int, semitones: float) -> tuple[np.ndarray, float]:
    """Pitch up by about ``semitones`` with the spectral envelope (the formants) kept where
    it was: :func:`shift_voice`, then each frame's cepstral envelope moved back. Same length
    and RMS as the input; returns the audio and the semitones actually applied."""
    shifted, applied = shift_voice(audio, sample_rate, semitones)
    if applied == 0.0:
        return shifted, 0.0
    restored = _scale_envelope(shifted, sample_rate, 2.0 ** (applied / 12.0))
    return _match_rms(restored, _check_audio(audio)), applied


def _scale_envelope(x: np.ndarray, rate: int, ratio: float) -> np.ndarray:
    """Each STFT frame's log envelope e(f) replaced by e(f * ratio), fine structure kept."""
    frame = 2 * max(8, round(ENVELOPE_FRAME_S * rate / 2))
    hop = frame // 4
    _, _, spectrum = signal.stft(x, nperseg=frame, noverlap=frame - hop)
    envelope = _log_envelope(np.abs(spectrum), max(2, round(ENVELOPE_LIFTER_S * rate)))
    bins = np.arange(envelope.shape[0], dtype=np.float64)
    source = np.minimum(bins * ratio, bins[-1])
    lower = np.floor(source).astype(np.intp)
    upper = np.minimum(lower + 1, bins.size - 1)
    weight = (source - lower)[:, None]
    moved = (1.0 - weight) * envelope[lower] + weight * envelope[upper]
    gain = np.exp(np.clip(moved - envelope, -ENVELOPE_GAIN_LIMIT_NEPERS, ENVELOPE_GAIN_LIMIT_NEPERS))
    _, y = signal.istft(spectrum * gain, nperseg=frame, noverlap=frame - hop)
    out = np.zeros(x.size, np.float32)
    out[: min(x.size, y.size)] = y[: x.size]
    return out


def _log_envelope(magnitude: np.ndarray, lifter: int) -> np.ndarray:
    """(bins, frames) magnitudes -> their cepstrally smoothed log, same shape."""
    cepstrum = np.fft.irfft(np.log(magnitude + 1e-7), axis=0)
    cepstrum[lifter: cepstrum.shape[0] - lifter + 1] = 0.0
    return np.fft.rfft(cepstrum, axis=0).real


def roughen_voice(audio: np.ndarray, sample_rate: int, jitter_ms: float, shimmer_db: float,
                  aspiration_snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """A rougher, breathier voice: timing jitter (the signal read ``jitter_ms`` rms early or
    late, changing at about the F0 rate), shimmer (level wobbling ``shimmer_db`` rms at the
    same rate) and aspiration noise above 2 kHz that follows the speech's envelope at
    ``aspiration_snr_db`` below it. Same length and RMS as the input."""
    x = _check_audio(audio)
    rate = _check_rate(sample_rate)
    jitter = _check_finite("jitter_ms", jitter_ms) / 1000.0 * rate
    shimmer = _check_finite("shimmer_db", shimmer_db) / 20.0 * math.log(10.0)
    snr_db = _check_finite("aspiration_snr_db", aspiration_snr_db)
    if jitter < 0 or shimmer < 0:
        raise ValueError(f"jitter_ms and shimmer_db must be >= 0, got {jitter_ms!r}, {shimmer_db!r}")
    samples = np.arange(x.size)
    positions = samples + jitter * _smooth_noise(x.size, rate, ROUGHNESS_BANDWIDTH_HZ, rng)
    level = np.exp(shimmer * _smooth_noise(x.size, rate, ROUGHNESS_BANDWIDTH_HZ, rng))
    y = np.interp(positions, samples, x) * level
    if ASPIRATION_LOW_HZ < 0.45 * rate:
        envelope = signal.sosfiltfilt(signal.butter(2, ASPIRATION_ENVELOPE_HZ, fs=rate, output="sos"), np.abs(x))
        breath = signal.sosfilt(signal.butter(BAND_ORDER, ASPIRATION_LOW_HZ, "highpass", fs=rate, output="sos"),
                                rng.standard_normal(x.size))
        breath *= np.clip(envelope, 0.0, None) / max(float(np.sqrt(np.mean(breath ** 2))), 1e-12)
        y = y + breath * 10.0 ** (-snr_db / 20.0)
    return _match_rms(y.astype(np.float32), x)


def _smooth_noise(n: int, rate: int, bandwidth_hz: float, rng: np.random.Generator) -> np.ndarray:
    """Unit-rms Gaussian noise low-passed at ``bandwidth_hz``."""
    noise = signal.sosfiltfilt(signal.butter(2, min(bandwidth_hz, 0.45 * rate), fs=rate, output="sos"),
                               rng.standard_normal(n))
    return noise / max(float(np.sqrt(np.mean(noise ** 2))), 1e-12)


def change_tempo(audio: np.ndarray, sample_rate: int, factor: float) -> np.ndarray:
    """Speed up (``factor`` > 1) or slow down, keeping pitch; length ``round(len / factor)``.

    WSOLA rather than a phase vocoder: speech is one quasi-periodic voice, so splicing
    whole waveform periods at their best-matching offset keeps pitch, formants and plosive
    onsets intact, whereas even a phase-locked vocoder adds some phasiness and smears
    transients, artefacts the recognizer could learn to associate with slow or fast speech.
    """
    x = _check_audio(audio)
    rate = _check_rate(sample_rate)
    factor = _check_positive("tempo factor", factor)
    if factor == 1.0:
        return x.copy()
    frame = 2 * max(1, round(WSOLA_FRAME_S * rate / 2))
    return _wsola(x, factor, frame, max(1, round(WSOLA_TOLERANCE_S * rate)))


def _wsola(x: np.ndarray, factor: float, frame: int, tolerance: int) -> np.ndarray:
    hop = frame // 2
    n_out = max(1, round(x.size / factor))
    n_frames = -(-n_out // hop) + 1
    nominal = (tolerance + np.rint(np.arange(n_frames) * hop * factor).astype(np.intp)).tolist()
    # Output sample k comes from input time (k - hop) * factor, so frame 0 starts hop early.
    padded = np.zeros(nominal[-1] + 2 * tolerance + 2 * frame, np.float32)
    padded[tolerance + hop: tolerance + hop + x.size] = x
    positions = nominal[:1]
    for i in range(1, n_frames):
        # Only a frame's first half is cross-faded with the previous frame's second half, so
        # it alone must match what would have followed the previous frame seamlessly.
        follow = padded[positions[-1] + hop: positions[-1] + frame]
        start = nominal[i] - tolerance
        corr = np.correlate(padded[start: start + 2 * tolerance + hop], follow, "valid")
        positions.append(start + int(corr.argmax()))
    window = signal.windows.hann(frame, sym=False).astype(np.float32)  # sums to 1 at 50 % overlap
    frames = padded[np.asarray(positions)[:, None] + np.arange(frame)] * window
    out = frames[:, :hop].copy()
    out[1:] += frames[:-1, hop:]
    return out.ravel()[hop: hop + n_out]


# --- augment ----------------------------------------------------------------------------

def _uniform(rng: np.random.Generator, bounds: tuple[float, float]) -> float:
    return float(rng.uniform(bounds[0], bounds[1]))


def _draw_band(rng: np.random.Generator, c: AugmentConfig, rate: int) -> dict | None:
    low, high = _uniform(rng, c.band_low_hz), _uniform(rng, c.band_high_hz)
    if low >= min(high, MAX_CUTOFF_FRACTION * rate / 2.0):
        return None  # no band left at this sample rate
    # A high edge the rate cannot hold is recorded as Nyquist: band_limit then high-passes.
    return {"low_hz": low, "high_hz": min(high, rate / 2.0)}


def _draw_resample(rng: np.random.Generator, c: AugmentConfig, rate: int) -> dict | None:
    lower = [r for r in c.resample_rates if r < rate]
    return {"via_rate": int(lower[rng.integers(len(lower))])} if lower else None


# name -> (draw parameters, apply them); drawing may decline (None) when the rate forbids it.
_STEPS = {
    "tempo": (lambda g, c, r: {"factor": _uniform(g, c.tempo_factor)},
              lambda x, r, p, g: change_tempo(x, r, p["factor"])),
    "voice_shift": (lambda g, c, r: {"semitones": _uniform(g, c.voice_shift_semitones)},
                    lambda x, r, p, g: shift_voice(x, r, p["semitones"])[0]),
    "pitch_shift": (lambda g, c, r: {"semitones": _uniform(g, c.pitch_shift_semitones)},
                    lambda x, r, p, g: shift_pitch(x, r, p["semitones"])[0]),
    "roughness": (lambda g, c, r: {"jitter_ms": _uniform(g, c.roughness_jitter_ms),
                                   "shimmer_db": _uniform(g, c.roughness_shimmer_db),
                                   "aspiration_snr_db": _uniform(g, c.roughness_aspiration_snr_db)},
                  lambda x, r, p, g: roughen_voice(x, r, p["jitter_ms"], p["shimmer_db"], p["aspiration_snr_db"], g)),
    "reverb": (lambda g, c, r: {"rt60_s": _uniform(g, c.reverb_rt60_s), "wet": _uniform(g, REVERB_WET)},
               lambda x, r, p, g: reverberate(x, r, p["rt60_s"], g, p["wet"])),
    "tilt": (lambda g, c, r: {"db": _uniform(g, c.tilt_db),
                              "corner_hz": min(_uniform(g, c.tilt_corner_hz), 0.45 * r)},
             lambda x, r, p, g: tilt_spectrum(x, r, p["db"], p["corner_hz"])),
    "band_limit": (_draw_band, lambda x, r, p, g: band_limit(x, r, p["low_hz"], p["high_hz"])),
    "resample": (_draw_resample, lambda x, r, p, g: resample_roundtrip(x, r, p["via_rate"])),
    "clip": (lambda g, c, r: {"level": _uniform(g, c.clip_level)},
             lambda x, r, p, g: hard_clip(x, p["level"])),
    "noise": (lambda g, c, r: {"snr_db": _uniform(g, c.noise_snr_db),
                               "colour": NOISE_COLOURS[int(g.integers(len(NOISE_COLOURS)))]},
              lambda x, r, p, g: add_noise(x, r, p["snr_db"], p["colour"], g)),
    "gain": (lambda g, c, r: {"db": _uniform(g, c.gain_db)},
             lambda x, r, p, g: apply_gain(x, r, p["db"])),
}


def augment(audio: np.ndarray, sample_rate: int, rng: np.random.Generator,
            config: AugmentConfig = AugmentConfig()) -> tuple[np.ndarray, dict]:
    """float32 mono in, float32 mono out at the same rate (length changes only through
    tempo), never NaN/inf, peak <= 1.0. Returns (audio, applied) where applied names each
    transform applied with its drawn parameters (JSON-serialisable), in the order applied.

    Transforms run in TRANSFORM_ORDER. If the result peaks above 1 (a gain boost, or a loud
    input) it is scaled down to peak 1 and ``applied`` ends with ``"peak_limit": {"gain_db"}``.
    """
    x = _check_audio(audio)
    rate = _check_rate(sample_rate)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator, got {type(rng).__name__}")
    if not isinstance(config, AugmentConfig):
        raise TypeError(f"config must be an AugmentConfig, got {type(config).__name__}")
    applied: dict[str, dict] = {}
    for name in TRANSFORM_ORDER:
        if rng.random() >= getattr(config, f"{name}_probability"):
            continue
        draw, apply = _STEPS[name]
        params = draw(rng, config, rate)
        if params is not None:
            x = apply(x, rate, params, rng)
            applied[name] = params
    x, limit_db = _limit_peak(x)
    if limit_db is not None:
        applied["peak_limit"] = {"gain_db": limit_db}
    return x, applied


def replay(audio: np.ndarray, sample_rate: int, applied: dict, rng: np.random.Generator) -> np.ndarray:
    """Put other audio through the transforms :func:`augment` reported in ``applied``, with
    the same parameters (random parts such as noise drawn anew from ``rng``): the same speaker
    in the same channel, as a reference recording of that speaker would be."""
    x = _check_audio(audio)
    rate = _check_rate(sample_rate)
    unknown = set(applied) - set(TRANSFORM_ORDER) - {"peak_limit"}
    if unknown:
        raise ValueError(f"unknown transforms in applied: {sorted(unknown)}")
    for name in TRANSFORM_ORDER:
        if name in applied:
            x = _STEPS[name][1](x, rate, applied[name], rng)
    return _limit_peak(x)[0]


def _limit_peak(x: np.ndarray) -> tuple[np.ndarray, float | None]:
    """(a float32 copy, never aliasing the caller's array, scaled to peak 1 if it peaked above;
    the gain in dB applied, or None)."""
    peak = float(np.max(np.abs(x)))
    if peak <= 1.0:
        return np.array(x, dtype=np.float32), None
    return np.array(x / np.float32(peak), dtype=np.float32), -20.0 * math.log10(peak)
