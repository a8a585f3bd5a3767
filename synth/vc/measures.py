"""What a recording's delivery is, measured from its audio alone (no transcript): the learned
planner's view of a source, and, between two renderings of one sentence, what an emotion
changed.

The same measures serve both, so what the planner learns from the corpus's parallel pairs
(the change between two emotions of one sentence by one voice) is in the units it sees on a
user's recording:

- F0 level: median voiced F0, semitones re 100 Hz (DIO + StoneMask, as the PSOLA analysis);
- F0 range: the 20-80 % spread of voiced F0 in semitones;
- speech time and pause time: the energy voice-activity detector of ``segments``;
- level: mean power of the active frames (dBFS);
- spectral balance: energy above 1 kHz against below, in the active frames (dB).
"""

from __future__ import annotations

import math
from dataclasses import astuple, dataclass

import numpy as np
import pyworld

from .psola import F0_CEIL_HZ, F0_FLOOR_HZ, FRAME_PERIOD_MS, MIN_VOICED_FRAMES, drop_short_runs
from .segments import FRAME_S, activity, frame_levels, pause_mask

BALANCE_SPLIT_HZ = 1000.0
# The change vector: what the planner predicts, in the order of planner.ADDITIVE + FACTORS
# minus the three roughness cues (which the measures do not see; see change_between).
MEASURED_CHANGES = ("f0_shift_semitones", "loudness_db", "spectral_tilt_db", "f0_range_factor", "tempo_factor",
                    "pause_factor")


@dataclass(frozen=True)
class UtteranceMeasures:
    f0_median_semitones: float
    f0_spread_semitones: float
    speech_s: float
    pause_s: float
    level_db: float
    balance_db: float

    def vector(self) -> np.ndarray:
        return np.array(astuple(self), dtype=np.float64)

    @property
    def voice_vector(self) -> np.ndarray:
        """What says which voice and delivery a source is, whatever its length and level: the
        planner's input (F0 level and spread, share of time in pauses, spectral balance)."""
        pause_share = self.pause_s / max(self.pause_s + self.speech_s, 1e-6)
        return np.array([self.f0_median_semitones, self.f0_spread_semitones, pause_share, self.balance_db])


def _f0(x: np.ndarray, rate: int) -> np.ndarray:
    f0, t = pyworld.dio(x, rate, f0_floor=F0_FLOOR_HZ, f0_ceil=F0_CEIL_HZ, frame_period=FRAME_PERIOD_MS)
    return drop_short_runs(pyworld.stonemask(x, f0, t, rate), MIN_VOICED_FRAMES)


def _balance_db(x: np.ndarray, rate: int, active: np.ndarray) -> float:
    hop = max(1, int(round(FRAME_S * rate)))
    frames = np.flatnonzero(active[: len(x) // hop])
    if not frames.size:
        return 0.0
    size = 2 ** int(math.ceil(math.log2(2 * hop)))
    window = np.hanning(size)
    segments = np.stack([np.pad(x[i * hop:i * hop + size], (0, max(0, size - x[i * hop:i * hop + size].size)))
                         for i in frames]) * window
    power = (np.abs(np.fft.rfft(segments, axis=1)) ** 2).sum(axis=0)
    frequencies = np.fft.rfftfreq(size, 1.0 / rate)
    high, low = power[frequencies >= BALANCE_SPLIT_HZ].sum(), power[frequencies < BALANCE_SPLIT_HZ].sum()
    return float(10.0 * np.log10((high + 1e-12) / (low + 1e-12)))


def measure_utterance(audio: np.ndarray, sample_rate: int) -> UtteranceMeasures:
    """The measures of one mono recording (any rate from 8 kHz)."""
    x = np.ascontiguousarray(audio, dtype=np.float64)
    act = activity(x, sample_rate)
    voiced = _f0(x, sample_rate)
    voiced = 12.0 * np.log2(voiced[voiced > 0] / 100.0)
    median = float(np.median(voiced)) if voiced.size else 0.0
    spread = float(np.percentile(voiced, 80) - np.percentile(voiced, 20)) if voiced.size > 1 else 0.0
    pauses = pause_mask(act.active)
    inner = _inner(pauses)
    levels = frame_levels(x, sample_rate)[act.active] if act.active.any() else np.array([-120.0])
    level = float(10.0 * np.log10(np.mean(10.0 ** (levels / 10.0))))
    return UtteranceMeasures(median, spread, act.active_s, float(inner.sum() * FRAME_S), level,
                             _balance_db(x, sample_rate, act.active))


def _inner(pauses: np.ndarray) -> np.ndarray:
    """The pauses between speech: leading and trailing silence is not the speaker's."""
    speech = np.flatnonzero(~pauses)
    inner = np.zeros_like(pauses)
    if speech.size:
        inner[speech[0]:speech[-1] + 1] = pauses[speech[0]:speech[-1] + 1]
    return inner


# A pause factor from under this much pause on either side is noise, not delivery.
MIN_PAUSE_FOR_FACTOR_S = 0.1


def change_between(before: UtteranceMeasures, after: UtteranceMeasures) -> dict[str, float]:
    """What turned ``before`` into ``after`` (the same sentence by the same voice), in the
    prosody targets' units: semitones and dB as differences; range, tempo and pause as factors
    (tempo > 1 is faster)."""
    pause = (after.pause_s / before.pause_s if min(before.pause_s, after.pause_s) >= MIN_PAUSE_FOR_FACTOR_S
             else 1.0)
    spread = after.f0_spread_semitones / before.f0_spread_semitones if before.f0_spread_semitones > 0.1 else 1.0
    return {"f0_shift_semitones": after.f0_median_semitones - before.f0_median_semitones,
            "loudness_db": after.level_db - before.level_db,
            "spectral_tilt_db": after.balance_db - before.balance_db,
            "f0_range_factor": spread,
            "tempo_factor": before.speech_s / after.speech_s if after.speech_s > 0 else 1.0,
            "pause_factor": pause}
