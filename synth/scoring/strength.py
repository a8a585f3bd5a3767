"""Turning a generator's emotion up or down where it has no guidance: the asked intensity is
scaled (faces: the action units follow intensity; a timeline: every keyframe alike)."""

from __future__ import annotations

import dataclasses

from conditioning.timeline import EmotionSource, EmotionTimeline, Keyframe

MAX_FACTOR = 4.0
MIN_FACTOR = 0.25


def scaled_intensity(source: EmotionSource, factor: float) -> EmotionSource:
    """`source` with every intensity times `factor`, kept in 0..1."""
    if isinstance(source, EmotionTimeline):
        return EmotionTimeline([Keyframe(k.time, scaled_intensity(k.target, factor)) for k in source.keyframes],
                               source.interpolation)
    return dataclasses.replace(source, intensity=min(1.0, max(0.0, source.intensity * factor)))


def intensity_bounds(source: EmotionSource) -> tuple[float, float]:
    """The factors worth trying: above 1 / the largest intensity nothing changes any more."""
    targets = [k.target for k in source.keyframes] if isinstance(source, EmotionTimeline) else [source]
    strongest = max(t.intensity for t in targets)
    return MIN_FACTOR, max(1.0, min(MAX_FACTOR, 1.0 / strongest if strongest > 0 else MAX_FACTOR))


__all__ = ["intensity_bounds", "scaled_intensity"]
