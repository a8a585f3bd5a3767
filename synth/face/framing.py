"""Where the output frame sits in the portrait: a square around the face, or the whole image."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from synth.face.rig import FaceFrame

OUTPUT_SIZES = (256, 512)

# Framing: a square ~3 face widths across (a face is ~2.15 inter-ocular distances wide), its
# centre a little below the eyes, so hair, chin and some neck are in the picture.
FRAME_SIDE_IODS = 6.4
FRAME_CENTER_BELOW_EYES_IODS = 0.55


@dataclass(frozen=True)
class Framing:
    """Where the output frame sits in the portrait: a crop from `origin`, scaled by `scale`."""

    origin: tuple[float, float]
    scale: float
    size: tuple[int, int]        # output (width, height)

    def to_output(self, points: np.ndarray) -> np.ndarray:
        # Pixel centres sit at +0.5: this is how cv2.resize lines the two grids up.
        return (np.asarray(points, dtype=float) - self.origin + 0.5) * self.scale - 0.5


def frame_portrait(image: np.ndarray, landmarks: np.ndarray,
                   output_size: int | None) -> tuple[np.ndarray, Framing]:
    """The framed portrait and its framing; None keeps the whole image as it is."""
    height, width = image.shape[:2]
    if output_size is None:
        return image.copy(), Framing((0.0, 0.0), 1.0, (width, height))
    if output_size not in OUTPUT_SIZES:
        raise ValueError(f"output_size must be one of {OUTPUT_SIZES} or None; got {output_size}")
    face = FaceFrame.of(landmarks)
    side = int(round(min(FRAME_SIDE_IODS * face.scale, max(width, height))))
    center_x = face.center[0]
    center_y = face.center[1] + FRAME_CENTER_BELOW_EYES_IODS * face.scale
    x0 = _window_start(center_x, side, width)
    y0 = _window_start(center_y, side, height)
    crop = _crop_replicating(image, x0, y0, side)
    interpolation = cv2.INTER_AREA if side > output_size else cv2.INTER_CUBIC
    framed = cv2.resize(crop, (int(output_size), int(output_size)), interpolation=interpolation)
    return framed, Framing((float(x0), float(y0)), output_size / side, (output_size, output_size))


def _window_start(center: float, side: int, length: int) -> int:
    """Start of a window of `side` around `center`, slid inside [0, length) where it fits."""
    start = int(round(center - side / 2))
    if side <= length:
        return min(max(start, 0), length - side)
    return (length - side) // 2


def _crop_replicating(image: np.ndarray, x0: int, y0: int, side: int) -> np.ndarray:
    height, width = image.shape[:2]
    pad = (max(0, -y0), max(0, y0 + side - height), max(0, -x0), max(0, x0 + side - width))
    if any(pad):
        image = cv2.copyMakeBorder(image, *pad, borderType=cv2.BORDER_REPLICATE)
        x0, y0 = x0 + pad[2], y0 + pad[0]
    return np.ascontiguousarray(image[y0:y0 + side, x0:x0 + side])
