"""Emotional prosody by WORLD analysis, parameter edits and resynthesis.

The training corpus is rendered as neutral speech by festival/flite voices; this module
turns one neutral rendering into an emotional one by applying a
:class:`conditioning.prosody.ProsodyTargets` (DESIGN.md, choice 1 "WORLD parameters"):

    neutral audio --analyze--> (F0, spectral envelope, aperiodicity) at 5 ms, 22.05 kHz
                               (DIO + StoneMask, CheapTrick, D4C; voicing checked by D4C)
      1. F0 level, range and contour shape        (per voiced frame, input timeline)
      2. timing: per-phone time map                (frames resampled, phone times mapped)
      3. loudness gain                             (spectral envelope)
      4. spectral tilt                             (spectral envelope)
      5. breathiness / whisper                     (aperiodicity, voicing)
      6. jitter / shimmer                          (per glottal cycle, seeded)
      7. resynthesis, peak limiting                (float32, 22.05 kHz, peak <= 0.99)

Every step is a small public function so the corpus builder, tests and plots can use
them one by one. :func:`apply_prosody` runs the lot on audio;
:func:`apply_prosody_to_features` runs steps 1-7 on an existing analysis, so one neutral
rendering analysed once can be rendered in many emotions (analysis is ~85 % of the cost).

Exact shapes (all constants below are module-level and named):

* F0 level/range: with ``s = 12 log2 f0`` on voiced frames and ``m`` its median,
  ``s' = m + f0_range_factor (s - m) + f0_shift_semitones``; result clipped to
  [F0_MIN_HZ, F0_MAX_HZ].
* Contour (added to ``s'`` on voiced frames, not scaled by the range factor):
  ``"neutral"`` nothing; ``"rising"`` a smoothstep ramp ``0.5 (1 - cos(pi u))`` from 0 to
  +RISE_SEMITONES over the last CONTOUR_RAMP_S seconds of the voiced span (ending at the
  last voiced frame): a question-like final rise; ``"falling"`` the same ramp to
  FALL_SEMITONES (negative): a final fall; ``"arched"`` a raised-cosine
  ``0.5 (1 - cos(2 pi u))`` over the whole voiced span (u = 0 at the first voiced frame,
  1 at the last), peaking at +ARCH_SEMITONES mid-utterance.
* Timing: a piecewise-linear map from input to output time with a knot at every phone
  boundary. Speech phones last ``d / tempo_factor``; pause phones (PAUSE_PHONES) last
  ``d * pause_factor``. The leading silence (audio before the first phone plus the pause
  phones before the first speech phone) and the trailing silence are each one edge pause of
  total length ``d``: it shrinks with ``pause_factor < 1`` but grows only up to
  ``max(d, EDGE_PAUSE_MAX_S)``, since edge silence carries no emotion, only dead air.
  Gaps between phones count as speech. Output frames are read from the input frame
  sequence through the inverse map (log-envelope and aperiodicity interpolated linearly,
  F0 in log where both neighbours are voiced, else voicing from the nearest frame); the
  phone times go through the same map, and the audio is cut to the mapped duration, so
  the last phone end equals the output duration.
* Loudness: envelope power x ``10^(loudness_db / 10)``.
* Spectral tilt: envelope gain in dB ``G(f) = 0`` for f <= TILT_KNEE_HZ (500 Hz),
  ``tilt * log2(f / 500) / log2(4000 / 500)`` between 500 Hz and TILT_FULL_HZ (4 kHz)
  (i.e. tilt/3 dB per octave), and ``tilt`` held constant above 4 kHz.
* Breathiness ``b``: ``ap' = ap + b w(f) (1 - ap)`` (linear aperiodicity), with
  ``w(f) = 0.5`` at <= 500 Hz rising linearly in log-frequency to 1 at >= 4 kHz (more
  noise high up, as in breathy phonation). ``b >= WHISPER_THRESHOLD`` (0.95) is a whisper:
  every frame unvoiced (F0 = 0, aperiodicity 1) and the envelope lowered by
  WHISPER_ATTENUATION_DB (3 dB; WORLD's noise excitation is itself a little weaker, ~5 dB
  in all on the test vowel).
* Jitter/shimmer: voiced frames are grouped into glottal cycles by accumulating
  ``f0 * frame_period`` (cycles per frame); each cycle draws ``z_j, z_s ~ N(0, 1)``
  (clipped to +-3) from ``np.random.default_rng(seed)`` and its frames get
  ``f0 * (1 + jitter z_j)`` and amplitude ``(1 + shimmer z_s)`` (envelope power squared).
  Above ~200 Hz a cycle is shorter than a 5 ms frame, so this is per frame there.
  Same seed -> bit-identical output (WORLD's own noise source is deterministic).
* Energy limiting: only if the synthesized peak exceeds PEAK_LIMIT (0.99) is the envelope
  lowered to bring it there and the audio synthesized again (so the returned features
  still reproduce the returned audio); the gain is recorded as
  ``applied["peak_normalisation_db"]`` (0 when nothing was done) and the overall level
  change as ``applied["total_gain_db"]`` (loudness + limiting - whisper attenuation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np


from conditioning.prosody import ProsodyTargets
from synth.vocoder.world import (F0_MAX_HZ, F0_MIN_HZ, FRAME_PERIOD_MS, OUTPUT_SAMPLE_RATE, WorldFeatures,
                                 _check_audio, analyze, apply_jitter_shimmer, synthesize)
from synth.render.engines import PAUSE_PHONES
from synth.render.time_map import (EDGE_PAUSE_MAX_S, Phone, TimeMap, build_time_map, is_pause, map_phones,
                                   time_scale_features)

__all__ = [
    "OUTPUT_SAMPLE_RATE", "FRAME_PERIOD_MS", "PAUSE_PHONES", "CONTOURS", "WorldFeatures", "TransformResult",
    "TimeMap", "analyze", "synthesize", "apply_prosody", "apply_prosody_to_features", "shift_f0",
    "contour_offsets", "apply_contour", "build_time_map", "time_scale_features", "map_phones", "apply_gain",
    "spectral_tilt_gain_db", "apply_spectral_tilt", "breathiness_weight", "apply_breathiness",
    "apply_jitter_shimmer", "limit_peak", "is_pause",
]

CONTOURS = ("neutral", "rising", "falling", "arched")
CONTOUR_RAMP_S = 0.4
RISE_SEMITONES = 5.0
FALL_SEMITONES = -4.0
ARCH_SEMITONES = 3.0

TILT_KNEE_HZ = 500.0
TILT_FULL_HZ = 4000.0
WHISPER_THRESHOLD = 0.95
WHISPER_ATTENUATION_DB = 3.0
PEAK_LIMIT = 0.99

PHONE_END_TOLERANCE_S = 0.05  # phone ends this far past the audio are clipped; further is an error


# ----------------------------------------------------------------------------- data



@dataclass(frozen=True, eq=False)
class TransformResult:
    """audio: float32 at OUTPUT_SAMPLE_RATE, peak <= PEAK_LIMIT. phones: (phone, start_s, end_s)
    in the output timeline. features: the WORLD parameters that were synthesized (including
    any peak-limiting gain). applied: what was applied, JSON-serialisable."""

    audio: np.ndarray
    phones: tuple[Phone, ...]
    features: WorldFeatures
    applied: dict = field(default_factory=dict)

    @property
    def sample_rate(self) -> int:
        return OUTPUT_SAMPLE_RATE

    @property
    def duration(self) -> float:
        return len(self.audio) / OUTPUT_SAMPLE_RATE


# ------------------------------------------------------------------------- validation

def _check_phones(phones, duration: float) -> tuple[Phone, ...]:
    if isinstance(phones, (str, bytes)) or phones is None:
        raise ValueError("phones must be a sequence of (phone, start_s, end_s)")
    checked: list[Phone] = []
    previous_end = 0.0
    for i, item in enumerate(phones):
        try:
            name, start, end = item
            start, end = float(start), float(end)
        except (TypeError, ValueError):
            raise ValueError(f"phone {i} must be (phone, start_s, end_s); got {item!r}") from None
        if not isinstance(name, str) or not name:
            raise ValueError(f"phone {i} needs a non-empty name; got {name!r}")
        if not (math.isfinite(start) and math.isfinite(end)):
            raise ValueError(f"phone {i} ({name!r}) has non-finite times {start}, {end}")
        if start < -1e-6:
            raise ValueError(f"phone {i} ({name!r}) starts before 0 s ({start} s)")
        if end <= start:
            raise ValueError(f"phone times must increase: phone {i} ({name!r}) has start {start} s >= end {end} s")
        if start < previous_end - 1e-3:
            raise ValueError(f"phone times must increase: phone {i} ({name!r}) starts at {start} s, "
                             f"before the previous phone ends ({previous_end} s)")
        if end > duration + PHONE_END_TOLERANCE_S:
            raise ValueError(f"phone {i} ({name!r}) ends at {end} s, after the audio ends ({duration:.3f} s)")
        start = min(max(start, previous_end, 0.0), duration)  # rounding overlaps and the tolerated overhang
        end = min(end, duration)
        checked.append((name, start, max(end, start)))
        previous_end = end
    if not checked:
        raise ValueError("phones is empty: at least one (phone, start_s, end_s) segment is needed")
    return tuple(checked)


def _check_targets(targets) -> ProsodyTargets:
    if not isinstance(targets, ProsodyTargets):
        raise TypeError(f"targets must be a conditioning.prosody.ProsodyTargets; got {type(targets).__name__}")
    for name, value in targets.to_dict().items():
        if not math.isfinite(getattr(targets, name)):
            raise ValueError(f"prosody target {name} must be finite; got {value}")
    limits = {"f0_range_factor": (0.0, 10.0), "tempo_factor": (0.1, 10.0), "pause_factor": (0.05, 20.0),
              "breathiness": (0.0, 1.0), "jitter": (0.0, 0.3), "shimmer": (0.0, 0.9),
              "f0_shift_semitones": (-36.0, 36.0), "loudness_db": (-60.0, 40.0), "spectral_tilt_db": (-40.0, 40.0)}
    for name, (low, high) in limits.items():
        value = getattr(targets, name)
        if not low <= value <= high:
            raise ValueError(f"prosody target {name} = {value} is out of the range [{low}, {high}]")
    return targets


# --------------------------------------------------------------------- analysis / synthesis

# ------------------------------------------------------------------------------ 1. F0

def _semitones(f0: np.ndarray) -> np.ndarray:
    return 12.0 * np.log2(f0)


def _hz(semitones: np.ndarray) -> np.ndarray:
    return np.clip(2.0 ** (semitones / 12.0), F0_MIN_HZ, F0_MAX_HZ)


def shift_f0(f0: np.ndarray, shift_semitones, range_factor) -> np.ndarray:
    """Level shift and range scaling of voiced F0 in semitones around the voiced median;
    each amount is one number or one per frame."""
    f0 = np.asarray(f0, dtype=np.float64).copy()
    voiced = f0 > 0
    if not voiced.any():
        return f0
    s = _semitones(f0[voiced])
    median = float(np.median(s))
    shift, scale = (_per_voiced_frame(a, f0.shape, voiced) for a in (shift_semitones, range_factor))
    f0[voiced] = _hz(median + scale * (s - median) + shift)
    return f0


def _per_voiced_frame(amount, shape, voiced):
    amount = np.asarray(amount, dtype=np.float64)
    return amount if amount.ndim == 0 else np.broadcast_to(amount, shape)[voiced]


def _per_frame_column(amount) -> np.ndarray:
    """A scalar as is; a per-frame array as a column, to broadcast over frequency bins."""
    amount = np.asarray(amount, dtype=np.float64)
    return amount if amount.ndim == 0 else amount[:, None]


def contour_offsets(f0: np.ndarray, contour: str, frame_period_ms: float) -> np.ndarray:
    """Per-frame semitone offsets of a contour shape (0 where unvoiced); see the module doc."""
    if contour not in CONTOURS:
        raise ValueError(f"contour must be one of {', '.join(CONTOURS)}; got {contour!r}")
    f0 = np.asarray(f0)
    offsets = np.zeros(f0.shape, dtype=np.float64)
    voiced_idx = np.flatnonzero(f0 > 0)
    if contour == "neutral" or voiced_idx.size == 0:
        return offsets
    t = np.arange(f0.size) * frame_period_ms / 1000.0
    first, last = t[voiced_idx[0]], t[voiced_idx[-1]]
    if contour == "arched":
        span = max(last - first, frame_period_ms / 1000.0)
        u = np.clip((t - first) / span, 0.0, 1.0)
        offsets = ARCH_SEMITONES * 0.5 * (1.0 - np.cos(2.0 * np.pi * u))
    else:
        ramp = max(min(CONTOUR_RAMP_S, last - first), frame_period_ms / 1000.0)
        u = np.clip((t - (last - ramp)) / ramp, 0.0, 1.0)
        peak = RISE_SEMITONES if contour == "rising" else FALL_SEMITONES
        offsets = peak * 0.5 * (1.0 - np.cos(np.pi * u))
    offsets[f0 <= 0] = 0.0
    return offsets


def apply_contour(f0: np.ndarray, contour: str, frame_period_ms: float = FRAME_PERIOD_MS,
                  scale: float = 1.0) -> np.ndarray:
    """Adds the contour's offsets, times ``scale`` (a narrowed range narrows the inflection too)."""
    f0 = np.asarray(f0, dtype=np.float64).copy()
    offsets = scale * contour_offsets(f0, contour, frame_period_ms)
    voiced = f0 > 0
    f0[voiced] = _hz(_semitones(f0[voiced]) + offsets[voiced])
    return f0


# --------------------------------------------------------------------- 3-4. energy, tilt

def apply_gain(spectral_envelope: np.ndarray, gain_db: float) -> np.ndarray:
    """Overall gain: envelope power x 10^(dB/10) (amplitude x 10^(dB/20)); one gain or one per frame."""
    return np.asarray(spectral_envelope) * 10.0 ** (_per_frame_column(gain_db) / 10.0)


def spectral_tilt_gain_db(frequencies: np.ndarray, tilt_db: float) -> np.ndarray:
    """0 dB up to 500 Hz, linear in log2 f up to +-tilt at 4 kHz, constant above."""
    f = np.maximum(np.asarray(frequencies, dtype=np.float64), 1e-3)
    u = np.clip(np.log2(f / TILT_KNEE_HZ) / np.log2(TILT_FULL_HZ / TILT_KNEE_HZ), 0.0, 1.0)
    return _per_frame_column(tilt_db) * u


def apply_spectral_tilt(spectral_envelope: np.ndarray, sample_rate: int, tilt_db: float) -> np.ndarray:
    sp = np.asarray(spectral_envelope)
    freqs = np.arange(sp.shape[1]) * sample_rate / (2.0 * (sp.shape[1] - 1))
    return sp * 10.0 ** (spectral_tilt_gain_db(freqs, tilt_db) / 10.0)


# ------------------------------------------------------------------------ 5. breathiness

def breathiness_weight(frequencies: np.ndarray) -> np.ndarray:
    """0.5 at <= 500 Hz rising linearly in log-frequency to 1 at >= 4 kHz."""
    f = np.maximum(np.asarray(frequencies, dtype=np.float64), 1e-3)
    u = np.clip(np.log2(f / TILT_KNEE_HZ) / np.log2(TILT_FULL_HZ / TILT_KNEE_HZ), 0.0, 1.0)
    return 0.5 + 0.5 * u


def apply_breathiness(features: WorldFeatures, breathiness) -> tuple[WorldFeatures, bool]:
    """Raise aperiodicity towards 1; a whisper (all unvoiced, -3 dB) from WHISPER_THRESHOLD on.
    One amount, or one per frame (then the frames at or over the threshold are whispered)."""
    if np.ndim(breathiness) == 1:
        return _apply_breathiness_per_frame(features, np.asarray(breathiness, dtype=np.float64))
    if breathiness >= WHISPER_THRESHOLD:
        return features.replace(
            f0=np.zeros(features.n_frames),
            aperiodicity=np.ones_like(features.aperiodicity),
            spectral_envelope=apply_gain(features.spectral_envelope, -WHISPER_ATTENUATION_DB)), True
    if breathiness <= 0:
        return features, False
    ap = np.asarray(features.aperiodicity)
    b = breathiness * breathiness_weight(features.frequencies)[None, :]
    return features.replace(aperiodicity=np.clip(ap + b * (1.0 - ap), 0.0, 1.0)), False


def _apply_breathiness_per_frame(features: WorldFeatures, breathiness: np.ndarray) -> tuple[WorldFeatures, bool]:
    whisper = breathiness >= WHISPER_THRESHOLD
    ap = np.asarray(features.aperiodicity)
    b = np.clip(breathiness, 0.0, 1.0)[:, None] * breathiness_weight(features.frequencies)[None, :]
    ap = np.where(whisper[:, None], 1.0, np.clip(ap + b * (1.0 - ap), 0.0, 1.0))
    f0 = np.where(whisper, 0.0, np.asarray(features.f0))
    sp = apply_gain(features.spectral_envelope, np.where(whisper, -WHISPER_ATTENUATION_DB, 0.0))
    return features.replace(f0=f0, aperiodicity=ap, spectral_envelope=sp), bool(whisper.any())


# ------------------------------------------------------------------- 6. jitter, shimmer
# apply_jitter_shimmer lives in synth.vocoder.world: the TTS draws the same irregularity.

# ------------------------------------------------------------------------- 7. output

def limit_peak(audio: np.ndarray, limit: float = PEAK_LIMIT) -> tuple[np.ndarray, float]:
    """Scale to ``limit`` only if the peak exceeds it; returns (audio, gain in dB <= 0)."""
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak <= limit:
        return audio, 0.0
    gain = limit / peak
    return (audio * gain).astype(np.float32), 20.0 * math.log10(gain)


def _synthesize_limited(features: WorldFeatures) -> tuple[np.ndarray, WorldFeatures, float]:
    """Synthesize; if the peak exceeds PEAK_LIMIT, lower the envelope and synthesize again.

    The gain goes into the envelope (not only the waveform) so the returned features
    resynthesize to the returned audio: WORLD synthesis is only ~1 % off linear in the
    envelope gain (its spectral safeguard floor), hence up to two passes and a final
    waveform guard for a residual of a few hundredths of a dB.
    """
    out = synthesize(features)
    total_db = 0.0
    for _ in range(2):
        peak = float(np.max(np.abs(out)))
        if peak <= PEAK_LIMIT:
            break
        gain_db = 20.0 * math.log10(PEAK_LIMIT / peak)
        features = features.replace(spectral_envelope=apply_gain(features.spectral_envelope, gain_db))
        total_db += gain_db
        out = synthesize(features)
    out, residual_db = limit_peak(out)
    return out, features, total_db + residual_db


# ----------------------------------------------------------------------------- pipeline

PHONE_BLEND_S = 0.06


def frame_values(per_phone: Sequence[float], phones: Sequence[Phone], times: np.ndarray, step_s: float) -> np.ndarray:
    """Each time (frames ``step_s`` apart) takes the value of the phone it lies in (before the
    first: the first's, after the last: the last's), then a moving average over PHONE_BLEND_S
    eases the changes. Shared by the WORLD path and the waveform renderer (synth/vc/psola.py)."""
    ends = np.array([end for _, _, end in phones])
    index = np.minimum(np.searchsorted(ends, times, side="right"), len(phones) - 1)
    values = np.asarray(per_phone, dtype=np.float64)[index]
    width = max(1, int(round(PHONE_BLEND_S / step_s)))
    if width > 1 and values.size > width:
        padded = np.pad(values, (width // 2, width - 1 - width // 2), mode="edge")
        values = np.convolve(padded, np.ones(width) / width, mode="valid")
    return values


def _frame_values(per_phone: Sequence[float], phones: Sequence[Phone], features: WorldFeatures) -> np.ndarray:
    step_s = features.frame_period_ms / 1000.0
    return frame_values(per_phone, phones, np.arange(features.n_frames) * step_s, step_s)

def apply_prosody(audio: np.ndarray, sample_rate: int, phones: Sequence[Phone], targets: ProsodyTargets,
                  seed: int, contour: str = "neutral") -> TransformResult:
    """Neutral speech + phone segments (input timeline) -> emotional speech (see module doc)."""
    x, sample_rate = _check_audio(audio, sample_rate)
    _check_phones(phones, x.size / sample_rate)  # fail before the expensive analysis
    _check_targets(targets)
    contour_offsets(np.zeros(1), contour, FRAME_PERIOD_MS)  # validates the name
    return apply_prosody_to_features(analyze(x, sample_rate), phones, targets, seed, contour)


def apply_prosody_to_features(features: WorldFeatures, phones: Sequence[Phone], targets: ProsodyTargets,
                              seed: int, contour: str = "neutral",
                              phone_targets: Sequence[ProsodyTargets] | None = None) -> TransformResult:
    """Steps 1-7 on an existing analysis (from :func:`analyze`), e.g. one neutral rendering in many emotions.

    ``phone_targets`` (one per phone, e.g. an emotion timeline sampled at each phone) varies
    every cue over the utterance: tempo and pauses phone by phone, the rest frame by frame,
    eased over PHONE_BLEND_S so a change of emotion glides rather than clicks; ``targets``
    is then only what the report calls the utterance's."""
    if not isinstance(features, WorldFeatures):
        raise TypeError(f"features must be WorldFeatures; got {type(features).__name__}")
    if features.sample_rate != OUTPUT_SAMPLE_RATE:
        raise ValueError(f"features must be at {OUTPUT_SAMPLE_RATE} Hz (use analyze()); got {features.sample_rate}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer; got {seed!r}")
    targets = _check_targets(targets)
    duration = features.duration
    phones = _check_phones(phones, duration)
    rng = np.random.default_rng(int(seed))
    f0_in = np.asarray(features.f0, dtype=np.float64)
    voiced_in = f0_in > 0

    if phone_targets is not None and len(phone_targets) != len(phones):
        raise ValueError(f"{len(phone_targets)} phone targets for {len(phones)} phones")
    per_phone = [_check_targets(t) for t in phone_targets] if phone_targets is not None else None

    def cue(name: str, frames: WorldFeatures, timed: Sequence[Phone]):
        """One cue: the utterance's value, or (phone_targets) its value at every frame."""
        if per_phone is None:
            return getattr(targets, name)
        return _frame_values([getattr(t, name) for t in per_phone], timed, frames)

    # 1. F0 level, range, contour
    f0 = shift_f0(f0_in, cue("f0_shift_semitones", features, phones), cue("f0_range_factor", features, phones))
    # A narrowed range (sadness, monotone) narrows the final inflection with it: a full
    # 4-semitone fall on a 0.55x range widened sad speech's F0 span instead of narrowing it.
    final_range = (per_phone[-1] if per_phone else targets).f0_range_factor
    f0 = apply_contour(f0, contour, features.frame_period_ms, scale=min(1.0, final_range))
    current = features.replace(f0=f0)
    # 2. timing
    tempo, pause = ((targets.tempo_factor, targets.pause_factor) if per_phone is None else
                    ([t.tempo_factor for t in per_phone], [t.pause_factor for t in per_phone]))
    time_map = build_time_map(phones, duration, tempo, pause)
    current = time_scale_features(current, time_map)
    out_phones = map_phones(phones, time_map)
    # 3-4. energy and tilt
    sp = apply_gain(current.spectral_envelope, cue("loudness_db", current, out_phones))
    sp = apply_spectral_tilt(sp, current.sample_rate, cue("spectral_tilt_db", current, out_phones))
    current = current.replace(spectral_envelope=sp)
    # 5. breathiness / whisper
    current, whisper = apply_breathiness(current, cue("breathiness", current, out_phones))
    # 6. jitter / shimmer
    current = apply_jitter_shimmer(current, cue("jitter", current, out_phones), cue("shimmer", current, out_phones),
                                   rng)
    # 7. synthesis and peak limiting
    out, current, limit_db = _synthesize_limited(current)

    f0_out = np.asarray(current.f0)
    applied = {
        **targets.to_dict(),
        "varies_by_phone": per_phone is not None,
        "contour": contour,
        "contour_peak_semitones": {"neutral": 0.0, "rising": RISE_SEMITONES, "falling": FALL_SEMITONES,
                                   "arched": ARCH_SEMITONES}[contour],
        "seed": int(seed),
        "whisper": bool(whisper),
        "whisper_attenuation_db": WHISPER_ATTENUATION_DB if whisper else 0.0,
        "f0_median_in_hz": float(np.median(f0_in[voiced_in])) if voiced_in.any() else 0.0,
        "f0_median_out_hz": float(np.median(f0_out[f0_out > 0])) if np.any(f0_out > 0) else 0.0,
        "duration_in_s": round(duration, 6),
        "duration_out_s": round(len(out) / OUTPUT_SAMPLE_RATE, 6),
        "edge_pause_max_s": EDGE_PAUSE_MAX_S,
        "peak_normalisation_db": round(limit_db, 4),
        "total_gain_db": round(targets.loudness_db + limit_db - (WHISPER_ATTENUATION_DB if whisper else 0.0), 4),
        "time_map": {"input_s": [round(float(t), 6) for t in time_map.input_knots],
                     "output_s": [round(float(t), 6) for t in time_map.output_knots]},
    }
    return TransformResult(audio=out, phones=out_phones, features=current, applied=applied)
