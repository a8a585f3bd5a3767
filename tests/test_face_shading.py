"""Creases and eye whites shaded by the renderer, from geometry, on any portrait."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from synth.face.motion import MotionTrack
from synth.face.portrait import default_portrait_path, detect_face, load_portrait
from synth.face.renderer import PortraitRenderer
from synth.face.rig import pose_track
from synth.face.shading import Cues


@pytest.fixture(scope="module")
def renderers() -> tuple[PortraitRenderer, PortraitRenderer]:
    image = load_portrait(default_portrait_path())
    landmarks = detect_face(image).landmarks
    return PortraitRenderer(image, landmarks, 256), PortraitRenderer(image, landmarks, 256, shading=None)


def _points(renderer, **channels):
    track = MotionTrack.rest(1)
    for name, value in channels.items():
        track.set(name, np.array([value]))
    return pose_track(renderer.source_points[:68], track)[0]


def _grey(frame):
    return cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(float)


def test_cues_follow_the_action_units_and_vanish_at_rest(renderers):
    shaded, _ = renderers
    rest = shaded.source_points
    assert not Cues.of(rest, _points(shaded)).any
    assert Cues.of(rest, _points(shaded, AU4=1.0)).furrow > 0.8
    assert Cues.of(rest, _points(shaded, AU1=1.0, AU2=1.0)).forehead > 0.8
    assert Cues.of(rest, _points(shaded, AU5=1.0)).eye_white > 0.5
    assert Cues.of(rest, _points(shaded, AU12=1.0)).nasolabial > 0.8
    assert Cues.of(rest, _points(shaded, AU12=1.0)).furrow == 0.0


def test_creases_darken_where_they_belong_and_eye_whites_brighten(renderers):
    shaded, plain = renderers
    for channels, region in (({"AU4": 1.0}, "glabella"), ({"AU12": 1.0}, "cheeks"), ({"AU5": 1.0}, "eyes")):
        points = _points(shaded, **channels)
        difference = _grey(shaded.render(points)) - _grey(plain.render(points))
        x0, x1 = int(points[21, 0]), int(points[22, 0]) + 1
        if region == "glabella":
            patch = difference[int(points[21, 1]) - 2:int(points[27, 1]) + 4, x0:x1]
            assert patch.min() < -8
        elif region == "cheeks":
            patch = difference[int(points[31, 1]):int(points[48, 1]) + 8, int(points[48, 0]) - 20:int(points[48, 0])]
            assert patch.min() < -8
        else:
            assert difference[int(points[37, 1]):int(points[68, 1]), int(points[36, 0]):int(points[39, 0])].max() > 20
        # Nothing changes far from the face.
        assert np.abs(difference[:20, :20]).max() == 0
