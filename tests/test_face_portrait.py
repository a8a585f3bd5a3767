"""Portrait loading and face detection: formats, limits, and the faces a portrait must have."""

from __future__ import annotations

import cv2
import dlib
import numpy as np
import pytest
from PIL import Image

from synth.face.errors import FaceInputError
from synth.face.motion import MotionTrack
from synth.face.portrait import (
    MAX_YAW_DEGREES, LANDMARK_MODEL_ENV, DetectedFace, check_pose, default_portrait_path, detect_face,
    head_roll_degrees, head_yaw_degrees, load_portrait,
)
from synth.face.rig import pose_track


@pytest.fixture(scope="module")
def portrait() -> np.ndarray:
    return load_portrait(default_portrait_path())


@pytest.fixture(scope="module")
def face(portrait) -> DetectedFace:
    return detect_face(portrait)


def _turned(image: np.ndarray, degrees: float) -> np.ndarray:
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    return cv2.warpAffine(image, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)


# ---------------------------------------------------------------------------- loading


@pytest.mark.parametrize("suffix, options",
                         [(".png", {}), (".jpg", {"quality": 92}), (".webp", {"quality": 90})])
def test_loads_png_jpeg_and_webp(tmp_path, portrait, suffix, options):
    path = tmp_path / f"portrait{suffix}"
    Image.fromarray(portrait).save(path, **options)
    loaded = load_portrait(path)
    assert loaded.shape == portrait.shape and loaded.dtype == np.uint8
    assert np.abs(loaded.astype(int) - portrait).mean() < 4.0


def test_accepts_gray_rgba_float_arrays_and_pil_images(portrait):
    gray = cv2.cvtColor(portrait, cv2.COLOR_RGB2GRAY)
    assert load_portrait(gray).shape == portrait.shape
    rgba = np.dstack([portrait, np.full(portrait.shape[:2], 255, np.uint8)])
    assert np.array_equal(load_portrait(rgba), portrait)
    assert np.abs(load_portrait(portrait / 255.0).astype(int) - portrait).max() <= 1
    assert np.array_equal(load_portrait(Image.fromarray(portrait)), portrait)


def test_transparent_pixels_become_white(portrait):
    rgba = np.dstack([portrait, np.zeros(portrait.shape[:2], np.uint8)])
    assert (load_portrait(rgba) == 255).all()


def test_large_images_are_downscaled_keeping_aspect():
    wide = np.zeros((1000, 2000, 3), np.uint8)
    assert load_portrait(wide).shape == (512, 1024, 3)
    assert load_portrait(wide, max_side=500).shape == (250, 500, 3)
    assert load_portrait(np.zeros((300, 200, 3), np.uint8)).shape == (300, 200, 3)


def test_refuses_tiny_and_huge_images(tmp_path):
    with pytest.raises(FaceInputError, match="too small"):
        load_portrait(np.zeros((40, 400, 3), np.uint8))
    # 56 megapixels, 1 bit each: the limit is checked from the header, before decoding.
    huge = tmp_path / "huge.png"
    Image.new("1", (8000, 7000)).save(huge)
    with pytest.raises(FaceInputError, match="megapixel"):
        load_portrait(huge)


def test_corrupt_truncated_missing_and_foreign_files_name_the_file(tmp_path, portrait):
    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    with pytest.raises(FaceInputError, match="garbage.png.*not a readable image"):
        load_portrait(garbage)

    whole = tmp_path / "whole.png"
    Image.fromarray(portrait).save(whole)
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(FaceInputError, match="truncated.png.*corrupt or truncated"):
        load_portrait(truncated)

    with pytest.raises(FaceInputError, match="missing.jpg does not exist"):
        load_portrait(tmp_path / "missing.jpg")

    bitmap = tmp_path / "portrait.bmp"
    Image.fromarray(portrait).save(bitmap)
    with pytest.raises(FaceInputError, match="BMP format; use JPEG, PNG or WebP"):
        load_portrait(bitmap)


def test_refuses_odd_arrays():
    with pytest.raises(FaceInputError, match="must be"):
        load_portrait(np.zeros((100, 100, 2), np.uint8))
    with pytest.raises(FaceInputError, match="NaN"):
        load_portrait(np.full((100, 100, 3), np.nan))
    with pytest.raises(FaceInputError, match="numpy array"):
        load_portrait(42)


# ---------------------------------------------------------------------------- detection


def test_default_portrait_has_exactly_one_face_at_both_upsamplings(portrait, face):
    detector = dlib.get_frontal_face_detector()
    assert len(detector(portrait, 0)) == 1 and len(detector(portrait, 1)) == 1
    assert face.landmarks.shape == (68, 2)
    x0, y0, x1, y1 = face.box
    assert 0 <= x0 < x1 <= portrait.shape[1] and 0 <= y0 < y1 <= portrait.shape[0]
    assert face.side >= 80
    assert (face.landmarks.min(axis=0) > (x0 - 10, y0 - 10)).all()
    assert abs(head_roll_degrees(face.landmarks)) < 5 and abs(head_yaw_degrees(face.landmarks)) < 5


def test_no_face_in_blank_or_noise():
    noise = np.random.default_rng(1).integers(0, 256, (200, 200, 3), dtype=np.uint8)
    for image in (np.full((200, 200, 3), 128, np.uint8), noise):
        with pytest.raises(FaceInputError, match="no face"):
            detect_face(image)


def test_several_faces_refused_unless_largest(portrait, face):
    small = cv2.resize(portrait, None, fx=0.8, fy=0.8, interpolation=cv2.INTER_AREA)
    pair = np.zeros((portrait.shape[0], portrait.shape[1] + small.shape[1], 3), np.uint8)
    pair[:, :small.shape[1]][: small.shape[0]] = small
    pair[:, small.shape[1]:] = portrait
    with pytest.raises(FaceInputError, match="2 faces found"):
        detect_face(pair)
    largest = detect_face(pair, largest=True)
    # The full-size copy sits on the right.
    assert largest.box[0] >= small.shape[1]
    assert np.abs(largest.landmarks - face.landmarks - (small.shape[1], 0)).mean() < 2.0


def test_small_face_refused_with_its_size(portrait):
    tiny = cv2.resize(portrait, (150, 150), interpolation=cv2.INTER_AREA)
    with pytest.raises(FaceInputError, match=r"only \d+ px across"):
        detect_face(tiny)


def test_tilted_face_refused_and_mildly_tilted_face_accepted(portrait, face):
    with pytest.raises(FaceInputError, match="tilted by about 5\\d degrees"):
        detect_face(_turned(portrait, 60))
    with pytest.raises(FaceInputError, match="tilted by 3\\d degrees"):
        detect_face(_turned(portrait, -35))
    mild = detect_face(_turned(portrait, -15))
    assert head_roll_degrees(mild.landmarks) == pytest.approx(head_roll_degrees(face.landmarks) + 15, abs=3)


def test_turned_head_refused(face):
    # The rig turns the face; the nose tip slides toward one jaw end.
    track = MotionTrack.rest(2)
    track.set("head_yaw", np.radians([0.0, 50.0]))
    straight, turned = pose_track(face.landmarks, track)[:, :68]
    check_pose(straight)
    assert head_yaw_degrees(turned) > MAX_YAW_DEGREES
    with pytest.raises(FaceInputError, match="turned about"):
        check_pose(turned)


def test_missing_landmark_model_says_how_to_install(portrait, monkeypatch, tmp_path):
    monkeypatch.setenv(LANDMARK_MODEL_ENV, str(tmp_path / "absent.dat"))
    with pytest.raises(FileNotFoundError, match="apt-get install libdlib-data"):
        detect_face(portrait)


def test_detection_from_several_threads_at_once_agrees(portrait, face):
    """The web studio animates from several threads; dlib documents its shared detector as
    unsafe under concurrent access."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        found = list(pool.map(lambda _: detect_face(portrait), range(16)))
    assert all(f.box == face.box for f in found)
    assert all(np.allclose(f.landmarks, face.landmarks) for f in found)
