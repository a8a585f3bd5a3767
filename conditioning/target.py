"""`EmotionTarget`: the one value every emotion input form resolves to."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import ClassVar, Iterable, Mapping, Sequence

import numpy as np

from .categories import CATEGORIES, CATEGORY_INDEX
from .errors import EmotionInputError
from .voice import VoiceDescriptors

VAD_NAMES = ("valence", "arousal", "dominance")


def check_unit_interval(name: str, value: float) -> float:
    value = _finite(name, value)
    if not 0.0 <= value <= 1.0:
        raise EmotionInputError(f"{name} must be in [0, 1]; got {value}")
    return value


def check_vad(values: Sequence[float]) -> tuple[float, float, float]:
    """Validates a VAD triple in [-1, 1]^3, naming the offending component."""
    if len(values) != 3:
        raise EmotionInputError(f"VAD needs 3 values (valence, arousal, dominance); got {len(values)}")
    checked = []
    for name, value in zip(VAD_NAMES, values):
        value = _finite(name, value)
        if not -1.0 <= value <= 1.0:
            raise EmotionInputError(f"{name} must be in [-1, 1]; got {value}")
        checked.append(value)
    return tuple(checked)  # type: ignore[return-value]


def _finite(name: str, value: float) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise EmotionInputError(f"{name} must be a number; got {value!r}") from None
    if not math.isfinite(value):
        raise EmotionInputError(f"{name} must be a finite number; got {value}")
    return value


def normalized_distribution(weights: Mapping[str, float] | Sequence[float]) -> tuple[float, ...]:
    """A distribution over CATEGORIES from category weights (by name or position)."""
    if isinstance(weights, Mapping):
        vector = np.zeros(len(CATEGORIES))
        for name, weight in weights.items():
            if name not in CATEGORY_INDEX:
                raise EmotionInputError(
                    f"unknown category {name!r}; the categories are {', '.join(CATEGORIES)}")
            vector[CATEGORY_INDEX[name]] += _finite(f"weight of {name}", weight)
    else:
        if len(weights) != len(CATEGORIES):
            raise EmotionInputError(f"a category distribution needs {len(CATEGORIES)} values")
        vector = np.array([_finite("category weight", w) for w in weights], dtype=float)
    if (vector < 0).any():
        raise EmotionInputError("category weights must not be negative")
    total = vector.sum()
    if total <= 0:
        raise EmotionInputError("category weights must not all be zero")
    return tuple(float(x) for x in vector / total)


@dataclass(frozen=True)
class EmotionTarget:
    """A point in the shared emotion space.

    vad: valence, arousal, dominance in [-1, 1]; categories: a distribution over
    CATEGORIES; intensity in [0, 1]; voice: optional descriptors of how the voice sounds.
    """

    vad: tuple[float, float, float]
    categories: tuple[float, ...]
    intensity: float
    voice: VoiceDescriptors = field(default_factory=VoiceDescriptors)

    def __post_init__(self) -> None:
        object.__setattr__(self, "vad", check_vad(self.vad))
        object.__setattr__(self, "categories", normalized_distribution(self.categories))
        object.__setattr__(self, "intensity", check_unit_interval("intensity", self.intensity))

    @property
    def valence(self) -> float:
        return self.vad[0]

    @property
    def arousal(self) -> float:
        return self.vad[1]

    @property
    def dominance(self) -> float:
        return self.vad[2]

    @property
    def category(self) -> str:
        """The most probable category."""
        return CATEGORIES[int(np.argmax(self.categories))]

    def category_dict(self) -> dict[str, float]:
        return dict(zip(CATEGORIES, self.categories))

    def top_categories(self, k: int = 2) -> list[tuple[str, float]]:
        ranked = sorted(self.category_dict().items(), key=lambda item: -item[1])
        return ranked[:k]

    # The timeline interface (`at`, `sample`, `first`, `last`, `varies_over_time`), shared with
    # conditioning.timeline.EmotionTimeline: a static target is a timeline that never changes,
    # so a generator samples whichever it is given the same way instead of asking which it is.
    varies_over_time: ClassVar[bool] = False

    def at(self, time: float) -> "EmotionTarget":
        """A static target is the same at every time."""
        return self

    def sample(self, frame_rate: float, duration: float | None = None) -> list["EmotionTarget"]:
        """This target at each frame over `duration` (default: one frame), as a timeline samples."""
        if frame_rate <= 0:
            raise EmotionInputError("frame rate must be positive")
        return [self] * max(1, int(round((duration or 0.0) * frame_rate)))

    @property
    def first(self) -> "EmotionTarget":
        return self

    @property
    def last(self) -> "EmotionTarget":
        return self

    def with_voice(self, voice: VoiceDescriptors) -> "EmotionTarget":
        return EmotionTarget(self.vad, self.categories, self.intensity, voice)

    def to_dict(self) -> dict:
        """Full precision, so that the JSON reproduces the target exactly."""
        return {
            "vad": dict(zip(VAD_NAMES, self.vad)),
            "categories": self.category_dict(),
            "intensity": self.intensity,
            "voice": self.voice.as_dict(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: Mapping) -> "EmotionTarget":
        try:
            vad = data["vad"]
            vad = [vad[name] for name in VAD_NAMES] if isinstance(vad, Mapping) else vad
            return cls(tuple(vad), data["categories"], data["intensity"],
                       VoiceDescriptors(**data.get("voice", {})))
        except KeyError as missing:
            raise EmotionInputError(f"emotion target is missing {missing}") from None

    def __str__(self) -> str:
        top = ", ".join(f"{name} {p:.2f}" for name, p in self.top_categories(3))
        v, a, d = self.vad
        voice = f", voice {self.voice.as_dict()}" if not self.voice.is_empty() else ""
        return (f"EmotionTarget(valence {v:+.2f}, arousal {a:+.2f}, dominance {d:+.2f}; "
                f"{top}; intensity {self.intensity:.2f}{voice})")


def mix_targets(targets: Sequence[EmotionTarget], weights: Iterable[float] | None = None) -> EmotionTarget:
    """The weighted blend of targets; voice descriptors of earlier targets win."""
    if not targets:
        raise EmotionInputError("nothing to mix")
    w = np.ones(len(targets)) if weights is None else np.array(list(weights), dtype=float)
    if len(w) != len(targets) or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise EmotionInputError("mixture weights must be finite, non-negative and not all zero")
    w = w / w.sum()
    vad = np.clip(sum(wi * np.array(t.vad) for wi, t in zip(w, targets)), -1, 1)
    categories = sum(wi * np.array(t.categories) for wi, t in zip(w, targets))
    intensity = float(np.clip(sum(wi * t.intensity for wi, t in zip(w, targets)), 0, 1))
    voice = VoiceDescriptors()
    for target in reversed(targets):
        voice = target.voice.merged_over(voice)
    return EmotionTarget(tuple(vad), tuple(categories), intensity, voice)


NEUTRAL = EmotionTarget((0.0, 0.0, 0.0), {"neutral": 1.0}, 0.0)
