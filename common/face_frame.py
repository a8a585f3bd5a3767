"""The face's own frame: the similarity transform, found from the eyes, between image pixels
and canonical units (inter-ocular distance, origin between the eyes), and the iBUG 68-point
index groups it is read from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LANDMARKS = 68
JAW = tuple(range(0, 17))
RIGHT_EYE, LEFT_EYE = tuple(range(36, 42)), tuple(range(42, 48))


@dataclass(frozen=True)
class FaceFrame:
    """The similarity transform between the canonical face frame and an image."""

    center: np.ndarray
    scale: float
    angle: float

    @classmethod
    def of(cls, landmarks: np.ndarray) -> "FaceFrame":
        right_eye = landmarks[list(RIGHT_EYE)].mean(axis=0)
        left_eye = landmarks[list(LEFT_EYE)].mean(axis=0)
        between = left_eye - right_eye
        return cls((right_eye + left_eye) / 2, float(np.hypot(*between)),
                   float(np.arctan2(between[1], between[0])))

    def _rotation(self, angle: float) -> np.ndarray:
        return np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])

    def to_canonical(self, points: np.ndarray) -> np.ndarray:
        return (points - self.center) @ self._rotation(-self.angle).T / self.scale

    def to_image(self, points: np.ndarray) -> np.ndarray:
        return points * self.scale @ self._rotation(self.angle).T + self.center
