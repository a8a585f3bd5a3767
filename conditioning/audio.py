"""Audio in: read and validate a recording once, the same way for every entry point.

Every model that takes speech (the recognizer, the WORLD transform, voice conversion)
calls :func:`check_audio`, so bad audio is refused with the same clear message wherever it
comes in: not numeric, not mono, empty, NaN/inf, silent, too short or too long, or at a
sample rate outside 4-192 kHz.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import soundfile as sf

MIN_SAMPLE_RATE = 4000
MAX_SAMPLE_RATE = 192000
SILENCE_PEAK = 1e-6


class AudioInputError(ValueError):
    """Audio that cannot be used, with the reason."""


def check_audio(audio, sample_rate, min_duration_s: float = 0.05,
                max_duration_s: float = 300.0) -> tuple[np.ndarray, int]:
    """Validated float64 mono audio in [-1, 1] (integer PCM is scaled) and its rate."""
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)):
        raise AudioInputError(f"sample_rate must be an integer number of Hz; got {sample_rate!r}")
    sample_rate = int(sample_rate)
    if not MIN_SAMPLE_RATE <= sample_rate <= MAX_SAMPLE_RATE:
        raise AudioInputError(f"sample_rate {sample_rate} Hz is outside the supported "
                              f"{MIN_SAMPLE_RATE}..{MAX_SAMPLE_RATE} Hz")
    x = np.asarray(audio)
    if x.dtype == object or not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
        raise AudioInputError(f"audio must be a numeric array; got dtype {x.dtype}")
    if x.ndim != 1:
        raise AudioInputError(f"audio must be mono (1-D); got shape {x.shape} (downmix stereo first, "
                              "e.g. ffmpeg -i in.wav -ac 1 out.wav)")
    if x.size == 0:
        raise AudioInputError("audio is empty")
    if np.issubdtype(x.dtype, np.integer):  # PCM integers -> [-1, 1)
        x = x.astype(np.float64) / float(2 ** (8 * x.dtype.itemsize - 1))
    x = x.astype(np.float64)
    if not np.all(np.isfinite(x)):
        raise AudioInputError(f"audio contains {int(np.sum(~np.isfinite(x)))} NaN/inf samples")
    duration = x.size / sample_rate
    if duration < min_duration_s:
        raise AudioInputError(f"audio is {duration * 1000:.1f} ms long; at least {min_duration_s * 1000:.0f} ms needed")
    if duration > max_duration_s:
        raise AudioInputError(f"audio is {duration:.1f} s long; at most {max_duration_s:.0f} s is accepted")
    peak = float(np.max(np.abs(x)))
    if peak < SILENCE_PEAK:
        raise AudioInputError(f"audio is silent (peak {peak:.2e})")
    return x, sample_rate


def load_audio(path, min_duration_s: float = 0.05, max_duration_s: float = 300.0) -> tuple[np.ndarray, int]:
    """Read a WAV/FLAC/OGG file -> validated mono float64 audio and its rate; several channels
    are averaged (every entry point takes stereo)."""
    path = Path(path)
    if not path.is_file():
        raise AudioInputError(f"no audio file at {path}")
    try:
        audio, rate = sf.read(str(path), dtype="float64", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError) as error:
        raise AudioInputError(f"{path} is not a readable audio file ({error})") from None
    if audio.shape[1] != 1:
        audio = audio.mean(axis=1, keepdims=True)
    try:
        return check_audio(audio[:, 0], int(rate), min_duration_s, max_duration_s)
    except AudioInputError as error:
        raise AudioInputError(f"{path}: {error}") from None


def resample(audio: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Polyphase resampling (anti-aliased); returns the input unchanged at equal rates."""
    if from_rate == to_rate:
        return audio
    g = math.gcd(int(from_rate), int(to_rate))
    from scipy.signal import resample_poly  # scipy.signal takes ~1 s to import

    return resample_poly(audio, int(to_rate) // g, int(from_rate) // g)
