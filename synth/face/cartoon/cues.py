"""Expression cues the landmarks only imply (raised brows, a furrow, a smile), measured
against the rest pose so the drawing can show them with matching strength."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EYE_PAIRS = (((37, 41), (38, 40)), ((43, 47), (44, 46)))
_INNER_PAIRS = ((61, 67), (62, 66), (63, 65))


@dataclass(frozen=True)
class ExpressionCues:
    """How far a posed face has moved from rest, in head-frame template units."""

    eye_openness: tuple[float, float]   # fraction of the rest opening, per eye
    brow_raise: float
    brow_furrow: float                  # inner brows drawn together
    cheek_raise: float
    corner_rise: float                  # mouth corners up (+) or down (-)
    nose_wrinkle: float
    mouth_gap: float

    @classmethod
    def of(cls, rest: np.ndarray, posed: np.ndarray) -> "ExpressionCues":
        def rise(indices: list[int]) -> float:
            return float(np.mean(rest[indices, 1] - posed[indices, 1]))

        def gap(points: np.ndarray, pairs: tuple[tuple[int, int], ...]) -> float:
            return float(np.mean([points[lower, 1] - points[upper, 1] for upper, lower in pairs]))

        right_eye, left_eye = (gap(posed, pairs) / max(gap(rest, pairs), 1e-6) for pairs in EYE_PAIRS)
        return cls(
            eye_openness=(right_eye, left_eye),
            brow_raise=rise(list(range(17, 27))),
            brow_furrow=float((rest[22, 0] - rest[21, 0]) - (posed[22, 0] - posed[21, 0])),
            cheek_raise=rise([40, 41, 46, 47]),
            corner_rise=rise([48, 54]),
            nose_wrinkle=rise([31, 32, 33, 34, 35]),
            mouth_gap=gap(posed, _INNER_PAIRS),
        )
