"""Colour arithmetic of the cartoon avatar: mixing, shading, contrast, in 8-bit RGB."""

from __future__ import annotations

import colorsys
from typing import Any

import numpy as np

RGB = tuple[int, int, int]


def rgb(channels: Any) -> RGB:
    red, green, blue = (int(c) for c in channels)
    return red, green, blue


def jitter(rng: np.random.Generator, colour: RGB, amount: int) -> RGB:
    noisy = np.asarray(colour) + rng.integers(-amount, amount + 1, size=3)
    return rgb(np.clip(noisy, 0, 255))


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return rgb(round(x + (y - x) * t) for x, y in zip(a, b))


def shade(colour: RGB, factor: float) -> RGB:
    return rgb(np.clip(round(c * factor), 0, 255) for c in colour)


def hsv(hue: float, saturation: float, value: float) -> RGB:
    red, green, blue = colorsys.hsv_to_rgb(hue, saturation, value)
    return int(round(255 * red)), int(round(255 * green)), int(round(255 * blue))


def _luma(colour: RGB) -> float:
    return 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]


def contrasting_dark(colour: RGB, against: RGB, gap: float) -> RGB:
    """`colour`, darkened until it is at least `gap` darker than `against` (or near black)."""
    for factor in np.linspace(1.0, 0.15, 18):
        candidate = shade(colour, factor)
        if _luma(against) - _luma(candidate) >= gap:
            return candidate
    return shade(colour, 0.15)
