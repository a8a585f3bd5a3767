"""Finding the one face in an image and its 68 landmarks.

``detect_face`` runs dlib's HOG frontal-face detector and its 68-point iBUG shape predictor
(the model file ships in Debian's ``libdlib-data``, CC0). The talking-head renderer warps one
frontal face by its landmarks, so a portrait is refused, with a message saying what to do,
when it has no face, several faces, a face too small to animate, or one tilted or turned so
far that the landmarks (and the warp built on them) would be unreliable. It lives below both
the face recognizer (conditioning) and the talking head (synth), which both find faces.
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from common.errors import FaceInputError
from common.face_frame import JAW, FaceFrame

DEBIAN_LANDMARK_MODEL = Path("/usr/share/dlib/shape_predictor_68_face_landmarks.dat")
LANDMARK_MODEL_ENV = "EMOSTUDIO_DLIB_LANDMARKS"
# dlib's object_detector keeps its scan buffers in the shared instance: "concurrent access ...
# is not safe and should be protected by a mutex" (dlib's docs), and the web studio animates
# from several threads. The shape predictor is documented as safe to share, so only loading
# and detection are serialised.
_DLIB_LOCK = threading.Lock()

MIN_FACE_SIDE = 48          # below this the 68 landmarks are too coarse to animate a mouth
MAX_ROLL_DEGREES = 30.0
MAX_YAW_DEGREES = 35.0
# Head turn from the nose tip's offset between the two jaw ends: for a head turned by yaw,
# (right - left) / (right + left) ~ (nose depth in front of the jaw ends / half face width)
# * tan(yaw), and that ratio is about 0.85 for adult faces. The astronaut portrait reads
# 0.7 degrees; stretched (x0.6) and tilted (+-30 degrees) copies of it stay under 2.5.
_NOSE_DEPTH_OVER_HALF_WIDTH = 0.85
_NOSE_TIP = 30
# Turns tried when no upright face is found, only to tell a tilted photo from a faceless one.
_DIAGNOSTIC_TURNS = (-45.0, 45.0, -90.0, 90.0, 180.0)
# dlib's detector has five HOG filters; 3 and 4 fire on faces tilted about 20-45 degrees
# counter-clockwise and clockwise: a first guess of the roll to level the face by.
_FILTER_TILT = {3: -30.0, 4: 30.0}
_LEVEL_ABOVE_DEGREES = 8.0


@dataclass(frozen=True)
class DetectedFace:
    """One face: its detector box (x0, y0, x1, y1), clipped to the image, and 68 landmarks."""

    box: tuple[int, int, int, int]
    landmarks: np.ndarray

    @property
    def side(self) -> int:
        return min(self.box[2] - self.box[0], self.box[3] - self.box[1])



def landmark_model_path() -> Path:
    return Path(os.environ.get(LANDMARK_MODEL_ENV) or DEBIAN_LANDMARK_MODEL)


def _dlib_models(model_path: str):
    with _DLIB_LOCK:
        return _load_dlib_models(model_path)


@functools.lru_cache(maxsize=2)
def _load_dlib_models(model_path: str):
    """dlib's detector and shape predictor, loaded once per process (the model is 100 MB)."""
    import dlib

    if not Path(model_path).is_file():
        raise FileNotFoundError(
            f"dlib's 68-point face landmark model is missing at {model_path}: install it with "
            f"`apt-get install libdlib-data`, or point {LANDMARK_MODEL_ENV} at "
            f"shape_predictor_68_face_landmarks.dat")
    return dlib.get_frontal_face_detector(), dlib.shape_predictor(model_path)


def _detect_boxes(image: np.ndarray) -> list[tuple[tuple[int, int, int, int], float]]:
    """Face boxes, each with a first guess of its tilt from which of dlib's filters fired."""
    detector, _ = _dlib_models(str(landmark_model_path()))
    # Upsampling doubles the image and finds faces down to ~40 px, at four times the cost and
    # with more false alarms: only when the plain pass finds nothing.
    for upsample in (0, 1):
        with _DLIB_LOCK:
            rectangles, _, filters = detector.run(image, upsample, 0.0)
        if len(rectangles):
            return [((d.left(), d.top(), d.right(), d.bottom()), _FILTER_TILT.get(int(f), 0.0))
                    for d, f in zip(rectangles, filters)]
    return []


def detected_boxes(image: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Every face dlib's detector finds, as (x0, y0, x1, y1) boxes, before any pose check."""
    return [box for box, _ in _detect_boxes(image)]


def _predict(image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    import dlib

    _, predictor = _dlib_models(str(landmark_model_path()))
    shape = predictor(image, dlib.rectangle(*box))
    return np.array([(p.x, p.y) for p in shape.parts()], dtype=float)


def _landmarks(image: np.ndarray, box: tuple[int, int, int, int], tilt_guess: float = 0.0) -> np.ndarray:
    """68 landmarks. A tilted face is levelled first: the predictor is fitted to upright faces
    and follows a 40-degree tilt only part of the way, or not at all."""
    points = None
    tilt = tilt_guess
    if not tilt:
        points = _predict(image, box)
        tilt = head_roll_degrees(points)
    if abs(tilt) < _LEVEL_ABOVE_DEGREES:
        return points if points is not None else _predict(image, box)
    center = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    # A positive cv2 angle turns the image counter-clockwise: it undoes a clockwise roll.
    to_level = cv2.getRotationMatrix2D(center, tilt, 1.0)
    level = cv2.warpAffine(image, to_level, (image.shape[1], image.shape[0]), borderMode=cv2.BORDER_REPLICATE)
    back = cv2.invertAffineTransform(to_level)
    return _predict(level, box) @ back[:, :2].T + back[:, 2]


def _clip_box(box: tuple[int, int, int, int], width: int, height: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    return (max(0, x0), max(0, y0), min(width, x1), min(height, y1))


def _box_area(box: tuple[int, int, int, int]) -> int:
    return (box[2] - box[0]) * (box[3] - box[1])


def head_roll_degrees(landmarks: np.ndarray) -> float:
    """In-plane tilt of the eye line, degrees, + clockwise in the image."""
    return float(np.degrees(FaceFrame.of(landmarks).angle))


def head_yaw_degrees(landmarks: np.ndarray) -> float:
    """Head turn estimated from the nose tip between the jaw ends, degrees, + toward image right."""
    canonical = FaceFrame.of(landmarks).to_canonical(landmarks)
    left = canonical[_NOSE_TIP, 0] - canonical[JAW[0], 0]
    right = canonical[JAW[-1], 0] - canonical[_NOSE_TIP, 0]
    if left + right <= 0:
        return 90.0
    asymmetry = (right - left) / (right + left)
    return float(np.degrees(np.arctan(asymmetry / _NOSE_DEPTH_OVER_HALF_WIDTH)))


def check_pose(landmarks: np.ndarray) -> None:
    """Refuse faces tilted or turned beyond what the 2-D warp can animate."""
    roll = head_roll_degrees(landmarks)
    if abs(roll) > MAX_ROLL_DEGREES:
        raise FaceInputError(f"the face is tilted by {abs(roll):.0f} degrees (at most "
                             f"{MAX_ROLL_DEGREES:.0f} allowed): rotate the photo so the eyes are level")
    yaw = head_yaw_degrees(landmarks)
    if abs(yaw) > MAX_YAW_DEGREES:
        raise FaceInputError(f"the face is turned about {abs(yaw):.0f} degrees to the side (at most "
                             f"{MAX_YAW_DEGREES:.0f} allowed): use a photo looking at the camera")


def _rotated(image: np.ndarray, degrees: float) -> tuple[np.ndarray, np.ndarray]:
    """The image turned by `degrees` on a canvas that holds all of it, and the 2x3 map used."""
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_width, new_height = int(height * sin + width * cos), int(height * cos + width * sin)
    matrix[:, 2] += (new_width / 2 - width / 2, new_height / 2 - height / 2)
    turned = cv2.warpAffine(image, matrix, (new_width, new_height), borderMode=cv2.BORDER_REPLICATE)
    return turned, matrix


def _tilt_of_hidden_face(image: np.ndarray) -> float | None:
    """Degrees a face is tilted by when it is found only in a turned copy of the image."""
    detector, _ = _dlib_models(str(landmark_model_path()))
    for turn in _DIAGNOSTIC_TURNS:
        turned, _ = _rotated(image, turn)
        with _DLIB_LOCK:
            found = detector(turned, 0)
        if len(found):
            d = max(found, key=lambda r: r.area())
            residual = head_roll_degrees(_landmarks(turned, (d.left(), d.top(), d.right(), d.bottom())))
            # cv2 turns counter-clockwise for positive angles; roll is + clockwise.
            return float((residual + turn + 180.0) % 360.0 - 180.0)
    return None


def detect_face(image: np.ndarray, largest: bool = False) -> DetectedFace:
    """The one face in an RGB uint8 image (from `load_portrait`), with its 68 landmarks."""
    image = np.ascontiguousarray(image)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise FaceInputError(f"detect_face needs an (H, W, 3) uint8 RGB image; "
                             f"got {image.shape} {image.dtype}")
    height, width = image.shape[:2]
    found = _detect_boxes(image)
    if not found:
        tilt = _tilt_of_hidden_face(image)
        if tilt is not None:
            raise FaceInputError(f"the face is tilted by about {abs(tilt):.0f} degrees (at most "
                                 f"{MAX_ROLL_DEGREES:.0f} allowed): rotate the photo so the eyes are level")
        raise FaceInputError("no face found in the portrait: use a clear, well-lit photo of one face "
                             "looking at the camera")
    if len(found) > 1 and not largest:
        raise FaceInputError(f"{len(found)} faces found in the portrait: crop it to one face, or ask "
                             f"for the largest face (largest=True)")
    # The predictor is fitted to dlib's own boxes, which may reach past the image edge.
    box, tilt_guess = max(found, key=lambda item: _box_area(_clip_box(item[0], width, height)))
    face = DetectedFace(_clip_box(box, width, height), _landmarks(image, box, tilt_guess))
    if face.side < MIN_FACE_SIDE:
        raise FaceInputError(f"the face is only {face.side} px across (at least {MIN_FACE_SIDE} px "
                             f"needed): use a larger or closer photo")
    check_pose(face.landmarks)
    return face
