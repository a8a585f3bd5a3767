"""Drawing primitives of the cartoon avatar: anti-aliased OpenCV polygons and strokes at 4 bits
of sub-pixel precision, and masked patches that keep one shape inside another."""

from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

from .colours import RGB

_SHIFT = 4                    # OpenCV fixed-point bits: sub-pixel motion stays smooth


def _fixed(points: np.ndarray) -> np.ndarray:
    return np.round(points * (1 << _SHIFT)).astype(np.int32)


def fill_polygon(canvas: np.ndarray, polygon: np.ndarray, colour: RGB) -> None:
    cv2.fillPoly(canvas, [_fixed(polygon)], colour, cv2.LINE_AA, _SHIFT)


def stroke_curve(canvas: np.ndarray, curve: np.ndarray, colour: RGB, width: float, closed: bool = False) -> None:
    cv2.polylines(canvas, [_fixed(curve)], closed, colour, max(1, int(round(width))), cv2.LINE_AA, _SHIFT)


def fill_outlined(canvas: np.ndarray, polygon: np.ndarray, fill: RGB, line: RGB, width: float) -> None:
    fill_polygon(canvas, polygon, fill)
    stroke_curve(canvas, polygon, line, width, closed=True)


def disc(canvas: np.ndarray, center: np.ndarray, radius: float, colour: RGB) -> None:
    cv2.circle(canvas, tuple(int(v) for v in _fixed(center)), int(round(radius * (1 << _SHIFT))),
               colour, -1, cv2.LINE_AA, _SHIFT)


def paint_inside(canvas: np.ndarray, clip: np.ndarray,
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


def background_gradient(size: int, colour: RGB) -> np.ndarray:
    """A soft vertical gradient: lighter above, so the head stands out."""
    rows = np.linspace(1.08, 0.92, size, dtype=np.float32)[:, None, None]
    image = np.clip(np.asarray(colour, np.float32)[None, None, :] * rows, 0, 255)
    return np.broadcast_to(image, (size, size, 3)).astype(np.uint8)
