"""Input checks shared by every augmentation transform, and the level match several of
them end with."""

from __future__ import annotations

import math

import numpy as np


def check_audio(audio) -> np.ndarray:
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


def check_rate(rate, name: str = "sample rate") -> int:
    if isinstance(rate, bool) or not isinstance(rate, (int, np.integer)) or rate <= 0:
        raise ValueError(f"{name} must be a positive integer in Hz, got {rate!r}")
    return int(rate)


def check_finite(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def check_positive(name: str, value) -> float:
    if check_finite(name, value) <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return float(value)


def check_probability(name: str, value) -> None:
    if not 0.0 <= check_finite(name, value) <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")


def check_range(name: str, value) -> None:
    if not isinstance(value, tuple) or len(value) != 2:
        raise ValueError(f"{name} must be a (low, high) pair, got {value!r}")
    low, high = (check_finite(name, v) for v in value)
    if low > high:
        raise ValueError(f"{name} range has low > high: {value!r}")


def check_resample_rates(rates, probability: float) -> None:
    if not isinstance(rates, tuple) or (probability > 0 and not rates):
        raise ValueError(f"resample_rates must be a non-empty tuple of rates, got {rates!r}")
    for rate in rates:
        check_rate(rate, "each resample_rates entry")


def match_rms(y: np.ndarray, reference: np.ndarray) -> np.ndarray:
    target = np.sqrt(np.mean(np.square(reference, dtype=np.float64)))
    current = np.sqrt(np.mean(np.square(y, dtype=np.float64)))
    scale = target / current if current > 0 else 0.0
    return (y * scale).astype(np.float32)
