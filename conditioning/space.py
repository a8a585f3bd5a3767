"""Geometry of the emotion space: from a VAD point to a category mix and an intensity."""

from __future__ import annotations

import functools

import numpy as np

from .categories import CATEGORIES
from .target import EmotionTarget, check_vad
from .vocabulary import vocabulary
from .voice import VoiceDescriptors

# Softmax temperature over squared VAD distances: small enough that a category's own
# prototype is recognised as that category, large enough that points between
# prototypes get a mix.
CATEGORY_TEMPERATURE = 0.02


@functools.cache
def category_prototypes() -> tuple[np.ndarray, np.ndarray]:
    """VAD of each core category at its nominal intensity, and those intensities."""
    entries = [vocabulary().lookup(name) for name in CATEGORIES]
    vad = np.array([entry.target().vad for entry in entries])
    return vad, np.array([entry.intensity for entry in entries])


def categories_from_vad(vad: np.ndarray) -> np.ndarray:
    """Soft category membership of a VAD point, compared with each category scaled
    to the point's own distance from neutral (so weak emotions keep their category)."""
    prototypes, _ = category_prototypes()
    radius = np.linalg.norm(vad)
    norms = np.linalg.norm(prototypes, axis=1, keepdims=True)
    directions = np.divide(prototypes, norms, out=np.zeros_like(prototypes), where=norms > 0)
    scaled = directions * radius
    logits = -((scaled - vad) ** 2).sum(axis=1) / CATEGORY_TEMPERATURE
    # Neutral competes as the origin: it wins when the point is close to it.
    neutral_logit = -(radius ** 2) / CATEGORY_TEMPERATURE - np.log(max(radius, 1e-6) / 0.15)
    logits[CATEGORIES.index("neutral")] = neutral_logit
    weights = np.exp(logits - logits.max())
    return weights / weights.sum()


def intensity_from_vad(vad: np.ndarray, categories: np.ndarray) -> float:
    """Distance from neutral in units of the category prototypes' own distances, so a
    prototype reads back at its nominal intensity; blended by the category mix so the
    value stays continuous across category borders."""
    prototypes, intensities = category_prototypes()
    norms = np.linalg.norm(prototypes, axis=1)
    emotional = norms > 0
    weights = categories[emotional]
    if weights.sum() <= 0:
        return 0.0
    scale = float(weights @ (intensities[emotional] / norms[emotional]) / weights.sum())
    return float(np.clip(np.linalg.norm(vad) * scale, 0.0, 1.0))


def target_from_vad(vad, voice: VoiceDescriptors = VoiceDescriptors()) -> EmotionTarget:
    point = np.array(check_vad(vad))
    categories = categories_from_vad(point)
    return EmotionTarget(tuple(point), tuple(categories), intensity_from_vad(point, categories), voice)
