"""Another voice from the same speech: pitch and formants moved together or apart, a
rougher, breathier voice, a little faster or slower speech."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from scipy import signal

from .channel import BAND_ORDER
from .checks import check_audio, check_finite, check_positive, check_rate, match_rms

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
ASPIRATION_LOW_HZ = 2000.0
ASPIRATION_ENVELOPE_HZ = 30.0


def shift_voice(audio: np.ndarray, sample_rate: int, semitones: float) -> tuple[np.ndarray, float]:
    """Pitch and formants up by about ``semitones`` (resampling, as a smaller or larger
    vocal tract and faster or slower folds would), length kept by WSOLA. The ratio is
    rounded to a fraction with a small denominator, so the polyphase filter stays short;
    returns the audio and the semitones actually applied."""
    x = check_audio(audio)
    rate = check_rate(sample_rate)
    ratio = Fraction(2.0 ** (check_finite("semitones", semitones) / 12.0)).limit_denominator(24)
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
    return match_rms(restored, check_audio(audio)), applied


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
    x = check_audio(audio)
    rate = check_rate(sample_rate)
    jitter = check_finite("jitter_ms", jitter_ms) / 1000.0 * rate
    shimmer = check_finite("shimmer_db", shimmer_db) / 20.0 * math.log(10.0)
    snr_db = check_finite("aspiration_snr_db", aspiration_snr_db)
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
    return match_rms(y.astype(np.float32), x)


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
    x = check_audio(audio)
    rate = check_rate(sample_rate)
    factor = check_positive("tempo factor", factor)
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
