"""Timing for the WORLD transform: the piecewise-linear map from input to output time, built
phone by phone (speech phones divided by the tempo factor, pauses multiplied by the pause
factor, the edge silences capped), and the resampling of WORLD frames and phone times through
it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from synth.render.engines import PAUSE_PHONES
from synth.vocoder.world import _TINY, WorldFeatures

Phone = tuple[str, float, float]

EDGE_PAUSE_MAX_S = 0.3


def is_pause(phone: str) -> bool:
    return phone.strip().lower() in PAUSE_PHONES


@dataclass(frozen=True, eq=False)
class TimeMap:
    """A piecewise-linear, strictly increasing map from input to output time (seconds)."""

    input_knots: np.ndarray
    output_knots: np.ndarray

    def to_output(self, t):
        return np.interp(t, self.input_knots, self.output_knots)

    def to_input(self, t):
        return np.interp(t, self.output_knots, self.input_knots)

    @property
    def input_duration(self) -> float:
        return float(self.input_knots[-1])

    @property
    def output_duration(self) -> float:
        return float(self.output_knots[-1])




def _edge_pause_duration(duration: float, pause_factor: float) -> float:
    """Output length of the silence at one utterance edge: shrinks freely, grows only to the cap."""
    if pause_factor <= 1.0:
        return duration * pause_factor
    return min(duration * pause_factor, max(duration, EDGE_PAUSE_MAX_S))


def build_time_map(phones: Sequence[Phone], duration_s: float, tempo_factor=1.0,
                   pause_factor=1.0) -> TimeMap:
    """The input->output time map: every phone stretched by its own factor (see module doc).

    ``phones`` must be validated (ordered, inside ``[0, duration_s]``). Speech phones and gaps
    between phones are divided by ``tempo_factor``; pause phones multiplied by
    ``pause_factor``. The leading silence (audio before the first phone plus a first pause
    phone) and the trailing silence (a last pause phone plus audio after the last phone) are
    each treated as one edge pause: see :func:`_edge_pause_duration`. Either factor may be one
    per phone (an emotion that changes over the utterance); a gap takes the next phone's.
    """
    tempo = np.broadcast_to(np.asarray(tempo_factor, dtype=np.float64), (len(phones),))
    pause = np.broadcast_to(np.asarray(pause_factor, dtype=np.float64), (len(phones),))
    segments: list[tuple[float, float, bool, int]] = []  # (start, end, is speech, phone)
    cursor = 0.0
    for i, (name, start, end) in enumerate(phones):
        if start > cursor:  # uncovered audio: before the first phone silence, else a gap (speech)
            segments.append((cursor, start, i > 0, i))
        segments.append((start, end, not is_pause(name), i))
        cursor = max(cursor, end)
    if duration_s > cursor:
        segments.append((cursor, duration_s, False, len(phones) - 1))
    segments = [seg for seg in segments if seg[1] > seg[0]]
    if not segments:
        raise ValueError("phones cover no time")
    n = len(segments)
    factors = [1.0 / tempo[i] if speech else pause[i] for _, _, speech, i in segments]
    lead = 0
    while lead < n and not segments[lead][2]:
        lead += 1
    trail = n
    while trail > lead and not segments[trail - 1][2]:
        trail -= 1
    for edge in (range(0, lead), range(trail, n)):  # leading and trailing silence
        if len(edge):
            length = sum(segments[i][1] - segments[i][0] for i in edge)
            edge_pause = float(pause[segments[edge[0]][3]])
            for i in edge:
                factors[i] = _edge_pause_duration(length, edge_pause) / length
    input_knots, output_knots = [0.0], [0.0]
    for (start, end, _, _), factor in zip(segments, factors):
        input_knots.append(end)
        output_knots.append(output_knots[-1] + (end - start) * factor)
    return TimeMap(np.asarray(input_knots), np.asarray(output_knots))


def time_scale_features(features: WorldFeatures, time_map: TimeMap) -> WorldFeatures:
    """Resample the frame sequence through the time map (output frame t reads input time map^-1(t))."""
    fp = features.frame_period_ms / 1000.0
    n_in = features.n_frames
    out_duration = time_map.output_duration
    n_out = max(int(math.floor(out_duration / fp + 1e-9)) + 1, 2)
    t_in = time_map.to_input(np.arange(n_out) * fp)
    pos = np.clip(np.round(t_in / fp, 9), 0.0, n_in - 1)
    i0 = np.floor(pos).astype(int)
    i1 = np.minimum(i0 + 1, n_in - 1)
    w = (pos - i0)[:, None]
    log_sp = np.log(np.maximum(features.spectral_envelope, _TINY))
    sp = np.exp((1.0 - w) * log_sp[i0] + w * log_sp[i1])
    ap = (1.0 - w) * features.aperiodicity[i0] + w * features.aperiodicity[i1]
    f0_in = np.asarray(features.f0, dtype=np.float64)
    nearest = np.where(w[:, 0] < 0.5, i0, i1)
    f0 = f0_in[nearest].copy()
    both = (f0_in[i0] > 0) & (f0_in[i1] > 0)
    w1 = w[both, 0]
    f0[both] = np.exp((1.0 - w1) * np.log(f0_in[i0[both]]) + w1 * np.log(f0_in[i1[both]]))
    return features.replace(f0=f0, spectral_envelope=sp, aperiodicity=ap, duration_s=out_duration)


def map_phones(phones: Sequence[Phone], time_map: TimeMap) -> tuple[Phone, ...]:
    return tuple((name, float(time_map.to_output(start)), float(time_map.to_output(end)))
                 for name, start, end in phones)
