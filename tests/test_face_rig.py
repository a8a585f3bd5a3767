"""The face rig: motion channels move the landmarks they should, in any face's own frame."""

from __future__ import annotations

import numpy as np
import pytest

from synth.face.motion import CHANNELS, MotionTrack
from synth.face.rig import (INNER_LIPS, LOWER_LIDS, MOUTH_CORNERS, PUPILS, TEMPLATE, UPPER_LIDS, FaceFrame,
                            mouth_opening, pose_track, with_pupils)

FACE = FaceFrame(np.array([200.0, 150.0]), 40.0, np.radians(8.0))
LANDMARKS = FACE.to_image(TEMPLATE)


def _pose(landmarks=LANDMARKS, **channels) -> np.ndarray:
    track = MotionTrack.rest(1)
    for name, value in channels.items():
        track.set(name, value)
    return pose_track(landmarks, track)[0]


def _canonical(points: np.ndarray, landmarks=LANDMARKS) -> np.ndarray:
    return FaceFrame.of(landmarks).to_canonical(points)


def test_frame_round_trip_and_rest_pose_keeps_the_face():
    np.testing.assert_allclose(FACE.to_canonical(FACE.to_image(TEMPLATE)), TEMPLATE, atol=1e-9)
    rest = _pose()
    assert rest.shape == (70, 2)
    np.testing.assert_allclose(rest[:48], LANDMARKS[:48], atol=1e-6)
    assert np.abs(rest[:68] - LANDMARKS).max() < 0.01 * FACE.scale   # lips only close their tiny gap


def test_jaw_opens_the_mouth_and_lip_close_shuts_it():
    assert mouth_opening(_pose()) < 0.01
    opened = _pose(jaw_open=1.0, lip_close=0.0)
    assert mouth_opening(opened) > 0.3
    assert mouth_opening(_pose(jaw_open=1.0, lip_close=1.0)) < 0.01
    chin = _canonical(opened)[8] - _canonical(_pose())[8]
    assert chin[1] > 0.3 and abs(chin[0]) < 0.01          # down in the face's own frame, not the image's


def test_smile_pulls_the_corners_up_and_out_frown_pulls_them_down():
    rest, smile, frown = (_canonical(p)[list(MOUTH_CORNERS[:2])] for p in (_pose(), _pose(AU12=1.0), _pose(AU15=1.0)))
    assert (smile[:, 1] < rest[:, 1] - 0.05).all()
    assert smile[0, 0] < rest[0, 0] and smile[1, 0] > rest[1, 0]
    assert (frown[:, 1] > rest[:, 1] + 0.05).all()


def test_brows_blink_and_gaze():
    rest, raised = _canonical(_pose()), _canonical(_pose(AU1=1.0, AU2=1.0))
    assert (raised[17:27, 1] < rest[17:27, 1] - 0.02).all()
    shut = _canonical(_pose(blink=1.0))
    gap = shut[list(LOWER_LIDS), 1] - shut[list(UPPER_LIDS), 1]
    assert (gap < 0.02).all()
    looking = _canonical(_pose(gaze_x=1.0))
    assert (looking[list(PUPILS), 0] > rest[list(PUPILS), 0] + 0.05).all()
    np.testing.assert_allclose(looking[:68], rest[:68], atol=1e-9)


def test_head_roll_rotates_and_the_rig_scales_with_the_face():
    rolled = _pose(head_roll=0.2)
    assert np.degrees(FaceFrame.of(rolled[:68]).angle - FACE.angle) == pytest.approx(np.degrees(0.2), abs=1.5)
    big = FaceFrame(FACE.center, 2 * FACE.scale, FACE.angle).to_image(TEMPLATE)
    small_move = _pose(jaw_open=1.0, lip_close=0.0) - _pose()
    big_move = _pose(big, jaw_open=1.0, lip_close=0.0) - _pose(big)
    np.testing.assert_allclose(big_move, 2 * small_move, atol=1e-6)


def test_with_pupils_and_bad_motion():
    assert with_pupils(LANDMARKS).shape == (70, 2)
    with pytest.raises(ValueError, match="motion values"):
        MotionTrack(np.zeros((3, len(CHANNELS) - 1)))
    assert len(INNER_LIPS) == 8
