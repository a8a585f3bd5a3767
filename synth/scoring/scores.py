"""How far one output's reading is from what was asked: the terms a candidate is ranked by.

Every term is in 0..1 (0: exactly what was asked), so the weights say how much each matters:
  * category distance: Jensen-Shannon distance (base 2) between the asked and the read
    category distributions (0 same, 1 disjoint), plus a miss when the read top category is
    not the asked one (what a listener would name is what matters most);
  * VAD distance: Euclidean distance in valence-arousal-dominance over the space's diameter;
  * intensity error: read minus asked intensity (signed: calibration needs the direction);
  * intelligibility (speech, where a judge gives it): 1 minus the share of words understood;
  * identity (faces, where a judge gives it): how far the face drifted from the portrait.
Candidates are ranked by how often the category was missed first, then by the total
(`CandidateScore.rank`). A reading the recognizer marks unreliable (out of its training
distribution, low confidence) is never ranked above a reliable one, and calibration never
steers by it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import jensenshannon

from conditioning.target import EmotionTarget

VAD_DIAMETER = 2.0 * math.sqrt(3.0)   # corner to corner of [-1, 1]^3


@dataclass(frozen=True)
class ScoreWeights:
    category: float = 1.0
    category_miss: float = 0.5
    vad: float = 0.5
    # Twice the others: at equal category, the candidate closer to the asked intensity should win
    # (measured: it raised the intensity Spearman of the kept outputs, docs/scoring.md).
    intensity: float = 2.0
    intelligibility: float = 1.0
    identity: float = 1.0


@dataclass(frozen=True)
class Segment:
    """One stretch of a timeline: what was asked at its centre and what was read over it."""
    start_s: float
    end_s: float
    asked: EmotionTarget
    read: EmotionTarget


@dataclass(frozen=True)
class Judgement:
    """What the judges made of one output. `reading` None: nothing could judge it (too short).
    `segments` (timelines) replace the single reading in the score."""
    reading: EmotionTarget | None
    reliable: bool = True
    intelligibility: float | None = None      # 0..1, share of words understood
    identity_distance: float | None = None    # 0..1, 0 = the portrait's own face
    segments: tuple[Segment, ...] = ()


@dataclass(frozen=True)
class CandidateScore:
    category_distance: float | None
    vad_distance: float | None
    intensity_error: float | None            # read - asked; < 0: weaker than asked
    read_category: str | None
    read_intensity: float | None
    intelligibility: float | None
    identity_distance: float | None
    reliable: bool
    total: float                             # weighted sum; lower is better; inf: not judged
    category_miss: float | None = None       # share of readings (segments) not of the asked category

    @property
    def trusted(self) -> bool:
        return self.reliable and math.isfinite(self.total)

    @property
    def rank(self) -> tuple[float, float]:
        """What candidates are ordered by: first how often the category was missed (a listener
        names the category before judging its strength, so a right category read a little off
        in intensity beats a wrong one at the right intensity), then the total."""
        return (1.0 if self.category_miss is None else self.category_miss, self.total)

    def to_dict(self) -> dict:
        def rounded(value):
            return None if value is None else round(float(value), 4)
        return {"total": rounded(self.total) if math.isfinite(self.total) else None,
                "category_distance": rounded(self.category_distance), "vad_distance": rounded(self.vad_distance),
                "intensity_error": rounded(self.intensity_error), "read_category": self.read_category,
                "read_intensity": rounded(self.read_intensity), "intelligibility": rounded(self.intelligibility),
                "identity_distance": rounded(self.identity_distance), "reliable": self.reliable,
                "category_miss": rounded(self.category_miss)}


def category_distance(asked: EmotionTarget, read: EmotionTarget) -> float:
    return float(jensenshannon(np.array(asked.categories), np.array(read.categories), base=2))


def vad_distance(asked: EmotionTarget, read: EmotionTarget) -> float:
    return float(np.linalg.norm(np.subtract(asked.vad, read.vad)) / VAD_DIAMETER)


def score(asked: EmotionTarget, judgement: Judgement, weights: ScoreWeights = ScoreWeights()) -> CandidateScore:
    """The candidate's score against `asked` (a timeline's segments against their own targets)."""
    pairs = [(s.asked, s.read) for s in judgement.segments] or (
        [(asked, judgement.reading)] if judgement.reading is not None else [])
    if not pairs:
        return CandidateScore(None, None, None, None, None, judgement.intelligibility,
                              judgement.identity_distance, judgement.reliable, math.inf)
    categories = float(np.mean([category_distance(a, r) for a, r in pairs]))
    vads = float(np.mean([vad_distance(a, r) for a, r in pairs]))
    intensity_error = float(np.mean([r.intensity - a.intensity for a, r in pairs]))
    misses = float(np.mean([r.category != a.category for a, r in pairs]))
    total = (weights.category * categories + weights.category_miss * misses + weights.vad * vads
             + weights.intensity * abs(intensity_error))
    if judgement.intelligibility is not None:
        total += weights.intelligibility * (1.0 - judgement.intelligibility)
    if judgement.identity_distance is not None:
        total += weights.identity * judgement.identity_distance
    read = judgement.reading if judgement.reading is not None else pairs[0][1]
    return CandidateScore(categories, vads, intensity_error, read.category, float(read.intensity),
                          judgement.intelligibility, judgement.identity_distance, judgement.reliable, total, misses)


def mean_reading(targets: Sequence[EmotionTarget]) -> EmotionTarget:
    """The average of several readings (windows of a segment, frames of a clip)."""
    categories = np.mean([t.categories for t in targets], axis=0)
    return EmotionTarget(tuple(np.clip(np.mean([t.vad for t in targets], axis=0), -1, 1)), tuple(categories),
                         float(np.clip(np.mean([t.intensity for t in targets]), 0, 1)))


def timeline_segments(timeline, windows: Sequence[tuple[float, EmotionTarget]],
                      duration_s: float) -> tuple[Segment, ...]:
    """Per-segment scoring of a timeline: the stretches between its keyframes (and after the
    last, to the end), each read as the mean of the recognizer's windows whose centres fall in
    it and asked as the timeline at its centre. Stretches no window falls in are skipped."""
    times = sorted({0.0, *(min(k.time, duration_s) for k in timeline.keyframes), duration_s})
    segments = []
    for start, end in zip(times, times[1:]):
        inside = [target for time, target in windows if start <= time < end or (end == duration_s and time == end)]
        if end > start and inside:
            segments.append(Segment(start, end, timeline.at(0.5 * (start + end)), mean_reading(inside)))
    return tuple(segments)
