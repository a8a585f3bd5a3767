"""What makes one cartoon person look unlike another: face shape, colours, hair style,
validated and drawn at random across the human range (skin tones, hair colours)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from .colours import RGB, hsv, jitter, mix, rgb, shade

HAIR_STYLES: tuple[str, ...] = ("short", "long", "bob", "bun", "curly", "spiky", "bald")
COLOUR_FIELDS: tuple[str, ...] = (
    "iris_colour", "skin_colour", "hair_colour", "lip_colour", "background_colour", "shirt_colour",
)
# Inclusive bounds of every numeric identity parameter; `random` samples inside them.
PARAMETER_RANGES: dict[str, tuple[float, float]] = {
    "face_width": (0.93, 1.18),        # x scale of the jaw outline
    "jaw_length": (0.88, 1.15),        # stretch of the jaw below the cheekbones
    "jaw_roundness": (-0.3, 1.0),      # 0 the template's jaw, 1 elliptical, < 0 squarer
    "chin_pointiness": (0.0, 1.0),
    "forehead_height": (1.15, 1.45),   # skull top above the eye line, template units
    "eye_size": (0.95, 1.55),          # scale of each eye about its centre
    "eye_spacing": (0.93, 1.07),
    "hair_parting": (-1.0, 1.0),       # side and depth of the fringe's sweep
    "brow_thickness": (0.04, 0.12),    # template units
    "mouth_width": (0.85, 1.15),
    "nose_size": (0.75, 1.35),
    "blush": (0.0, 0.8),               # cheek colour at rest; smiling adds to it
}


@dataclass(frozen=True)
class CartoonIdentity:
    """Everything that makes one cartoon person look unlike another; no motion here."""

    face_width: float = 1.0
    jaw_length: float = 1.0
    jaw_roundness: float = 0.45
    chin_pointiness: float = 0.25
    forehead_height: float = 1.3
    eye_size: float = 1.3
    eye_spacing: float = 1.0
    iris_colour: RGB = (86, 120, 60)
    skin_colour: RGB = (240, 196, 164)
    hair_style: str = "short"
    hair_colour: RGB = (92, 56, 34)
    hair_parting: float = 0.5
    brow_thickness: float = 0.08
    lip_colour: RGB = (204, 112, 112)
    mouth_width: float = 1.0
    nose_size: float = 1.0
    blush: float = 0.35
    background_colour: RGB = (196, 222, 238)
    shirt_colour: RGB = (64, 112, 176)

    def __post_init__(self) -> None:
        if self.hair_style not in HAIR_STYLES:
            raise ValueError(f"hair_style must be one of {HAIR_STYLES}; got {self.hair_style!r}")
        for name, (low, high) in PARAMETER_RANGES.items():
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not np.isfinite(value) or not low <= value <= high:
                raise ValueError(f"{name} must be a number in [{low}, {high}]; got {value!r}")
            object.__setattr__(self, name, float(value))
        for name in COLOUR_FIELDS:
            object.__setattr__(self, name, _checked_colour(name, getattr(self, name)))

    @classmethod
    def random(cls, rng: np.random.Generator) -> "CartoonIdentity":
        """A varied identity: skin tones across the human range, any hair, any face shape."""
        shape = {name: float(rng.uniform(low, high)) for name, (low, high) in PARAMETER_RANGES.items()}
        skin = _random_skin(rng)
        return cls(
            **shape,
            iris_colour=jitter(rng, _IRIS_COLOURS[rng.integers(len(_IRIS_COLOURS))], 12),
            skin_colour=skin,
            hair_style=str(rng.choice(HAIR_STYLES, p=_HAIR_STYLE_WEIGHTS)),
            hair_colour=_random_hair_colour(rng),
            lip_colour=shade(mix(skin, (196, 70, 90), rng.uniform(0.2, 0.6)), rng.uniform(0.78, 0.95)),
            background_colour=hsv(rng.uniform(0, 1), rng.uniform(0.1, 0.4), rng.uniform(0.8, 0.97)),
            shirt_colour=hsv(rng.uniform(0, 1), rng.uniform(0.25, 0.8), rng.uniform(0.3, 0.9)),
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in COLOUR_FIELDS:
            data[name] = list(data[name])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CartoonIdentity":
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown cartoon identity fields: {unknown}")
        return cls(**data)


_IRIS_COLOURS: tuple[RGB, ...] = (
    (70, 44, 26), (104, 66, 36), (122, 96, 52), (82, 118, 62), (70, 120, 170), (110, 140, 160),
    (44, 34, 30),
)
# Light to dark, a roughly even walk through human skin tones.
_SKIN_TONES = np.array([
    (255, 226, 208), (246, 208, 182), (236, 190, 158), (222, 170, 130), (200, 144, 104),
    (172, 114, 78), (140, 88, 58), (108, 66, 44), (78, 50, 36),
], dtype=float)
_HAIR_COLOURS: tuple[tuple[RGB, float], ...] = (
    ((28, 24, 24), 0.22), ((58, 38, 28), 0.2), ((104, 68, 42), 0.15), ((150, 72, 36), 0.08),
    ((212, 176, 110), 0.1), ((236, 216, 170), 0.04), ((196, 98, 44), 0.06), ((140, 140, 144), 0.05),
    ((222, 222, 226), 0.04), ((70, 96, 200), 0.03), ((206, 86, 150), 0.03),
)
_HAIR_STYLE_WEIGHTS = np.array([0.2, 0.2, 0.15, 0.12, 0.13, 0.1, 0.1])


def _checked_colour(name: str, value: Any) -> RGB:
    channels = tuple(value) if isinstance(value, (tuple, list, np.ndarray)) else ()
    if len(channels) != 3 or not all(float(c).is_integer() and 0 <= c <= 255 for c in channels):
        raise ValueError(f"{name} must be three integers in 0..255 (RGB); got {value!r}")
    return rgb(channels)


def _random_skin(rng: np.random.Generator) -> RGB:
    position = rng.uniform(0, len(_SKIN_TONES) - 1)
    low = int(position)
    high = min(low + 1, len(_SKIN_TONES) - 1)
    tone = _SKIN_TONES[low] + (position - low) * (_SKIN_TONES[high] - _SKIN_TONES[low])
    return jitter(rng, tuple(int(c) for c in tone), 6)


def _random_hair_colour(rng: np.random.Generator) -> RGB:
    weights = np.array([weight for _, weight in _HAIR_COLOURS])
    colour = _HAIR_COLOURS[rng.choice(len(_HAIR_COLOURS), p=weights / weights.sum())][0]
    return jitter(rng, colour, 14)


DEFAULT = CartoonIdentity()
