"""Expression geometry at the magnitudes of posed apex expressions, and speech keeping it."""

from __future__ import annotations

import numpy as np
import pytest

from conditioning.categories import CATEGORIES
from synth.face.apex import APEX, MEASURES, measure
from synth.face.expression import action_units
from synth.face.motion import ACTION_UNIT_SLICE, MotionTrack
from synth.face.rig import TEMPLATE, FaceFrame, pose_track
from train.fer.data import category_target

FACE = FaceFrame(np.array([180.0, 140.0]), 45.0, np.radians(5.0))
REST = FACE.to_image(TEMPLATE)


def _posed(category: str | None = None, **channels: float) -> np.ndarray:
    track = MotionTrack.rest(1)
    if category:
        track.values[0, ACTION_UNIT_SLICE] = action_units(category_target(category, 1.0))
    for name, value in channels.items():
        track.set(name, np.array([value]))
    return pose_track(REST, track)[0][:68]


def test_every_apex_figure_names_a_measure_and_a_source():
    assert set(APEX) == set(CATEGORIES)
    for figures in APEX.values():
        for name, figure in figures.items():
            assert name in MEASURES and figure.source and abs(figure.mm) < 20


@pytest.mark.parametrize("category", [c for c in CATEGORIES if APEX[c]])
def test_intensity_one_moves_the_rig_as_far_as_posed_apex_expressions(category):
    measured = measure(REST, _posed(category, lip_close=0.0 if category in ("surprised", "fearful") else 1.0))
    for name, figure in APEX[category].items():
        ratio = measured[name] / figure.value
        assert 0.6 <= ratio <= 1.6, f"{category} {name}: rig {measured[name]:+.3f}, apex {figure.value:+.3f}"


def test_measure_ignores_head_motion_and_reads_nothing_on_the_same_face():
    assert max(abs(v) for v in measure(REST, REST).values()) < 1e-9
    happy = _posed("happy")
    moved = FaceFrame(np.array([20.0, -10.0]), 1.3, np.radians(9.0))
    elsewhere = moved.to_image(FACE.to_canonical(happy))
    for name, value in measure(REST, happy).items():
        assert measure(REST, elsewhere)[name] == pytest.approx(value, abs=1e-6)


def test_speech_keeps_the_emotions_mouth():
    rest = _posed()
    smile = _posed(AU12=1.0)
    rounded_smile = _posed(AU12=1.0, lip_width=-1.0, jaw_open=0.3, lip_close=0.0)
    smile_out = measure(rest, smile)["corner_out"]
    assert measure(rest, rounded_smile)["corner_out"] > 0.6 * smile_out
    assert measure(rest, _posed(lip_width=-1.0))["corner_out"] < 0            # rounding alone narrows
    # The upper lip raiser is not undone by the lips closing for speech.
    assert measure(rest, _posed(AU10=1.0, lip_close=1.0))["upper_lip_raise"] > 0.05
    stretch = _posed(AU20=1.0, lip_width=-1.0)
    assert measure(rest, stretch)["corner_out"] > 0.5 * measure(rest, _posed(AU20=1.0))["corner_out"]


def test_measure_refuses_bad_landmarks():
    with pytest.raises(ValueError, match="68"):
        measure(np.zeros((5, 2)), REST)


def test_geometry_reading_names_the_rig_apex_of_each_category():
    from train.evaluate_talking_head import geometry_reading
    for category in ("neutral", "happy", "sad", "angry", "surprised", "fearful"):
        lips = {"lip_close": 0.0} if category in ("surprised", "fearful") else {}
        assert geometry_reading(REST, _posed(category if category != "neutral" else None, **lips)) == category
