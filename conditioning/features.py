"""A target as a fixed-length numeric vector: the input of the EmotionEncoder."""

from __future__ import annotations

import numpy as np

from .categories import CATEGORIES
from .timeline import EmotionSource, EmotionTimeline
from .voice import DESCRIPTOR_VALUES
from .target import EmotionTarget

# Each descriptor is one-hot over (unspecified, *values).
_VOICE_WIDTH = sum(len(values) + 1 for values in DESCRIPTOR_VALUES.values())
FEATURE_DIM = 3 + len(CATEGORIES) + 1 + _VOICE_WIDTH


def target_features(target: EmotionTarget) -> np.ndarray:
    parts = [np.array(target.vad), np.array(target.categories), np.array([target.intensity])]
    voice = target.voice.as_dict()
    for field, values in DESCRIPTOR_VALUES.items():
        one_hot = np.zeros(len(values) + 1)
        one_hot[values.index(voice[field]) + 1 if field in voice else 0] = 1.0
        parts.append(one_hot)
    return np.concatenate(parts).astype(np.float32)


def source_features(source: EmotionSource, frame_rate: float | None = None,
                    duration: float | None = None) -> np.ndarray:
    """(FEATURE_DIM,) for a static target without a frame rate; (frames, FEATURE_DIM)
    sampled at `frame_rate` over `duration` otherwise (a static target repeats)."""
    if frame_rate is None:
        if source.varies_over_time:
            raise ValueError("a timeline needs a frame rate to become features")
        return target_features(source)
    if isinstance(source, EmotionTimeline):
        return np.stack([target_features(t) for t in source.sample(frame_rate, duration)])
    frames = max(1, int(round((duration or 0.0) * frame_rate)))
    return np.repeat(target_features(source)[None], frames, axis=0)
