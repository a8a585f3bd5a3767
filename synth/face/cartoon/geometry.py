"""Shapes of the cartoon head: smoothed outlines, the identity's reshaped landmarks, the
skull, ears and shoulders, and the head frame they are laid out in."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..rig import TEMPLATE, FaceFrame
from .identity import CartoonIdentity

SAMPLES = 5                  # spline samples per landmark segment


@lru_cache(maxsize=None)
def _spline_rows(count: int, samples: int, closed: bool) -> np.ndarray:
    """A matrix that turns `count` control points into a Catmull-Rom curve through them."""
    t = np.arange(samples) / samples
    weights = 0.5 * np.stack([-t**3 + 2 * t**2 - t, 3 * t**3 - 5 * t**2 + 2,
                              -3 * t**3 + 4 * t**2 + t, t**3 - t**2], axis=1)
    segments = count if closed else count - 1
    rows = np.zeros((segments * samples + (0 if closed else 1), count))
    for segment in range(segments):
        neighbours = np.arange(segment - 1, segment + 3)
        neighbours = neighbours % count if closed else np.clip(neighbours, 0, count - 1)
        for k, index in enumerate(neighbours):
            rows[segment * samples:(segment + 1) * samples, index] += weights[:, k]
    if not closed:
        rows[-1, -1] = 1.0
    return rows


def smooth(points: np.ndarray, closed: bool, samples: int = SAMPLES) -> np.ndarray:
    return _spline_rows(len(points), samples, closed) @ points


def ellipse(center: tuple[float, float], radii: tuple[float, float], start: float = 0.0,
             stop: float = 2 * np.pi, count: int = 32) -> np.ndarray:
    angles = np.linspace(start, stop, count, endpoint=stop - start < 2 * np.pi - 1e-9)
    return np.column_stack([center[0] + radii[0] * np.cos(angles), center[1] + radii[1] * np.sin(angles)])


def tapered_stroke(curve: np.ndarray, widths: np.ndarray) -> np.ndarray:
    """The outline of a stroke along `curve` whose width varies point by point."""
    tangent = np.gradient(curve, axis=0)
    tangent /= np.maximum(np.linalg.norm(tangent, axis=1, keepdims=True), 1e-9)
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]]) * (widths[:, None] / 2)
    return np.concatenate([curve + normal, (curve - normal)[::-1]])


def shaped_landmarks(identity: CartoonIdentity) -> np.ndarray:
    """The canonical TEMPLATE (68 points, template units) reshaped into this identity's face."""
    points = TEMPLATE.copy()
    jaw = points[:17]
    sweep = np.pi * (1 - np.arange(17) / 16)
    elliptical = np.column_stack([1.072 * np.cos(sweep), 0.072 + 1.663 * np.sin(sweep)])
    jaw[:] = jaw + identity.jaw_roundness * (elliptical - jaw)
    near_chin = np.exp(-(((np.arange(17) - 8) / 2.2) ** 2))
    jaw[:, 0] *= 1 - 0.3 * identity.chin_pointiness * near_chin
    jaw[:, 1] += 0.05 * identity.chin_pointiness * near_chin
    jaw[:, 1] += (identity.jaw_length - 1) * np.maximum(jaw[:, 1] - 0.6, 0.0)
    jaw[:, 0] *= identity.face_width

    for eye, brow in ((slice(36, 42), slice(17, 22)), (slice(42, 48), slice(22, 27))):
        center = points[eye].mean(axis=0)
        # Rounder than the almond-shaped real eye: cartoon eyes read at small sizes.
        points[eye] = center + (points[eye] - center) * identity.eye_size * (1.0, 1.3)
        # Cartoon brows are shorter than real ones; bigger eyes push them up out of the way.
        brow_center = points[brow].mean(axis=0)
        points[brow, 0] = brow_center[0] + 0.85 * (points[brow, 0] - brow_center[0])
        points[brow, 1] -= 0.12 * (identity.eye_size - 1)
        shift = (identity.eye_spacing - 1) * center[0]
        points[eye, 0] += shift
        points[brow, 0] += shift

    nose = slice(31, 36)
    points[nose, 0] *= identity.nose_size
    points[nose, 1] = 0.718 + (points[nose, 1] - 0.718) * identity.nose_size
    points[30, 1] = 0.718 + (points[30, 1] - 0.718) * identity.nose_size
    points[48:68, 0] *= identity.mouth_width
    return points


@dataclass(frozen=True)
class HeadShape:
    """The skull ellipse (template units, head frame) the hair and ears are built around."""

    half_width: float
    center_y: float
    height: float

    def arc(self, grow_x: float, grow_y: float, start: float, stop: float, count: int = 40) -> np.ndarray:
        """Points on the grown skull ellipse; angle 0 is the image-right side, -pi/2 the top."""
        return ellipse((0.0, self.center_y), (self.half_width + grow_x, self.height + grow_y),
                        start, stop, count)

    def angle_at(self, y: float, grow_y: float = 0.0) -> float:
        """The angle (right side, upper half) where the grown ellipse reaches height `y`."""
        return float(np.arcsin(np.clip((y - self.center_y) / (self.height + grow_y), -1, 1)))


def ear_shapes(half_width: float) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Each ear's outline and its inner fold (an arc open toward the face), in the head frame."""
    ears = []
    for side in (-1.0, 1.0):
        outline = ellipse((side * (half_width - 0.02), 0.32), (0.17, 0.26), count=24)
        fold = ellipse((0.0, 0.0), (0.08, 0.15), -np.pi / 2, np.pi / 2, 10) * (side, 1.0)
        ears.append((outline, fold + (side * (half_width + 0.02), 0.34)))
    return tuple(ears)


def head_frame(points: np.ndarray, unit_ratio: float = 1.0) -> FaceFrame:
    """The similarity frame of the head, from the eye corners.

    Unlike `FaceFrame.of` (eye means), eye corners stay put while the lids move, so a blink or
    a wide-eyed stare does not shift the hair or fake a raised brow; `unit_ratio` converts
    inter-ocular units to template units.
    """
    right_eye = (points[36] + points[39]) / 2
    left_eye = (points[42] + points[45]) / 2
    between = left_eye - right_eye
    return FaceFrame((right_eye + left_eye) / 2, float(np.hypot(*between)) * unit_ratio,
                     float(np.arctan2(between[1], between[0])))


_TEMPLE_WEIGHTS = np.array([1.0, 1.0, 0.7, 0.35])


def _jaw_around_features(posed: np.ndarray) -> np.ndarray:
    """The posed jaw, its upper ends pushed out to keep brows and eyes inside the silhouette.

    The rig gives the jaw line less depth than the brows, so a turned head would swing a brow
    past the jaw points; a drawn face must still contain its features.
    """
    jaw = posed[:17].copy()
    features = np.concatenate([posed[17:27], posed[36:48]])
    left_reach = float(features[:, 0].min()) - 0.12
    right_reach = float(features[:, 0].max()) + 0.12
    upper_left, upper_right = slice(0, 4), slice(16, 12, -1)
    jaw[upper_left, 0] += _TEMPLE_WEIGHTS * np.minimum(left_reach - jaw[upper_left, 0], 0.0)
    jaw[upper_right, 0] += _TEMPLE_WEIGHTS * np.maximum(right_reach - jaw[upper_right, 0], 0.0)
    return jaw


def face_outline(posed: np.ndarray, head: HeadShape) -> np.ndarray:
    """The jaw (0-16) closed over the top by the skull arc, in the head frame.

    The arc's width follows the posed jaw ends, its height stays the rest skull's: the hair is
    laid out around the rest skull, and a nod must not push the scalp out through it.
    """
    jaw = _jaw_around_features(posed)
    left, right = float(jaw[0, 0]), float(jaw[16, 0])
    angles = np.linspace(0.0, -np.pi, 30)
    arc = np.column_stack([(left + right) / 2 + (right - left) / 2 * np.cos(angles),
                           head.center_y + head.height * np.sin(angles)])
    return np.concatenate([smooth(jaw, closed=False, samples=3), arc])


# Shoulders and a round neckline, in the placement frame (template units about the eyes).
BODY = np.concatenate([
    np.array([(-3.2, 3.2), (-3.0, 2.55)]),
    smooth(np.array([(-2.9, 2.45), (-2.2, 2.12), (-1.2, 2.0), (-0.62, 1.98)]), closed=False, samples=4),
    smooth(np.array([(-0.62, 1.98), (-0.3, 2.2), (0.0, 2.26), (0.3, 2.2), (0.62, 1.98)]),
           closed=False, samples=4)[1:],
    smooth(np.array([(0.62, 1.98), (1.2, 2.0), (2.2, 2.12), (2.9, 2.45)]), closed=False, samples=4)[1:],
    np.array([(3.0, 2.55), (3.2, 3.2)]),
])
