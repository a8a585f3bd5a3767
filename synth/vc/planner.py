"""What to change: the prosody a conversion applies, relative to the source's own emotion.

The prosody prior (conditioning.prosody) says how each emotion departs from a speaker's
neutral voice. A recording already carries an emotion, so a conversion applies the
difference: the prior's targets for the asked emotion minus those of the source's (semitones,
dB and amounts subtract; range, tempo and pause factors divide), scaled by the intensity
(additive cues linearly, factors in log). Sad speech made neutral is therefore raised and
quickened; neutral speech made neutral is left alone.

:class:`ConversionPlanner` is what the converter asks; :class:`PriorPlanner` is the literature
prior's, ``learned_planner.LearnedPlanner`` the one trained on the corpus's parallel pairs.
"""

from __future__ import annotations

import dataclasses
from typing import Protocol

import numpy as np

from conditioning.prosody import ProsodyTargets, prosody_prior
from conditioning.target import EmotionTarget

ADDITIVE = ("f0_shift_semitones", "loudness_db", "spectral_tilt_db", "breathiness", "jitter", "shimmer")
FACTORS = ("f0_range_factor", "tempo_factor", "pause_factor")
# Added noise and irregularity cannot be taken out of a recording by the transform: a source
# breathier or creakier than its target keeps its own.
ONLY_ADDED = ("breathiness", "jitter", "shimmer")
# Within the transform's accepted ranges, and the prior's own bounds for a single emotion.
BOUNDS = {"f0_shift_semitones": (-12.0, 12.0), "loudness_db": (-20.0, 12.0), "spectral_tilt_db": (-12.0, 12.0),
          "breathiness": (0.0, 0.94), "jitter": (0.0, 0.05), "shimmer": (0.0, 0.1),
          "f0_range_factor": (0.2, 3.0), "tempo_factor": (0.5, 2.0), "pause_factor": (0.3, 3.0)}
NO_CHANGE = ProsodyTargets()


class ConversionPlanner(Protocol):
    """Maps (source emotion, target emotion, intensity) to the prosody change to apply, for one
    recording (``for_recording`` gives the planner that plans for it)."""

    name: str

    def for_recording(self, audio: np.ndarray, sample_rate: int, seed: int) -> "ConversionPlanner": ...

    def plan(self, source: EmotionTarget, target: EmotionTarget, intensity: float) -> ProsodyTargets: ...


def relative_targets(target: ProsodyTargets, source: ProsodyTargets, intensity: float = 1.0) -> ProsodyTargets:
    """``target`` minus ``source`` (factors as ratios), times ``intensity``, within BOUNDS."""
    values = {}
    for name in ADDITIVE:
        values[name] = intensity * (getattr(target, name) - getattr(source, name))
    for name in FACTORS:
        values[name] = float(np.exp(intensity * np.log(getattr(target, name) / getattr(source, name))))
    return ProsodyTargets(**{name: float(np.clip(value, *BOUNDS[name])) for name, value in values.items()})


def is_no_change(targets: ProsodyTargets, tolerance: float = 1e-6) -> bool:
    return all(abs(getattr(targets, f) - getattr(NO_CHANGE, f)) <= tolerance for f in ADDITIVE + FACTORS)


@dataclasses.dataclass(frozen=True)
class PriorPlanner:
    """The literature prior's difference between the two emotions."""

    name: str = "prior"

    def for_recording(self, audio: np.ndarray, sample_rate: int, seed: int) -> "PriorPlanner":
        return self   # the prior is the same for every voice

    def plan(self, source: EmotionTarget, target: EmotionTarget, intensity: float) -> ProsodyTargets:
        return relative_targets(prosody_prior(target), prosody_prior(source), intensity)
