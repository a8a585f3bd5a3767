"""Hair styles of the cartoon avatar, laid out around the skull in the head frame."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .geometry import HeadShape, ellipse, smooth
from .identity import CartoonIdentity


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
        bun = ellipse((0.0, cy - head.height - 0.22), (0.42, 0.38))
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
