"""Time-varying emotion: keyframes (time -> any static input form), interpolated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .errors import EmotionInputError
from .target import EmotionTarget

INTERPOLATIONS = ("linear", "smooth", "step")
MAX_KEYFRAMES = 1000


@dataclass(frozen=True)
class Keyframe:
    time: float
    target: EmotionTarget


def _blend(a: EmotionTarget, b: EmotionTarget, weight: float) -> EmotionTarget:
    """`a` moved `weight` of the way to `b`; voice descriptors switch at the midpoint."""
    vad = (1 - weight) * np.array(a.vad) + weight * np.array(b.vad)
    categories = (1 - weight) * np.array(a.categories) + weight * np.array(b.categories)
    intensity = (1 - weight) * a.intensity + weight * b.intensity
    return EmotionTarget(tuple(vad), tuple(categories), float(intensity),
                         a.voice if weight < 0.5 else b.voice)


_EASING: dict[str, Callable[[float], float]] = {
    "linear": lambda x: x,
    # Cosine ease-in-out: starts and ends changing slowly, as expressions do.
    "smooth": lambda x: 0.5 - 0.5 * np.cos(np.pi * x),
    "step": lambda x: 0.0,
}


class EmotionTimeline:
    """Keyframes sorted by time; before the first and after the last the value holds. It has
    the interface of a static EmotionTarget (`at`, `sample`, `first`, `last`,
    `varies_over_time`), so generators take either without asking which."""

    varies_over_time = True

    def __init__(self, keyframes: Sequence[Keyframe], interpolation: str = "linear"):
        if not keyframes:
            raise EmotionInputError("a timeline needs at least one keyframe")
        if len(keyframes) > MAX_KEYFRAMES:
            raise EmotionInputError(f"a timeline may have at most {MAX_KEYFRAMES} keyframes")
        if interpolation not in INTERPOLATIONS:
            raise EmotionInputError(
                f"interpolation must be one of {', '.join(INTERPOLATIONS)}; got {interpolation!r}")
        times = [k.time for k in keyframes]
        if any(not np.isfinite(t) or t < 0 for t in times):
            raise EmotionInputError("keyframe times must be finite and not negative")
        ordered = sorted(keyframes, key=lambda k: k.time)
        shared = sorted({a.time for a, b in zip(ordered, ordered[1:]) if a.time == b.time})
        if shared:
            raise EmotionInputError(f"two keyframes share the time {shared[0]:g}s")
        self.keyframes = tuple(ordered)
        self.interpolation = interpolation
        self._times = np.array([k.time for k in ordered])

    @property
    def duration(self) -> float:
        """Time of the last keyframe."""
        return float(self._times[-1])

    @property
    def first(self) -> EmotionTarget:
        return self.keyframes[0].target

    @property
    def last(self) -> EmotionTarget:
        return self.keyframes[-1].target

    def at(self, time: float) -> EmotionTarget:
        index = int(np.searchsorted(self._times, time, side="right"))
        if index == 0:
            return self.first
        if index == len(self.keyframes):
            return self.last
        before, after = self.keyframes[index - 1], self.keyframes[index]
        progress = (time - before.time) / (after.time - before.time)
        return _blend(before.target, after.target, float(_EASING[self.interpolation](progress)))

    def sample(self, frame_rate: float, duration: float | None = None) -> list[EmotionTarget]:
        """The target at each frame centre, over `duration` (default: to the last keyframe)."""
        if frame_rate <= 0:
            raise EmotionInputError("frame rate must be positive")
        total = self.duration if duration is None else duration
        count = max(1, int(round(total * frame_rate)))
        return [self.at((i + 0.5) / frame_rate) for i in range(count)]

    def to_dict(self) -> dict:
        return {"interpolation": self.interpolation,
                "keyframes": [{"time": k.time, "emotion": k.target.to_dict()} for k in self.keyframes]}

    def __repr__(self) -> str:
        frames = "; ".join(f"{k.time:g}s {k.target.category} {k.target.intensity:.2f}"
                           for k in self.keyframes)
        return f"EmotionTimeline({frames}; {self.interpolation})"


EmotionSource = EmotionTarget | EmotionTimeline
