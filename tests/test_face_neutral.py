"""Neutralising a portrait: its own expression is read from its landmarks and taken away."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from synth.face.motion import MotionTrack
from synth.face.neutral import (CORNER_TOLERANCE, OPEN_TOLERANCE, estimate_expression, lip_colour,
                                neutral_landmarks, paint_closed_lips)
from synth.face.portrait import default_portrait_path, detect_face, load_portrait
from synth.face.renderer import PortraitRenderer
from synth.face.rig import TEMPLATE, FaceFrame, pose_track

FACE = FaceFrame(np.array([150.0, 120.0]), 50.0, np.radians(-6.0))


@pytest.fixture(scope="module")
def portrait() -> tuple[np.ndarray, np.ndarray]:
    image = load_portrait(default_portrait_path())
    return image, detect_face(image).landmarks


def _posed_template(**channels: float) -> np.ndarray:
    track = MotionTrack.rest(1)
    for name, value in channels.items():
        track.set(name, np.array([value]))
    return pose_track(FACE.to_image(TEMPLATE), track)[0][:68]


def test_the_neutral_model_reads_neutral_and_rig_expressions_read_as_themselves():
    rest = estimate_expression(FACE.to_image(TEMPLATE))
    assert rest.neutral and abs(rest.corner_raise) < 1e-6 and rest.mouth_open < 0.01
    smile = estimate_expression(_posed_template(AU12=1.0))
    frown = estimate_expression(_posed_template(AU15=1.0))
    opened = estimate_expression(_posed_template(jaw_open=0.8, lip_close=0.0))
    raised = estimate_expression(_posed_template(AU1=1.0, AU2=1.0))
    assert smile.corner_raise > 0.05 and smile.mouth_widening > 0.1 and not smile.neutral
    assert frown.corner_raise < -0.05
    assert opened.mouth_open > 0.2 and opened.open_mouth
    assert raised.brow_raise > 0.05 and abs(raised.corner_raise) < 0.01


def test_neutral_landmarks_undo_a_rig_smile_and_keep_a_neutral_face():
    neutral = FACE.to_image(TEMPLATE)
    np.testing.assert_allclose(neutral_landmarks(neutral), neutral, atol=1e-9)
    smile = _posed_template(AU12=1.0, AU6=0.8, jaw_open=0.5, lip_close=0.0, AU1=1.0, AU2=1.0)
    undone = estimate_expression(neutral_landmarks(smile))
    assert abs(undone.corner_raise) < CORNER_TOLERANCE and undone.mouth_open < OPEN_TOLERANCE
    assert abs(undone.mouth_widening) < 0.02 and abs(undone.brow_raise) <= 0.04 + 1e-6
    # The nose and the upper lids, which carry identity and no expression here, stay where they
    # were; the lower lids the cheek raiser (AU6) pushed up come back down toward the model's.
    undone_points = neutral_landmarks(smile)
    lower_lids = [40, 41, 46, 47]
    unmoved = [i for i in range(27, 48) if i not in lower_lids]
    np.testing.assert_allclose(undone_points[unmoved], smile[unmoved], atol=1e-9)
    rise = neutral[lower_lids, 1] - smile[lower_lids, 1]
    assert np.all(rise > 0) and np.all(neutral[lower_lids, 1] - undone_points[lower_lids, 1] < 0.5 * rise)


def test_the_default_portrait_reads_as_an_open_smile_and_renders_neutral(portrait):
    image, landmarks = portrait
    own = estimate_expression(landmarks)
    assert own.corner_raise > 0.05 and own.open_mouth and own.mouth_widening > 0.15
    renderer = PortraitRenderer(image, landmarks, 256)
    assert renderer.photo_expression == estimate_expression(renderer.framing.to_output(landmarks))
    rest = renderer.render(pose_track(renderer.source_points[:68], MotionTrack.rest(1))[0])
    seen = estimate_expression(detect_face(rest).landmarks)       # dlib, on the rendered frame
    assert seen.mouth_open < OPEN_TOLERANCE
    assert seen.corner_raise < own.corner_raise / 2
    # No teeth inside the closed lips: nothing there is as bright as the photo's teeth.
    lips = np.zeros(rest.shape[:2], np.uint8)
    cv2.fillPoly(lips, [np.round(renderer.source_points[48:60]).astype(np.int32)], 1)
    grey = cv2.cvtColor(rest, cv2.COLOR_RGB2GRAY)[lips.astype(bool)]
    photo_teeth = np.percentile(cv2.cvtColor(PortraitRenderer(image, landmarks, 256, neutralise=False).image,
                                             cv2.COLOR_RGB2GRAY), 99)
    assert np.mean(grey > 0.9 * photo_teeth) < 0.02


def test_lip_colour_is_red_and_closed_lips_are_painted_in_it(portrait):
    image, landmarks = portrait
    colour = lip_colour(image, landmarks)
    assert colour[0] > colour[2] + 20          # red, not the teeth's white
    canvas = np.full((300, 300, 3), 200, np.uint8)
    closed = neutral_landmarks(landmarks)
    paint_closed_lips(canvas, closed, colour)
    # The lower lip's middle (the line where the lips meet and the shadow under them are darker).
    centre = np.round(closed[[66, 57]].mean(axis=0)).astype(int)
    assert np.abs(canvas[centre[1], centre[0]].astype(float) - colour).max() < 40
    meeting = np.round(closed[[62, 66]].mean(axis=0)).astype(int)
    assert canvas[meeting[1], meeting[0]].astype(float).mean() < 0.85 * colour.mean()
    assert (canvas[5, 5] == 200).all()         # far from the lips nothing changes


def test_bad_landmarks_are_refused():
    with pytest.raises(ValueError, match="68"):
        estimate_expression(np.zeros((10, 2)))
    with pytest.raises(ValueError, match="finite"):
        neutral_landmarks(np.full((68, 2), np.nan))


def test_smile_folds_are_flattened_only_where_a_smile_was_taken_out():
    from synth.face.neutral import fold_softening, soften_smile_folds
    from synth.face.portrait import default_portrait_path, detect_face, load_portrait
    from synth.face.renderer import PortraitRenderer

    image = load_portrait(default_portrait_path())
    renderer = PortraitRenderer(image, detect_face(image).landmarks, 256, neutralise=False)
    photo = renderer.source_points[:68]
    assert fold_softening(estimate_expression(photo)) == 1.0        # the default portrait smiles
    assert fold_softening(estimate_expression(TEMPLATE)) == 0.0
    neutral = neutral_landmarks(photo)
    softened = renderer.image.copy()
    soften_smile_folds(softened, neutral, 1.0)
    changed = np.abs(softened.astype(int) - renderer.image).max(axis=2) > 2
    assert changed.sum() > 100
    ys, xs = np.nonzero(changed)
    # Only on the cheeks and beside the mouth: below the eyes and above the chin.
    assert ys.min() > neutral[36:48, 1].mean() and ys.max() < neutral[8, 1]
    assert xs.min() > neutral[1, 0] and xs.max() < neutral[15, 0]        # inside the face outline
    grey = lambda im: cv2.cvtColor(im, cv2.COLOR_RGB2GRAY).astype(float)[changed]  # noqa: E731
    assert grey(softened).std() < grey(renderer.image).std()          # the folds' light and dark evened out
