"""A portrait in: load and check the image, find the one face in it and its 68 landmarks.

``load_portrait`` accepts a file (JPEG, PNG, WebP), a numpy array or a PIL image and returns
an RGB uint8 array no larger than ``max_side`` on its longer side. The pixel count is checked
from the file header before any pixel is decoded, so a 20000 x 20000 PNG is refused without
allocating a gigabyte.

Face finding (``detect_face``, dlib's detector and 68-point predictor, and the pose checks)
lives in ``common/face_detection.py``, below the face recognizer and the talking head alike;
its names stay importable from here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Union

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from common.face_detection import (DEBIAN_LANDMARK_MODEL, LANDMARK_MODEL_ENV, MAX_ROLL_DEGREES, MAX_YAW_DEGREES,
                                   MIN_FACE_SIDE, DetectedFace, check_pose, detect_face, head_roll_degrees,
                                   head_yaw_degrees, landmark_model_path)
from synth.face.errors import FaceInputError

__all__ = ["DEBIAN_LANDMARK_MODEL", "DEFAULT_MAX_SIDE", "FILE_FORMATS", "LANDMARK_MODEL_ENV", "MAX_IMAGE_PIXELS",
           "MAX_ROLL_DEGREES", "MAX_YAW_DEGREES", "MIN_FACE_SIDE", "MIN_IMAGE_SIDE", "DetectedFace", "PortraitSource",
           "check_pose", "default_portrait_path", "detect_face", "head_roll_degrees", "head_yaw_degrees",
           "landmark_model_path", "load_portrait"]

PortraitSource = Union[str, os.PathLike, np.ndarray, Image.Image]

FILE_FORMATS = ("JPEG", "PNG", "WEBP")
MIN_IMAGE_SIDE = 64
MAX_IMAGE_PIXELS = 50_000_000
DEFAULT_MAX_SIDE = 1024


def default_portrait_path() -> Path:
    """The shipped portrait: the astronaut (NASA, public domain) cropped around her face."""
    return Path(__file__).resolve().parents[2] / "assets" / "portrait.png"


# ---------------------------------------------------------------------------- loading


def load_portrait(source: PortraitSource, max_side: int = DEFAULT_MAX_SIDE) -> np.ndarray:
    """A path, array or PIL image -> (H, W, 3) uint8 RGB, longer side at most `max_side`."""
    if max_side < MIN_IMAGE_SIDE:
        raise ValueError(f"max_side must be at least {MIN_IMAGE_SIDE}; got {max_side}")
    if isinstance(source, Image.Image):
        image = _checked_pil(source, "the image")
    elif isinstance(source, np.ndarray):
        _check_size(source.shape[1::-1] if source.ndim >= 2 else (0, 0), "the array")
        image = Image.fromarray(_array_as_uint8(source))
    elif isinstance(source, (str, os.PathLike)):
        image = _open_file(Path(source), max_side)
    else:
        raise FaceInputError(f"a portrait must be an image file path, a numpy array or a PIL image; "
                             f"got {type(source).__name__}")
    return np.asarray(_downscaled(_as_rgb(image), max_side))


def _check_size(size: tuple[int, int], what: str) -> None:
    width, height = size
    if min(width, height) < MIN_IMAGE_SIDE:
        raise FaceInputError(f"{what} is {width}x{height} pixels: too small for a portrait "
                             f"(each side needs at least {MIN_IMAGE_SIDE})")
    if width * height > MAX_IMAGE_PIXELS:
        raise FaceInputError(f"{what} is {width}x{height} pixels ({width * height / 1e6:.0f} "
                             f"megapixels): over the {MAX_IMAGE_PIXELS // 1_000_000} megapixel "
                             f"limit; scale it down first")


def _check_still(image: Image.Image, what: str) -> None:
    # Pillow opens an animated PNG or WebP as its first frame, which would be animated silently.
    frames = getattr(image, "n_frames", 1)
    if getattr(image, "is_animated", False) and frames > 1:
        raise FaceInputError(f"{what} is an animated {image.format or 'image'} ({frames} frames); "
                             "use a still JPEG, PNG or WebP")


def _checked_pil(image: Image.Image, what: str) -> Image.Image:
    _check_still(image, what)
    _check_size(image.size, what)
    try:
        image.load()
    except (OSError, SyntaxError, ValueError) as error:
        raise FaceInputError(f"{what} cannot be decoded: {error}") from None
    return image


def _open_file(path: Path, max_side: int) -> Image.Image:
    if not path.exists():
        raise FaceInputError(f"portrait file {path} does not exist")
    if not path.is_file():
        raise FaceInputError(f"portrait {path} is not a file")
    if path.stat().st_size == 0:
        raise FaceInputError(f"portrait {path} is empty (0 bytes)")
    try:
        with Image.open(path) as opened:
            if opened.format not in FILE_FORMATS:
                raise FaceInputError(f"portrait {path} is {opened.format or 'an unknown'} format; "
                                     f"use JPEG, PNG or WebP")
            _check_still(opened, f"portrait {path}")
            _check_size(opened.size, f"portrait {path}")
            # JPEG can decode at 1/2, 1/4 or 1/8 scale directly: far less work for photos.
            opened.draft("RGB", (max_side, max_side))
            image = ImageOps.exif_transpose(opened)
            image.load()
            return image
    except FaceInputError:
        raise
    except UnidentifiedImageError:
        raise FaceInputError(f"portrait {path} is not a readable image (JPEG, PNG or WebP)") from None
    except Image.DecompressionBombError:  # Pillow refuses it on opening, before our own size check
        raise FaceInputError(f"portrait {path} is over the {MAX_IMAGE_PIXELS // 1_000_000} megapixel limit "
                             "(a huge image, or a decompression bomb); scale it down first") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise FaceInputError(f"portrait {path} is corrupt or truncated: {error}") from None


def _array_as_uint8(array: np.ndarray) -> np.ndarray:
    """Gray (H, W) / (H, W, 1), RGB or RGBA arrays, uint8 or float in 0..1 -> uint8."""
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4))):
        raise FaceInputError(f"a portrait array must be (H, W), (H, W, 3) or (H, W, 4); got {array.shape}")
    if array.dtype == np.uint8:
        return np.ascontiguousarray(array)
    if array.dtype == bool:
        return array.astype(np.uint8) * 255
    if np.issubdtype(array.dtype, np.floating):
        if not np.all(np.isfinite(array)):
            raise FaceInputError("the portrait array has NaN or infinite values")
        if array.min() < 0.0 or array.max() > 1.0:
            raise FaceInputError("a float portrait array must hold values in 0..1")
        return np.round(array * 255).astype(np.uint8)
    raise FaceInputError(f"a portrait array must be uint8 or float in 0..1; got {array.dtype}")


def _as_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        # 16-bit gray (some PNGs): Pillow's own conversion would clip everything above 255.
        values = np.asarray(image, dtype=np.float64)
        return Image.fromarray(np.clip(values / (257.0 if values.max() > 255 else 1.0), 0, 255)
                               .round().astype(np.uint8)).convert("RGB")
    # Transparent pixels often hide garbage colour: put cut-out portraits on white.
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(canvas, rgba).convert("RGB")
    return image.convert("RGB")


def _downscaled(image: Image.Image, max_side: int) -> Image.Image:
    scale = max_side / max(image.size)
    if scale >= 1.0:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


# ---------------------------------------------------------------------------- detection
