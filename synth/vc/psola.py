"""Prosody changed on the recording itself: pitch-synchronous overlap-add (TD-PSOLA).

WORLD analysis and resynthesis smears consonants: on the held-out voice it alone raised the
ASR's word error from 0.10 to 0.16 before any emotion was applied. Here the samples are
moved, not remade:

    recording --DIO + StoneMask--> F0 every 5 ms (the mark guide, and the F0 the change acts on)
              --pitch marks--> one per glottal period in voiced runs (the peak of the
                    low-passed wave near the predicted period), fixed-hop marks elsewhere
      1. F0 level, range, contour, jitter: synthesis marks at the target periods, each taking
         the nearest analysis grain (two periods, an asymmetric Hann window); unvoiced
         sound is only re-timed, never re-pitched, so fricatives and bursts stay as recorded
      2. tempo and pauses: synthesis marks walk the output timeline; each reads its grain at
         the input time that build_time_map (the WORLD path's own map) gives
      3. shimmer: a random gain per voiced grain (jitter, shimmer and breath noise on the
         vowels' steady parts only: vowel_nuclei)
      4. loudness: a gain
      5. spectral tilt and breathiness: one short-time Fourier pass; tilt as the WORLD path's
         0 dB below 500 Hz to full tilt at 4 kHz curve, breathiness as noise shaped by the
         frame's own smoothed spectrum, mixed into voiced frames in the WORLD path's
         aperiodicity proportions (no whisper: the planner never asks for one)

With no change the marks fall on themselves and the windows sum to one: the input returns.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy.ndimage import maximum_filter1d, uniform_filter1d
from scipy.signal import butter, istft, sosfiltfilt, stft

from conditioning.prosody import ProsodyTargets
from synth.render.time_map import Phone, TimeMap, build_time_map, map_phones
from synth.render.world_transform import (apply_contour, breathiness_weight, frame_values, shift_f0,
                                          spectral_tilt_gain_db)
from synth.vocoder.octave import frame_levels_db
from synth.vocoder.world import F0_CEIL_HZ, F0_FLOOR_HZ, PERTURBATION_CLIP

with warnings.catch_warnings():  # pyworld 0.3 imports the deprecated pkg_resources
    warnings.simplefilter("ignore")
    import pyworld

FRAME_PERIOD_MS = 5.0
UNVOICED_HOP_S = 0.005        # grains of 10 ms in unvoiced sound: short enough to keep a burst in place
MARK_SEARCH = 0.25            # a period may differ from the F0 track's by this fraction
MARK_LOWPASS_HZ = 900.0       # the first formant's peaks, not the higher ones, decide where a period starts
MIN_VOICED_FRAMES = 4         # shorter voiced blips are DIO's mistakes on noise
STFT_WINDOW_S = 0.032
VOWEL_FACTOR_LIMITS = (0.5, 2.0)
SMOOTH_HZ = 300.0             # breath noise follows the envelope, not the harmonics
# Roughness (jitter, shimmer, breath noise) goes on the vowels' steady parts only: a voicing
# onset or offset and the quieter voiced consonants (nasals, glides, voiced fricatives) carry
# the consonants' cues, and roughened they cost words (models/vc.md).
NUCLEUS_EDGE_S = 0.03         # no roughness within this of a voicing edge
NUCLEUS_RAMP_S = 0.02         # then rising to full over this
NUCLEUS_PEAK_WINDOW_S = 0.15  # a frame is a vowel's when it is near the loudest in this window
NUCLEUS_LEVEL_DB = (-12.0, -6.0)  # below the local peak: none under the first, full above the second
ROUGHNESS = ("jitter", "shimmer", "breathiness")


@dataclass(frozen=True, eq=False)
class Analysis:
    """The recording (float64), its F0 track and its analysis marks (samples; voiced or not)."""

    audio: np.ndarray
    sample_rate: int
    f0: np.ndarray
    marks: np.ndarray
    voiced: np.ndarray
    frame_period_ms: float = FRAME_PERIOD_MS

    @property
    def duration(self) -> float:
        return self.audio.size / self.sample_rate


def analyse(audio: np.ndarray, sample_rate: int) -> Analysis:
    x = np.ascontiguousarray(audio, dtype=np.float64)
    f0, t = pyworld.dio(x, sample_rate, f0_floor=F0_FLOOR_HZ, f0_ceil=F0_CEIL_HZ, frame_period=FRAME_PERIOD_MS)
    f0 = drop_short_runs(pyworld.stonemask(x, f0, t, sample_rate), MIN_VOICED_FRAMES)
    marks, voiced = pitch_marks(x, sample_rate, f0, FRAME_PERIOD_MS)
    return Analysis(x, sample_rate, f0, marks, voiced)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def drop_short_runs(f0: np.ndarray, min_frames: int) -> np.ndarray:
    f0 = np.asarray(f0, dtype=np.float64).copy()
    for start, end in _runs(f0 > 0):
        if end - start < min_frames:
            f0[start:end] = 0.0
    return f0


def _run_marks(guide: np.ndarray, period: np.ndarray, start: int, end: int) -> list[int]:
    """Marks one period apart in [start, end): each at the guide's maximum near the prediction."""
    first = start + int(np.argmax(guide[start:min(end, start + int(period[start]) + 1)]))
    marks = [first]
    while True:
        p = period[marks[-1]]
        lo, hi = int(marks[-1] + (1 - MARK_SEARCH) * p), int(marks[-1] + (1 + MARK_SEARCH) * p) + 1
        if hi >= end:
            return marks
        marks.append(lo + int(np.argmax(guide[lo:hi])))


def _fill(a: int, b: int, hop: int) -> list[int]:
    """Marks strictly between a and b, evenly spaced at most ``hop`` apart."""
    count = max(1, math.ceil((b - a) / hop))
    return [int(round(a + (b - a) * i / count)) for i in range(1, count)]


def pitch_marks(x: np.ndarray, rate: int, f0: np.ndarray, frame_period_ms: float) -> tuple[np.ndarray, np.ndarray]:
    """Analysis marks covering every sample: the first at 0, the last at the final sample."""
    frame = frame_period_ms / 1000.0 * rate
    low = sosfiltfilt(butter(2, min(MARK_LOWPASS_HZ, 0.45 * rate), fs=rate, output="sos"), x)
    hz = np.interp(np.arange(x.size) / frame, np.arange(f0.size), np.maximum(f0, F0_FLOOR_HZ))
    period = rate / hz
    voiced_marks: list[list[int]] = []
    for start, end in _runs(f0 > 0):
        a, b = int(round(start * frame)), min(int(round(end * frame)), x.size - 1)
        if b - a < 2 * period[a]:
            continue
        polarity = 1.0 if low[a:b].max() >= -low[a:b].min() else -1.0  # marks on the stronger peaks
        voiced_marks.append(_run_marks(polarity * low, period, a, b))
    hop = max(1, int(round(UNVOICED_HOP_S * rate)))
    marks, voiced, cursor = [0], [False], 0
    for run in voiced_marks:
        gap = _fill(cursor, run[0], hop)
        marks += gap + run
        voiced += [False] * len(gap) + [True] * len(run)
        cursor = run[-1]
    gap = _fill(cursor, x.size - 1, hop)
    marks += gap + [x.size - 1]
    voiced += [False] * (len(gap) + 1)
    marks_a, voiced_a = np.asarray(marks), np.asarray(voiced)
    keep = np.concatenate([[True], np.diff(marks_a) > 0])
    return marks_a[keep], voiced_a[keep]


class _Cues:
    """Each cue as one number (a static emotion) or one per frame (a timeline)."""

    def __init__(self, targets: ProsodyTargets, per_phone: Sequence[ProsodyTargets] | None, step_s: float):
        self.targets, self.per_phone, self.step_s = targets, per_phone, step_s

    def at(self, name: str, phones: Sequence[Phone], n_frames: int):
        if self.per_phone is None:
            return getattr(self.targets, name)
        times = np.arange(n_frames) * self.step_s
        return frame_values([getattr(t, name) for t in self.per_phone], phones, times, self.step_s)

    def per_phone_or_one(self, name: str):
        return getattr(self.targets, name) if self.per_phone is None else [getattr(t, name) for t in self.per_phone]


def target_f0(analysis: Analysis, cues: _Cues, phones: Sequence[Phone], contour: str) -> np.ndarray:
    f0 = analysis.f0
    shifted = shift_f0(f0, cues.at("f0_shift_semitones", phones, f0.size), cues.at("f0_range_factor", phones, f0.size))
    # As the WORLD path: a narrowed range narrows the final inflection with it.
    final_range = (cues.per_phone[-1] if cues.per_phone else cues.targets).f0_range_factor
    return apply_contour(shifted, contour, analysis.frame_period_ms, scale=min(1.0, final_range))


def consonants_kept(time_map: TimeMap, f0: np.ndarray, step_s: float) -> TimeMap:
    """The same map at its knots (phone times, a timeline's pieces), but inside each piece
    the voiced sound takes the whole change of length and unvoiced sound keeps its own: a
    stretched or squeezed burst or fricative is what costs words, a vowel's length is not.
    A piece whose voiced part would have to change more than VOWEL_FACTOR_LIMITS allow
    (a pause, a piece almost all unvoiced) is scaled evenly, as before."""
    voiced = np.asarray(f0) > 0
    turns = (np.flatnonzero(np.diff(voiced.astype(np.int8))) + 0.5) * step_s
    ins, outs = [0.0], [0.0]
    for a, b, out_a, out_b in zip(time_map.input_knots[:-1], time_map.input_knots[1:],
                                  time_map.output_knots[:-1], time_map.output_knots[1:]):
        cuts = np.concatenate([[a], turns[(turns > a) & (turns < b)], [b]])
        lengths = np.diff(cuts)
        mids = np.clip(np.round(0.5 * (cuts[:-1] + cuts[1:]) / step_s).astype(int), 0, voiced.size - 1)
        is_voiced = voiced[mids]
        v = float(lengths[is_voiced].sum())
        factor = (out_b - out_a) / (b - a)
        vowel = (out_b - out_a - (b - a - v)) / v if v > 0 else -1.0
        low, high = VOWEL_FACTOR_LIMITS
        scale = np.where(is_voiced, vowel, 1.0) if low <= vowel <= high else np.full(lengths.size, factor)
        ins += cuts[1:].tolist()
        outs += (out_a + np.cumsum(lengths * scale)).tolist()
    outs[-1] = float(time_map.output_knots[-1])
    return TimeMap(np.asarray(ins), np.asarray(outs))


def vowel_nuclei(analysis: Analysis) -> np.ndarray:
    """Per input frame, 0..1: how much of a vowel's steady part it is. Voiced frames at least
    NUCLEUS_EDGE_S from their run's voicing edges, within NUCLEUS_LEVEL_DB of the loudest frame
    near them, eased in and out; 0 in unvoiced sound."""
    step_s = analysis.frame_period_ms / 1000.0
    voiced = analysis.f0 > 0
    n = voiced.size
    level = frame_levels_db(np.asarray(analysis.audio, dtype=np.float64), analysis.sample_rate, np.arange(n) * step_s)
    weight = np.zeros(n)
    for start, end in _runs(voiced):
        i = np.arange(start, end)
        edge_s = np.minimum(i - start, end - 1 - i) * step_s
        edge = np.clip((edge_s - NUCLEUS_EDGE_S) / NUCLEUS_RAMP_S, 0.0, 1.0)
        peak = maximum_filter1d(level[start:end], max(1, int(round(NUCLEUS_PEAK_WINDOW_S / step_s))),
                                mode="nearest")
        low, high = NUCLEUS_LEVEL_DB
        loud = np.clip((level[start:end] - peak - low) / (high - low), 0.0, 1.0)
        weight[start:end] = edge * loud
    width = max(1, int(round(NUCLEUS_RAMP_S / step_s)))
    eased = np.clip(uniform_filter1d(weight, width, mode="nearest"), 0.0, 1.0)
    return np.where(eased > 1e-6, eased, 0.0) * voiced


def _window(left: int, right: int) -> np.ndarray:
    """Rising over ``left`` samples to 1 at the mark, falling over ``right``: neighbouring
    marks' halves share each interval and sum to one across it."""
    rise = 0.5 - 0.5 * np.cos(np.pi * np.arange(left) / left)
    fall = 0.5 + 0.5 * np.cos(np.pi * np.arange(right) / right)
    return np.concatenate([rise, fall])


@dataclass(frozen=True)
class _Synthesis:
    """Per output frame: the pitch ratio and the jitter and shimmer amounts."""

    ratio: np.ndarray          # on the input frames
    jitter: np.ndarray         # on the output frames
    shimmer: np.ndarray
    frame: float               # samples per frame


def _overlap_add(analysis: Analysis, plan: _Synthesis, time_map: TimeMap, n_out: int,
                 rng: np.random.Generator) -> np.ndarray:
    x, rate, marks, voiced = analysis.audio, analysis.sample_rate, analysis.marks, analysis.voiced
    spacing = np.diff(marks)
    reach = int(spacing.max()) + 1
    y = np.zeros(n_out + 2 * reach)
    t_out = 0.0
    while t_out < n_out:
        t_in = float(time_map.to_input(t_out / rate)) * rate
        k = min(int(np.searchsorted(marks, t_in)), marks.size - 1)
        if k > 0 and t_in - marks[k - 1] < marks[k] - t_in:
            k -= 1
        left = int(spacing[k - 1]) if k > 0 else int(spacing[0])
        right = int(spacing[k]) if k < spacing.size else left
        frame_out = min(int(t_out / plan.frame), plan.jitter.size - 1)
        if voiced[k]:
            centre, gain = int(marks[k]), 1.0
            z_jitter, z_shimmer = np.clip(rng.standard_normal(2), -PERTURBATION_CLIP, PERTURBATION_CLIP)
            ratio = np.interp(t_in / plan.frame, np.arange(plan.ratio.size), plan.ratio)
            ratio *= max(1.0 + plan.jitter[frame_out] * z_jitter, 0.2)
            gain = max(1.0 + plan.shimmer[frame_out] * z_shimmer, 0.05)
            step = right / ratio
        else:  # unvoiced: read where the time map points, at the recorded rate
            centre, gain, step = int(round(t_in)), 1.0, float(right)
        lo, hi = max(centre - left, 0), min(centre + right, x.size)
        grain = x[lo:hi] * _window(left, right)[lo - (centre - left):hi - (centre - left)]
        at = int(round(t_out)) - (centre - lo) + reach
        y[at:at + grain.size] += gain * grain
        t_out += max(step, 1.0)
    return y[reach:reach + n_out]


def _stft_size(rate: int) -> int:
    return 1 << int(math.ceil(math.log2(STFT_WINDOW_S * rate)))


def shape_spectrum(y: np.ndarray, rate: int, tilt_db, breathiness, voiced: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray:
    """Tilt on every frame and breath noise on voiced ones (per-frame amounts: ``voiced``'s frames)."""
    size = _stft_size(rate)
    hop = size // 4
    freqs, _, spec = stft(y, rate, nperseg=size, noverlap=size - hop)
    n = spec.shape[1]
    frames = np.interp(np.arange(n) * hop, np.arange(voiced.size) * (y.size / max(voiced.size, 1)), voiced)
    tilt = np.broadcast_to(np.asarray(tilt_db, dtype=np.float64), (n,)) if np.ndim(tilt_db) == 0 else \
        np.interp(np.arange(n), np.linspace(0, n - 1, len(tilt_db)), tilt_db)
    spec = spec * 10.0 ** (spectral_tilt_gain_db(freqs, tilt).T / 20.0)
    b = np.interp(np.arange(n), np.linspace(0, n - 1, np.size(breathiness)), np.atleast_1d(breathiness))
    amount = np.clip(b * frames, 0.0, 1.0)[None, :] * breathiness_weight(freqs)[:, None]
    if np.any(amount > 0):
        _, _, noise = stft(rng.standard_normal(y.size), rate, nperseg=size, noverlap=size - hop)
        noise /= np.sqrt(np.mean(np.abs(noise) ** 2))
        width = max(1, int(round(SMOOTH_HZ / (freqs[1] - freqs[0]))))
        # The running mean can dip a hair below zero in near-silent bins (at 48 kHz, above the speech).
        power = np.maximum(uniform_filter1d(np.abs(spec) ** 2, width, axis=0, mode="nearest"), 0.0)
        spec = spec * np.sqrt(1.0 - amount) + noise[:, :n] * np.sqrt(amount * power)
    _, out = istft(spec, rate, nperseg=size, noverlap=size - hop)
    return out[:y.size] if out.size >= y.size else np.pad(out, (0, y.size - out.size))


def _per_sample(values, n: int) -> np.ndarray | float:
    if np.ndim(values) == 0:
        return float(values)
    return np.interp(np.arange(n), np.linspace(0, n - 1, len(values)), values)


def render(analysis: Analysis, phones: Sequence[Phone], targets: ProsodyTargets, seed: int,
           contour: str = "neutral", phone_targets: Sequence[ProsodyTargets] | None = None,
           keep_consonants: bool = True, on_nuclei: Sequence[str] = ROUGHNESS) -> tuple[np.ndarray, dict]:
    """The recording with ``targets`` applied over ``phones`` (input timeline), at its own rate;
    returns (audio, applied). ``phone_targets`` (one per phone) varies every cue over time.
    The cues named in ``on_nuclei`` (of ROUGHNESS) go on the vowels' steady parts only
    (vowel_nuclei); the others on all voiced sound."""
    rate, step_s = analysis.sample_rate, analysis.frame_period_ms / 1000.0
    rng = np.random.default_rng(int(seed))
    cues = _Cues(targets, phone_targets, step_s)
    f0_out = target_f0(analysis, cues, phones, contour)
    voiced = analysis.f0 > 0
    ratio = np.where(voiced, f0_out / np.where(voiced, analysis.f0, 1.0), 1.0)
    time_map = build_time_map(phones, analysis.duration, cues.per_phone_or_one("tempo_factor"),
                              cues.per_phone_or_one("pause_factor"))
    out_phones = map_phones(phones, time_map)
    warp = consonants_kept(time_map, analysis.f0, step_s) if keep_consonants else time_map
    n_out = max(1, int(round(time_map.output_duration * rate)))
    n_frames = int(n_out / (step_s * rate)) + 1

    frame_in = np.clip(np.round(warp.to_input(np.arange(n_frames) * step_s) / step_s).astype(int), 0, voiced.size - 1)
    nuclei_out = vowel_nuclei(analysis)[frame_in] if on_nuclei else None
    voiced_out = voiced[frame_in].astype(np.float64)

    def out_cue(name):
        values = np.broadcast_to(np.asarray(cues.at(name, out_phones, n_frames), dtype=np.float64), (n_frames,))
        return values * nuclei_out if name in on_nuclei else values

    plan = _Synthesis(ratio, out_cue("jitter"), out_cue("shimmer"), step_s * rate)
    y = _overlap_add(analysis, plan, warp, n_out, rng)
    y = y * _per_sample(10.0 ** (np.asarray(cues.at("loudness_db", out_phones, n_frames)) / 20.0), n_out)
    tilt, breath = cues.at("spectral_tilt_db", out_phones, n_frames), cues.at("breathiness", out_phones, n_frames)
    if np.any(np.asarray(tilt) != 0) or np.any(np.asarray(breath) > 0):
        where = nuclei_out if "breathiness" in on_nuclei else voiced_out
        y = shape_spectrum(y, rate, tilt, breath, where, rng)
    applied = {**targets.to_dict(), "renderer": "psola", "varies_by_phone": phone_targets is not None,
               "contour": contour, "seed": int(seed), "roughness_on_nuclei": list(on_nuclei),
               "f0_median_in_hz": float(np.median(analysis.f0[voiced])) if voiced.any() else 0.0,
               "f0_median_out_hz": float(np.median(f0_out[voiced])) if voiced.any() else 0.0,
               "duration_in_s": round(analysis.duration, 6), "duration_out_s": round(n_out / rate, 6),
               "time_map": {"input_s": [round(float(t), 6) for t in time_map.input_knots],
                            "output_s": [round(float(t), 6) for t in time_map.output_knots]}}
    return y.astype(np.float32), applied
