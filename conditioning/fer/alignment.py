"""Aligned face crops: every face, whatever its size, position and tilt in the image, is
mapped by its eye centres to the same small grey square, so the network sees expression
rather than framing. The crop spans brows to chin."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

RIGHT_EYE, LEFT_EYE = slice(36, 42), slice(42, 48)


@dataclass(frozen=True)
class AlignmentConfig:
    size: int = 64
    eye_height: float = 0.33        # eye line, as a share of the crop height
    eye_distance: float = 0.34      # between eye centres, as a share of the crop width


def alignment_matrix(landmarks: np.ndarray, config: AlignmentConfig = AlignmentConfig()) -> np.ndarray:
    """2x3 similarity transform taking image pixels to crop pixels."""
    right = landmarks[RIGHT_EYE].mean(axis=0)
    left = landmarks[LEFT_EYE].mean(axis=0)
    between = left - right
    distance = float(np.hypot(*between))
    if distance < 1.0:
        raise ValueError("the eyes of these landmarks coincide; they do not describe a face")
    scale = config.eye_distance * config.size / distance
    angle = np.arctan2(between[1], between[0])
    cos, sin = scale * np.cos(-angle), scale * np.sin(-angle)
    rotation = np.array([[cos, -sin], [sin, cos]])
    centre = (right + left) / 2
    target = np.array([config.size / 2, config.eye_height * config.size])
    return np.column_stack([rotation, target - rotation @ centre])


def aligned_face(image: np.ndarray, landmarks: np.ndarray, config: AlignmentConfig = AlignmentConfig()) -> np.ndarray:
    """RGB or grey uint8 image + 68 landmarks -> (size, size) float32 grey in [0, 1],
    contrast-normalised so lighting and skin tone matter less than shape."""
    grey = image if image.ndim == 2 else cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY)
    crop = cv2.warpAffine(grey, alignment_matrix(np.asarray(landmarks, dtype=np.float64), config),
                          (config.size, config.size), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE).astype(np.float32) / 255.0
    return (crop - crop.mean()) / max(float(crop.std()), 0.02) * 0.2 + 0.5
