"""Small numeric helpers for face contours, shared by the mesh and the painted mouth."""

from __future__ import annotations

import numpy as np

SUBPIXEL_BITS = 4                # cv2 drawing at 1/16 px


def smoothstep(low: float, high: float, value: np.ndarray | float) -> np.ndarray | float:
    t = np.clip((np.asarray(value) - low) / (high - low), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def sorted_by_first(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(u)
    return u[order], v[order]
