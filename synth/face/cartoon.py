"""A built-in 2D cartoon avatar, for users without a photo, driven by the same motion.

The avatar is drawn from the same 70 rig points the photo renderer warps by, so one motion
track (`motion.py` -> `rig.pose_track`) animates either. Everything that belongs to the head
but has no landmark (skull, hair, ears) is laid out in a *head frame*: a similarity frame
found from the posed eye corners, in template units, so it follows roll, translation and scale
of the posed face (`head_frame`). Expression cues the landmarks only imply (forehead
lines, brow furrow, smile creases, blush) are measured against the rest pose and drawn with
matching strength, so a face-expression recognizer trained on these renderings sees them.

Drawing is plain OpenCV: anti-aliased polygons with 4 bits of sub-pixel precision, Catmull-Rom
smoothed outlines, and small masked patches where one shape must stay inside another (irises
inside the eye opening, teeth inside the mouth).
"""

from __future__ import annotations

import colorsys
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from typing import Any, Callable

import cv2
import numpy as np

from .rig import POINTS, TEMPLATE, FaceFrame, with_pupils

RGB = tuple[int, int, int]
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

_SAMPLES = 5                  # spline samples per landmark segment
_SHIFT = 4                    # OpenCV fixed-point bits: sub-pixel motion stays smooth
_EYE_CLOSED = 0.22            # below this fraction of the rest opening the eye is drawn shut
_EYE_PAIRS = (((37, 41), (38, 40)), ((43, 47), (44, 46)))
_INNER_PAIRS = ((61, 67), (62, 66), (63, 65))


# ----------------------------------------------------------------------------- identity

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
            iris_colour=_jitter(rng, _IRIS_COLOURS[rng.integers(len(_IRIS_COLOURS))], 12),
            skin_colour=skin,
            hair_style=str(rng.choice(HAIR_STYLES, p=_HAIR_STYLE_WEIGHTS)),
            hair_colour=_random_hair_colour(rng),
            lip_colour=_shade(_mix(skin, (196, 70, 90), rng.uniform(0.2, 0.6)), rng.uniform(0.78, 0.95)),
            background_colour=_hsv(rng.uniform(0, 1), rng.uniform(0.1, 0.4), rng.uniform(0.8, 0.97)),
            shirt_colour=_hsv(rng.uniform(0, 1), rng.uniform(0.25, 0.8), rng.uniform(0.3, 0.9)),
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


def _rgb(channels: Any) -> RGB:
    red, green, blue = (int(c) for c in channels)
    return red, green, blue


def _checked_colour(name: str, value: Any) -> RGB:
    channels = tuple(value) if isinstance(value, (tuple, list, np.ndarray)) else ()
    if len(channels) != 3 or not all(float(c).is_integer() and 0 <= c <= 255 for c in channels):
        raise ValueError(f"{name} must be three integers in 0..255 (RGB); got {value!r}")
    return _rgb(channels)


def _random_skin(rng: np.random.Generator) -> RGB:
    position = rng.uniform(0, len(_SKIN_TONES) - 1)
    low = int(position)
    high = min(low + 1, len(_SKIN_TONES) - 1)
    tone = _SKIN_TONES[low] + (position - low) * (_SKIN_TONES[high] - _SKIN_TONES[low])
    return _jitter(rng, tuple(int(c) for c in tone), 6)


def _random_hair_colour(rng: np.random.Generator) -> RGB:
    weights = np.array([weight for _, weight in _HAIR_COLOURS])
    colour = _HAIR_COLOURS[rng.choice(len(_HAIR_COLOURS), p=weights / weights.sum())][0]
    return _jitter(rng, colour, 14)


DEFAULT = CartoonIdentity()


# ----------------------------------------------------------------------------- colours

def _jitter(rng: np.random.Generator, colour: RGB, amount: int) -> RGB:
    noisy = np.asarray(colour) + rng.integers(-amount, amount + 1, size=3)
    return _rgb(np.clip(noisy, 0, 255))


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return _rgb(round(x + (y - x) * t) for x, y in zip(a, b))


def _shade(colour: RGB, factor: float) -> RGB:
    return _rgb(np.clip(round(c * factor), 0, 255) for c in colour)


def _hsv(hue: float, saturation: float, value: float) -> RGB:
    red, green, blue = colorsys.hsv_to_rgb(hue, saturation, value)
    return int(round(255 * red)), int(round(255 * green)), int(round(255 * blue))


def _luma(colour: RGB) -> float:
    return 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]


def _contrasting_dark(colour: RGB, against: RGB, gap: float) -> RGB:
    """`colour`, darkened until it is at least `gap` darker than `against` (or near black)."""
    for factor in np.linspace(1.0, 0.15, 18):
        candidate = _shade(colour, factor)
        if _luma(against) - _luma(candidate) >= gap:
            return candidate
    return _shade(colour, 0.15)


@dataclass(frozen=True)
class Palette:
    """Every colour one identity is drawn with, derived once."""

    background: RGB
    skin: RGB
    skin_shadow: RGB
    line: RGB
    hair: RGB
    hair_line: RGB
    hair_shine: RGB
    brow: RGB
    sclera: RGB
    iris: RGB
    pupil: RGB
    lip: RGB
    lip_line: RGB
    cavity: RGB
    teeth: RGB
    tongue: RGB
    blush: RGB
    shirt: RGB
    shirt_line: RGB

    @classmethod
    def of(cls, identity: CartoonIdentity) -> "Palette":
        skin, hair = identity.skin_colour, identity.hair_colour
        line = _mix(_shade(skin, 0.42), (60, 30, 24), 0.3)
        return cls(
            background=identity.background_colour,
            skin=skin,
            skin_shadow=_mix(_shade(skin, 0.84), (150, 60, 60), 0.08),
            line=line,
            hair=hair,
            hair_line=_shade(hair, 0.6),
            hair_shine=_mix(hair, (255, 255, 255), 0.3),
            brow=_contrasting_dark(_shade(hair, 0.85), skin, 70.0),
            sclera=(250, 250, 247),
            iris=identity.iris_colour,
            pupil=(24, 18, 20),
            lip=identity.lip_colour,
            lip_line=_shade(identity.lip_colour, 0.6),
            cavity=(70, 22, 34),
            teeth=(248, 246, 238),
            tongue=(214, 96, 110),
            blush=(240, 110, 120),
            shirt=identity.shirt_colour,
            shirt_line=_shade(identity.shirt_colour, 0.6),
        )


# ----------------------------------------------------------------------------- geometry

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


def smooth(points: np.ndarray, closed: bool, samples: int = _SAMPLES) -> np.ndarray:
    return _spline_rows(len(points), samples, closed) @ points


def _ellipse(center: tuple[float, float], radii: tuple[float, float], start: float = 0.0,
             stop: float = 2 * np.pi, count: int = 32) -> np.ndarray:
    angles = np.linspace(start, stop, count, endpoint=stop - start < 2 * np.pi - 1e-9)
    return np.column_stack([center[0] + radii[0] * np.cos(angles), center[1] + radii[1] * np.sin(angles)])


def _tapered_stroke(curve: np.ndarray, widths: np.ndarray) -> np.ndarray:
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
    ellipse = np.column_stack([1.072 * np.cos(sweep), 0.072 + 1.663 * np.sin(sweep)])
    jaw[:] = jaw + identity.jaw_roundness * (ellipse - jaw)
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
        return _ellipse((0.0, self.center_y), (self.half_width + grow_x, self.height + grow_y),
                        start, stop, count)

    def angle_at(self, y: float, grow_y: float = 0.0) -> float:
        """The angle (right side, upper half) where the grown ellipse reaches height `y`."""
        return float(np.arcsin(np.clip((y - self.center_y) / (self.height + grow_y), -1, 1)))


@dataclass(frozen=True)
class HairShapes:
    """Hair in the head frame: polygons behind the head, polygons in front of the forehead,
    and the front hair's visible edges (its other edges lie over the hair behind)."""

    back: tuple[np.ndarray, ...]
    front: tuple[np.ndarray, ...]
    front_edges: tuple[np.ndarray, ...]
    shine: np.ndarray


_TEMPLE_Y = -0.3


def _mirrored(control: list[tuple[float, float]], side: float) -> np.ndarray:
    """Control points (left to right) for a style swept to the right, flipped for `side` < 0."""
    points = np.array(control, dtype=float)
    return points if side > 0 else (points * (-1.0, 1.0))[::-1]


def _style_back_and_hairline(style: str, head: HeadShape,
                             part: float) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """The hair behind the head and the fringe's hairline (left to right) of one style."""
    w, cy, temple = head.half_width, head.center_y, _TEMPLE_Y
    side, depth = (1.0 if part >= 0 else -1.0), abs(part)
    ends = [(-w - 0.05, temple), (w + 0.05, temple)]
    if style == "short":
        back = (head.arc(0.1, 0.13, 0.12, -np.pi - 0.12),)
        control = [ends[0], (-0.6, -0.62), (0.0, -0.7), (0.32, -0.8), (0.55, -0.8 - 0.2 * depth),
                   (0.78, -0.68), ends[1]]
        return back, smooth(_mirrored(control, side), closed=False, samples=6)
    if style == "long":
        sides = [(-w - 0.2, cy), (-w - 0.34, 1.6), (-w - 0.28, 2.45), (-0.4, 2.55), (0.4, 2.55),
                 (w + 0.28, 2.45), (w + 0.34, 1.6), (w + 0.2, cy)]
        back = (np.concatenate([head.arc(0.2, 0.18, 0.0, -np.pi), smooth(np.array(sides), False, 4)]),)
        if depth < 0.5:  # middle parting: a curtain fringe
            control = [ends[0], (-0.55, -0.62), (-0.12, -0.9), (0.0, -1.02), (0.12, -0.9), (0.55, -0.62),
                       ends[1]]
        else:
            control = [ends[0], (-0.55, -0.55), (0.0, -0.68), (0.45, -0.92), ends[1]]
        return back, smooth(_mirrored(control, side), closed=False, samples=6)
    if style == "bob":
        sides = [(-w - 0.22, cy), (-w - 0.26, 1.0), (-w - 0.14, 1.4), (-w + 0.2, 1.46),
                 (w - 0.2, 1.46), (w + 0.14, 1.4), (w + 0.26, 1.0), (w + 0.22, cy)]
        back = (np.concatenate([head.arc(0.2, 0.16, 0.0, -np.pi), smooth(np.array(sides), False, 4)]),)
        xs = np.linspace(-w + 0.15, w - 0.15, 7)
        bangs = [ends[0], *[(x, -0.64 - 0.05 * (i % 2)) for i, x in enumerate(xs)], ends[1]]
        return back, smooth(np.array(bangs), closed=False, samples=6)
    if style == "bun":
        bun = _ellipse((0.0, cy - head.height - 0.22), (0.42, 0.38))
        back = (head.arc(0.06, 0.08, 0.1, -np.pi - 0.1), bun)
        control = [ends[0], (-0.6, -0.74), (0.0, -0.88), (0.6, -0.74), ends[1]]
        return back, smooth(np.array(control), closed=False, samples=6)
    if style == "curly":
        angles = np.linspace(0.7, -np.pi - 0.7, 90)
        bumps = 0.07 * np.abs(np.sin(9 * angles))
        back = (np.column_stack([(w + 0.3 + bumps) * np.cos(angles),
                                 cy + (head.height + 0.25 + bumps) * np.sin(angles)]),)
        xs = np.linspace(-w - 0.05, w + 0.05, 61)
        ys = -0.66 - 0.09 * np.abs(np.sin(np.linspace(0, 5 * np.pi, 61)))
        ys[:4] = np.linspace(temple, ys[4], 5)[:4]
        ys[-4:] = np.linspace(ys[-5], temple, 5)[1:]
        return back, np.column_stack([xs, ys])
    if style == "spiky":
        angles = np.linspace(-0.25, -np.pi + 0.25, 15)
        grow = np.where(np.arange(15) % 2 == 0, 0.08, 0.36)
        spikes = np.column_stack([(w + grow) * np.cos(angles), cy + (head.height + grow) * np.sin(angles)])
        back = (np.concatenate([head.arc(0.08, 0.1, 0.15, -0.25, 4), spikes,
                                head.arc(0.08, 0.1, -np.pi + 0.25, -np.pi - 0.15, 4)]),)
        xs = np.linspace(-w - 0.05, w + 0.05, 9)
        zigzag = np.array([(x, -0.64 - 0.16 * (i % 2)) for i, x in enumerate(xs)])
        zigzag[[0, -1], 1] = temple
        return back, zigzag
    raise ValueError(f"no hair drawing for style {style!r}")  # pragma: no cover - validated earlier


def _side_lock(head: HeadShape, bottom: float) -> tuple[np.ndarray, np.ndarray]:
    """Hair falling past the right ear, framing the face: its polygon and its face-side edge."""
    w = head.half_width
    control = np.array([(w - 0.08, _TEMPLE_Y), (w - 0.05, 0.1), (w - 0.03, 0.75), (w + 0.04, bottom - 0.2),
                        (w + 0.2, bottom), (w + 0.3, bottom - 0.4), (w + 0.26, 0.1),
                        (w + 0.1, _TEMPLE_Y - 0.15)])
    outline = smooth(control, closed=True, samples=4)
    return outline, outline[:4 * 4 + 1]


def hair_shapes(identity: CartoonIdentity, head: HeadShape, brow_top: float, brow_reach: float) -> HairShapes:
    """The style's hair; `brow_top` is the highest a fully raised brow reaches, `brow_reach`
    how far out the brows go: the fringe stays clear of them so brow motion stays visible."""
    if identity.hair_style == "bald":
        return HairShapes((), (), (), head.arc(-0.35, -0.25, -np.pi * 0.8, -np.pi * 0.62, 10))
    back, hairline = _style_back_and_hairline(identity.hair_style, head, identity.hair_parting)
    over_brows = np.abs(hairline[:, 0]) < brow_reach
    hairline[over_brows, 1] = np.minimum(hairline[over_brows, 1], brow_top - 0.06)
    angle = head.angle_at(_TEMPLE_Y, 0.06)
    fringe = np.concatenate([head.arc(0.05, 0.06, angle, -np.pi - angle, 40), hairline])
    front, edges = [fringe], [hairline]
    lock_bottom = {"long": 1.9, "bob": 1.2}.get(identity.hair_style)
    if lock_bottom is not None:
        lock, edge = _side_lock(head, lock_bottom)
        flip = np.array([-1.0, 1.0])
        front += [lock, lock * flip]
        edges += [edge, edge * flip]
    shine = head.arc(-0.18, -0.04, -np.pi * 0.82, -np.pi * 0.6, 12)
    return HairShapes(tuple(back), tuple(front), tuple(edges), shine)


# ----------------------------------------------------------------------------- expression cues

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

        right_eye, left_eye = (gap(posed, pairs) / max(gap(rest, pairs), 1e-6) for pairs in _EYE_PAIRS)
        return cls(
            eye_openness=(right_eye, left_eye),
            brow_raise=rise(list(range(17, 27))),
            brow_furrow=float((rest[22, 0] - rest[21, 0]) - (posed[22, 0] - posed[21, 0])),
            cheek_raise=rise([40, 41, 46, 47]),
            corner_rise=rise([48, 54]),
            nose_wrinkle=rise([31, 32, 33, 34, 35]),
            mouth_gap=gap(posed, _INNER_PAIRS),
        )


# ----------------------------------------------------------------------------- drawing primitives

def _fixed(points: np.ndarray) -> np.ndarray:
    return np.round(points * (1 << _SHIFT)).astype(np.int32)


def _fill(canvas: np.ndarray, polygon: np.ndarray, colour: RGB) -> None:
    cv2.fillPoly(canvas, [_fixed(polygon)], colour, cv2.LINE_AA, _SHIFT)


def _stroke(canvas: np.ndarray, curve: np.ndarray, colour: RGB, width: float, closed: bool = False) -> None:
    cv2.polylines(canvas, [_fixed(curve)], closed, colour, max(1, int(round(width))), cv2.LINE_AA, _SHIFT)


def _fill_outlined(canvas: np.ndarray, polygon: np.ndarray, fill: RGB, line: RGB, width: float) -> None:
    _fill(canvas, polygon, fill)
    _stroke(canvas, polygon, line, width, closed=True)


def _disc(canvas: np.ndarray, center: np.ndarray, radius: float, colour: RGB) -> None:
    cv2.circle(canvas, tuple(int(v) for v in _fixed(center)), int(round(radius * (1 << _SHIFT))),
               colour, -1, cv2.LINE_AA, _SHIFT)


def _paint_inside(canvas: np.ndarray, clip: np.ndarray,
                  paint: Callable[[np.ndarray, np.ndarray], None]) -> None:
    """Run `paint(patch, origin)` on a copy of the clip's bounding box, keep it inside `clip`."""
    height, width = canvas.shape[:2]
    x0, y0 = np.maximum(np.floor(clip.min(axis=0)).astype(int) - 1, 0)
    x1, y1 = np.minimum(np.ceil(clip.max(axis=0)).astype(int) + 2, (width, height))
    if x1 <= x0 or y1 <= y0:
        return
    region = canvas[y0:y1, x0:x1]
    origin = np.array([x0, y0], dtype=float)
    mask = np.zeros(region.shape[:2], np.uint8)
    cv2.fillPoly(mask, [_fixed(clip - origin)], 255, cv2.LINE_AA, _SHIFT)
    patch = region.copy()
    paint(patch, origin)
    alpha = mask[..., None].astype(np.float32) * (1 / 255)
    region[:] = (region + alpha * (patch.astype(np.float32) - region) + 0.5).astype(np.uint8)


# ----------------------------------------------------------------------------- the renderer

class CartoonRenderer:
    """Draws one cartoon identity at any pose of the 70 rig points.

    `source_points` are the identity's rest points in canvas pixels; pose them with
    `rig.pose_track(renderer.source_points[:68], track)` and `render` each frame.
    """

    def __init__(self, identity: CartoonIdentity = DEFAULT, size: int = 256) -> None:
        if not isinstance(size, (int, np.integer)) or not 64 <= size <= 4096:
            raise ValueError(f"cartoon size must be an integer in 64..4096 pixels; got {size!r}")
        self.identity = identity
        self.size = int(size)
        self.palette = Palette.of(identity)
        canonical = shaped_landmarks(identity)
        self._placement = FaceFrame(np.array([0.5, 0.4]) * size, 0.23 * size, 0.0)
        self._source = with_pupils(self._placement.to_image(canonical))
        # Head-frame units stay template units whatever the identity's eye spacing.
        self._unit_ratio = self._placement.scale / head_frame(self._source).scale
        # Line widths stay fixed while the head turns: widths rounded to whole pixels would
        # otherwise flicker between frames.
        self._pen = self._placement.scale
        self._rest = self._head_frame(self._source).to_canonical(self._source)
        self._head = HeadShape(float(abs(self._rest[[0, 16], 0]).mean()),
                               float(self._rest[[0, 16], 1].mean()), identity.forehead_height)
        brows = self._rest[17:27]
        brow_top = float(brows[:, 1].min()) - 0.16 - identity.brow_thickness / 2
        self._hair = hair_shapes(identity, self._head, brow_top, float(abs(brows[:, 0]).max()) + 0.08)
        rest_eye_height = np.mean([self._rest[lo, 1] - self._rest[up, 1]
                                   for pairs in _EYE_PAIRS for up, lo in pairs])
        self._iris_radius = 0.62 * float(rest_eye_height)
        self._ears = _ears(self._head.half_width)
        self._body = self._placement.to_image(_BODY)
        self._neck_base = self._placement.to_image(np.array([(0.5, 2.5), (-0.5, 2.5)]))
        self._background = _background(self.size, self.palette.background)

    @property
    def source_points(self) -> np.ndarray:
        return self._source.copy()

    def _head_frame(self, points: np.ndarray) -> FaceFrame:
        return head_frame(points, self._unit_ratio)

    def render(self, points: np.ndarray) -> np.ndarray:
        """70 posed points (canvas pixels) -> (size, size, 3) uint8 RGB frame."""
        points = np.asarray(points, dtype=float)
        if points.shape != (POINTS, 2) or not np.all(np.isfinite(points)):
            raise ValueError(f"render needs ({POINTS}, 2) finite points; got shape {points.shape}")
        head = self._head_frame(points)
        posed = head.to_canonical(points)
        cues = ExpressionCues.of(self._rest, posed)
        pen = self._pen
        canvas = self._background.copy()
        colours = self.palette

        for polygon in self._hair.back:
            _fill_outlined(canvas, head.to_image(polygon), colours.hair, colours.hair_line, 0.035 * pen)
        self._draw_neck_and_body(canvas, head)
        self._draw_ears(canvas, head)
        outline = _face_outline(posed, self._head)
        _fill_outlined(canvas, head.to_image(outline), colours.skin, colours.line, 0.035 * pen)
        if self.identity.hair_style == "bald":
            scalp_shine = _mix(colours.skin, (255, 255, 255), 0.45)
            _stroke(canvas, head.to_image(self._hair.shine), scalp_shine, 0.09 * pen)
        self._draw_cheeks(canvas, head, posed, cues)
        self._draw_creases(canvas, head, posed, cues)
        for side, eye in enumerate((slice(36, 42), slice(42, 48))):
            self._draw_eye(canvas, head, points[eye], posed[eye], points[68 + side],
                           posed[68 + side], cues.eye_openness[side], outer_first=side == 0)
        for brow, outer_first in ((slice(17, 22), True), (slice(22, 27), False)):
            self._draw_brow(canvas, points[brow], head.scale, outer_first)
        self._draw_nose(canvas, points, pen)
        self._draw_mouth(canvas, head, points, cues)
        for polygon in self._hair.front:
            _fill(canvas, head.to_image(polygon), colours.hair)
        for edge in self._hair.front_edges:
            _stroke(canvas, head.to_image(edge), colours.hair_line, 0.035 * pen)
        if self.identity.hair_style != "bald":
            _stroke(canvas, head.to_image(self._hair.shine), colours.hair_shine, 0.06 * pen)
        return canvas

    # -- parts, back to front

    def _draw_neck_and_body(self, canvas: np.ndarray, head: FaceFrame) -> None:
        colours = self.palette
        top = head.to_image(np.array([(-0.42, 0.9), (0.42, 0.9)]))
        neck = np.concatenate([top, self._neck_base])
        _fill_outlined(canvas, neck, colours.skin_shadow, colours.line, 0.03 * self._pen)
        _fill_outlined(canvas, self._body, colours.shirt, colours.shirt_line, 0.035 * self._pen)

    def _draw_ears(self, canvas: np.ndarray, head: FaceFrame) -> None:
        colours = self.palette
        for ear, fold in self._ears:
            _fill_outlined(canvas, head.to_image(ear), colours.skin, colours.line, 0.03 * self._pen)
            _stroke(canvas, head.to_image(fold), colours.skin_shadow, 0.035 * self._pen)

    def _draw_cheeks(self, canvas: np.ndarray, head: FaceFrame, posed: np.ndarray,
                     cues: ExpressionCues) -> None:
        strength = float(np.clip(self.identity.blush * 0.45 + 4.0 * max(cues.cheek_raise, 0.0)
                                 + 2.5 * max(cues.corner_rise, 0.0), 0.0, 0.6))
        if strength < 0.02:
            return
        colour = _mix(self.palette.skin, self.palette.blush, strength)
        # Anchored on the eye corners, which a blink leaves in place.
        for side, corners in ((-1.0, [36, 39]), (1.0, [42, 45])):
            center = posed[corners].mean(axis=0) + (0.1 * side, 0.42 - 0.6 * max(cues.cheek_raise, 0.0))
            _fill(canvas, head.to_image(_ellipse(tuple(center), (0.19, 0.1), count=20)), colour)

    def _draw_creases(self, canvas: np.ndarray, head: FaceFrame, posed: np.ndarray,
                      cues: ExpressionCues) -> None:
        """Lines the landmarks only imply: forehead, frown, nose and smile creases."""
        skin, line, pen = self.palette.skin, self.palette.line, self._pen
        brow_line = float(posed[17:27, 1].min())
        raise_strength = np.clip((cues.brow_raise - 0.02) / 0.07, 0.0, 1.0)
        if raise_strength > 0:
            colour = _mix(skin, line, 0.55 * raise_strength)
            for lift, half in ((0.12, 0.36), (0.22, 0.3)):
                arc = _ellipse((0.0, brow_line - lift + 0.5), (half / np.sin(0.9), 0.5), -np.pi / 2 - 0.9,
                               -np.pi / 2 + 0.9, 10)
                _stroke(canvas, head.to_image(arc), colour, 0.025 * pen)
        furrow_strength = np.clip((cues.brow_furrow - 0.02) / 0.08, 0.0, 1.0)
        if furrow_strength > 0:
            colour = _mix(skin, line, 0.7 * furrow_strength)
            middle = (posed[21] + posed[22]) / 2
            for dx in (-0.05, 0.05):
                crease = np.array([middle + (dx, 0.0), middle + (dx * 0.6, 0.15)])
                _stroke(canvas, head.to_image(crease), colour, 0.025 * pen)
        wrinkle_strength = np.clip((cues.nose_wrinkle - 0.01) / 0.035, 0.0, 1.0)
        if wrinkle_strength > 0:
            colour = _mix(skin, line, 0.6 * wrinkle_strength)
            for dx in (-1.0, 1.0):
                crease = posed[28] + np.array([(0.04 * dx, -0.05), (0.11 * dx, 0.0), (0.05 * dx, 0.05)])
                _stroke(canvas, head.to_image(smooth(crease, closed=False, samples=3)), colour, 0.022 * pen)
        smile_strength = np.clip((cues.corner_rise - 0.02) / 0.07, 0.0, 1.0)
        if smile_strength > 0:
            colour = _mix(skin, line, 0.6 * smile_strength)
            for corner, dx in ((48, -1.0), (54, 1.0)):
                crease = posed[corner] + np.array([(0.02 * dx, -0.1), (0.09 * dx, -0.02), (0.05 * dx, 0.07)])
                _stroke(canvas, head.to_image(smooth(crease, closed=False, samples=3)), colour, 0.025 * pen)

    def _draw_eye(self, canvas: np.ndarray, head: FaceFrame, eye: np.ndarray, eye_canonical: np.ndarray,
                  pupil: np.ndarray, pupil_canonical: np.ndarray, openness: float, outer_first: bool) -> None:
        colours, px, pen = self.palette, head.scale, self._pen
        opening = smooth(eye, closed=True)
        upper_lid = opening[:3 * _SAMPLES + 1]
        outer_corner = eye_canonical[0] if outer_first else eye_canonical[3]
        lash_direction = -1.0 if outer_first else 1.0
        lash = head.to_image(np.array([outer_corner, outer_corner + (0.08 * lash_direction, -0.06)]))
        if openness < _EYE_CLOSED:
            _stroke(canvas, upper_lid, colours.line, 0.05 * pen)
            _stroke(canvas, lash, colours.line, 0.04 * pen)
            return
        _fill(canvas, opening, colours.sclera)
        iris_radius = self._iris_radius * px
        highlight = head.to_image(pupil_canonical + (0.35, -0.35) * np.array(self._iris_radius))

        def paint(patch: np.ndarray, origin: np.ndarray) -> None:
            _disc(patch, pupil - origin, iris_radius, colours.iris)
            _stroke(patch, _ellipse(tuple(pupil - origin), (iris_radius, iris_radius), count=24),
                    _shade(colours.iris, 0.6), 0.02 * pen, closed=True)
            _disc(patch, pupil - origin, 0.5 * iris_radius, colours.pupil)
            _disc(patch, highlight - origin, 0.28 * iris_radius, (255, 255, 255))

        _paint_inside(canvas, opening, paint)
        _stroke(canvas, opening[3 * _SAMPLES:], _mix(colours.skin, colours.line, 0.45), 0.02 * pen)
        _stroke(canvas, upper_lid, colours.line, 0.045 * pen)
        _stroke(canvas, lash, colours.line, 0.035 * pen)

    def _draw_brow(self, canvas: np.ndarray, brow: np.ndarray, px: float, outer_first: bool) -> None:
        curve = smooth(brow, closed=False, samples=4)
        t = np.linspace(0.0, 1.0, len(curve))
        toward_inner = t if outer_first else 1 - t
        # Full width over the inner 70 %, tapering to a third at the tail.
        taper = np.sin(np.clip(toward_inner / 0.7, 0.0, 1.0) * np.pi / 2)
        widths = self.identity.brow_thickness * px * (0.35 + 0.65 * taper)
        _fill(canvas, _tapered_stroke(curve, widths), self.palette.brow)
        inner_end = curve[-1] if outer_first else curve[0]
        _disc(canvas, inner_end, self.identity.brow_thickness * px / 2, self.palette.brow)

    def _draw_nose(self, canvas: np.ndarray, points: np.ndarray, pen: float) -> None:
        colours = self.palette
        tip = smooth(np.concatenate([points[[30]], points[31:36]]), closed=True, samples=4)
        _fill(canvas, tip, _mix(colours.skin, colours.skin_shadow, 0.6))
        _stroke(canvas, smooth(points[31:36], closed=False, samples=4), colours.line, 0.035 * pen)
        bridge = smooth(points[[28, 29, 30, 31]], closed=False, samples=3)[4:]
        _stroke(canvas, bridge, _mix(colours.skin, colours.line, 0.3), 0.022 * pen)

    def _draw_mouth(self, canvas: np.ndarray, head: FaceFrame, points: np.ndarray,
                    cues: ExpressionCues) -> None:
        colours, pen = self.palette, self._pen
        lips = smooth(points[48:60], closed=True, samples=4)
        _fill_outlined(canvas, lips, colours.lip, colours.lip_line, 0.025 * pen)
        opening = smooth(points[60:68], closed=True, samples=4)
        upper_inner = opening[:4 * 4 + 1]
        if cues.mouth_gap > 0.015:
            down = head.to_image(np.array([(0.0, 0.0), (0.0, 1.0)]))
            step = down[1] - down[0]
            teeth = np.concatenate([upper_inner, (upper_inner + step * 0.1)[::-1]])
            tongue_center = head.to_canonical(points[66]) - (0.0, 0.06)
            tongue = head.to_image(_ellipse(tuple(tongue_center), (0.2, 0.09), count=20))

            def paint(patch: np.ndarray, origin: np.ndarray) -> None:
                patch[:] = colours.cavity
                _fill(patch, tongue - origin, colours.tongue)
                _fill(patch, teeth - origin, colours.teeth)

            _paint_inside(canvas, opening, paint)
        _stroke(canvas, upper_inner, colours.lip_line, 0.035 * pen)


def _ears(half_width: float) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Each ear's outline and its inner fold (an arc open toward the face), in the head frame."""
    ears = []
    for side in (-1.0, 1.0):
        outline = _ellipse((side * (half_width - 0.02), 0.32), (0.17, 0.26), count=24)
        fold = _ellipse((0.0, 0.0), (0.08, 0.15), -np.pi / 2, np.pi / 2, 10) * (side, 1.0)
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


def _face_outline(posed: np.ndarray, head: HeadShape) -> np.ndarray:
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
_BODY = np.concatenate([
    np.array([(-3.2, 3.2), (-3.0, 2.55)]),
    smooth(np.array([(-2.9, 2.45), (-2.2, 2.12), (-1.2, 2.0), (-0.62, 1.98)]), closed=False, samples=4),
    smooth(np.array([(-0.62, 1.98), (-0.3, 2.2), (0.0, 2.26), (0.3, 2.2), (0.62, 1.98)]),
           closed=False, samples=4)[1:],
    smooth(np.array([(0.62, 1.98), (1.2, 2.0), (2.2, 2.12), (2.9, 2.45)]), closed=False, samples=4)[1:],
    np.array([(3.0, 2.55), (3.2, 3.2)]),
])


def _background(size: int, colour: RGB) -> np.ndarray:
    """A soft vertical gradient: lighter above, so the head stands out."""
    rows = np.linspace(1.08, 0.92, size, dtype=np.float32)[:, None, None]
    image = np.clip(np.asarray(colour, np.float32)[None, None, :] * rows, 0, 255)
    return np.broadcast_to(image, (size, size, 3)).astype(np.uint8)
