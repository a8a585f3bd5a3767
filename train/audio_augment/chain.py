"""Drawing a random chain of transforms from a config, applying it, and replaying it on
other audio."""

from __future__ import annotations

import math

import numpy as np

from .channel import (MAX_CUTOFF_FRACTION, NOISE_COLOURS, add_noise, apply_gain, band_limit, hard_clip,
                      resample_roundtrip, reverberate, tilt_spectrum)
from .checks import check_audio, check_rate
from .config import DRAWN_ONLY_WHEN_ON, TRANSFORM_ORDER, AugmentConfig
from .transmission import CODECS, codec_roundtrip, telephone
from .voice import change_tempo, roughen_voice, shift_pitch, shift_voice

# The wet share of a reverberated clip; the RIR's tail has the direct path's energy, so
# this spans a direct-to-reverberant ratio of about +10 dB (close mic) to 0 dB.
REVERB_WET = (0.3, 1.0)


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


def _draw_codec(rng: np.random.Generator, c: AugmentConfig, rate: int) -> dict:
    codec = c.codecs[int(rng.integers(len(c.codecs)))]
    rates = CODECS[codec][2]
    return {"codec": codec, "kbps": float(rates[int(rng.integers(len(rates)))])}


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
    "telephone": (lambda g, c, r: {}, lambda x, r, p, g: telephone(x, r)),
    "codec": (_draw_codec, lambda x, r, p, g: codec_roundtrip(x, r, p["codec"], p["kbps"])),
}


def augment(audio: np.ndarray, sample_rate: int, rng: np.random.Generator,
            config: AugmentConfig = AugmentConfig()) -> tuple[np.ndarray, dict]:
    """float32 mono in, float32 mono out at the same rate (length changes only through
    tempo), never NaN/inf, peak <= 1.0. Returns (audio, applied) where applied names each
    transform applied with its drawn parameters (JSON-serialisable), in the order applied.

    Transforms run in TRANSFORM_ORDER. If the result peaks above 1 (a gain boost, or a loud
    input) it is scaled down to peak 1 and ``applied`` ends with ``"peak_limit": {"gain_db"}``.
    """
    x = check_audio(audio)
    rate = check_rate(sample_rate)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator, got {type(rng).__name__}")
    if not isinstance(config, AugmentConfig):
        raise TypeError(f"config must be an AugmentConfig, got {type(config).__name__}")
    applied: dict[str, dict] = {}
    for name in TRANSFORM_ORDER:
        probability = getattr(config, f"{name}_probability")
        if (name in DRAWN_ONLY_WHEN_ON and probability == 0.0) or rng.random() >= probability:
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
    x = check_audio(audio)
    rate = check_rate(sample_rate)
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
