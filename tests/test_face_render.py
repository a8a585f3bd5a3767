"""The portrait renderer (framing, mesh, warp, mouth interior) and the MP4 writer."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from synth.face.motion import MotionTrack
from synth.face.portrait import default_portrait_path, detect_face, load_portrait
from synth.face.renderer import MOUTH_CENTER, PortraitRenderer, mesh_edges
from synth.face.rig import INNER_LIPS, LEFT_EYE, OUTER_LIPS, PUPILS, RIGHT_EYE, pose_track
from synth.face.video import probe_video, write_frames_png, write_video


@pytest.fixture(scope="module")
def portrait() -> np.ndarray:
    return load_portrait(default_portrait_path())


@pytest.fixture(scope="module")
def landmarks(portrait) -> np.ndarray:
    return detect_face(portrait).landmarks


@pytest.fixture(scope="module")
def renderer(portrait, landmarks) -> PortraitRenderer:
    return PortraitRenderer(portrait, landmarks, 256)


def _posed(renderer: PortraitRenderer, **channels: float) -> np.ndarray:
    track = MotionTrack.rest(1)
    for name, value in channels.items():
        track.set(name, np.array([value]))
    return pose_track(renderer.source_points[:68], track)[0]


def _mask(shape: tuple[int, ...], polygon: np.ndarray, grow: int = 0) -> np.ndarray:
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(polygon).astype(np.int32)], 1)
    if grow:
        mask = cv2.dilate(mask, np.ones((2 * grow + 1, 2 * grow + 1), np.uint8))
    return mask.astype(bool)


def test_output_sizes(portrait, landmarks):
    for size in (256, 512):
        renderer = PortraitRenderer(portrait, landmarks, size)
        assert renderer.image.shape == (size, size, 3) and renderer.size == (size, size)
        assert renderer.render(renderer.source_points).shape == (size, size, 3)
        # The face is framed: eyes in the upper half, chin inside, about a third of the width.
        eyes_y = renderer.source_points[36:48, 1].mean()
        assert 0.2 * size < eyes_y < 0.5 * size
        assert renderer.source_points[8, 1] < size
    whole = PortraitRenderer(portrait, landmarks, None, neutralise=False)
    assert whole.image.shape == portrait.shape
    assert np.allclose(whole.source_points[:68], landmarks)
    # The default portrait smiles: neutralised, its rest landmarks are not the photo's.
    assert PortraitRenderer(portrait, landmarks, None).image.shape == portrait.shape
    assert not np.allclose(PortraitRenderer(portrait, landmarks, None).source_points[:68], landmarks)
    with pytest.raises(ValueError, match="output_size"):
        PortraitRenderer(portrait, landmarks, 300)


def test_mesh_keeps_lips_and_eyes_as_fans(renderer):
    edges = mesh_edges(renderer.triangles)
    for hub, polygon in ((MOUTH_CENTER, INNER_LIPS), (PUPILS[0], RIGHT_EYE), (PUPILS[1], LEFT_EYE)):
        for i, vertex in enumerate(polygon):
            assert frozenset((vertex, polygon[(i + 1) % len(polygon)])) in edges
            assert frozenset((hub, vertex)) in edges
    # Every triangle has area at rest: no folded or zero-size triangles in the mesh.
    a, b, c = np.moveaxis(renderer.control_points[renderer.triangles], 1, 0)
    cross = (b - a)[:, 0] * (c - a)[:, 1] - (b - a)[:, 1] * (c - a)[:, 0]
    assert (np.abs(cross) > 1e-3).all()


def test_rest_pose_reproduces_the_portrait_outside_the_mouth(renderer):
    # The rest pose closes the portrait's parted lips, which pulls the skin around them a little.
    frame = renderer.render(_posed(renderer))
    difference = np.abs(frame.astype(int) - renderer.image).max(axis=2)
    lips = _mask(frame.shape, renderer.source_points[list(OUTER_LIPS)], grow=3)
    assert difference[~lips].mean() < 0.5
    iod = np.hypot(*(renderer.source_points[36:42].mean(axis=0) - renderer.source_points[42:48].mean(axis=0)))
    around_mouth = _mask(frame.shape, renderer.source_points[list(OUTER_LIPS)], grow=int(0.6 * iod))
    assert difference[~around_mouth].max() == 0
    # Rendering the rest points themselves changes nothing but the mouth interior.
    same = renderer.render(renderer.source_points)
    assert np.array_equal(same[~lips], renderer.image[~lips])


def test_jaw_open_paints_a_dark_cavity_and_keeps_the_background(renderer):
    rest = renderer.render(_posed(renderer))
    points = _posed(renderer, jaw_open=1.0, lip_close=0.0)
    frame = renderer.render(points)
    cavity = _mask(frame.shape, points[list(INNER_LIPS)])
    assert cavity.sum() > 100
    luminance = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)[cavity]
    assert np.mean(luminance < 90) > 0.4, "most of the open mouth is dark"
    assert np.mean(luminance > 170) > 0.05, "the upper teeth show"
    red, green, blue = frame[cavity].astype(int).T
    assert np.median(red - blue) > 10, "the cavity is red-brown, not gray"
    for corner in (np.s_[:24, :24], np.s_[:24, -24:], np.s_[-24:, :24], np.s_[-24:, -24:]):
        assert np.array_equal(frame[corner], renderer.image[corner])
    # The closed-mouth frame has no cavity where the open one has.
    assert np.mean(cv2.cvtColor(rest, cv2.COLOR_RGB2GRAY)[cavity] < 90) < 0.1


def test_gaze_moves_pixels_inside_the_eyes_only(renderer):
    rest = renderer.render(_posed(renderer))
    frame = renderer.render(_posed(renderer, gaze_x=1.0))
    changed = np.abs(frame.astype(int) - rest).max(axis=2) > 0
    eyes = _mask(frame.shape, renderer.source_points[list(RIGHT_EYE)], grow=1) | \
        _mask(frame.shape, renderer.source_points[list(LEFT_EYE)], grow=1)
    assert changed.sum() > 20
    assert not (changed & ~eyes).any()


def test_two_second_video_with_audio(tmp_path, renderer):
    track = MotionTrack.rest(50)
    track.set("jaw_open", 0.5 + 0.5 * np.sin(np.arange(50) / 3))
    track.set("lip_close", np.zeros(50))
    rate = 16000
    audio = 0.2 * np.sin(2 * np.pi * 220 * np.arange(int(2.3 * rate)) / rate)     # longer: trimmed
    path = write_video(tmp_path / "talk.mp4", renderer.render_track(track), track.fps, audio, rate)
    info = probe_video(path)
    assert info.frames == 50 and info.fps == 25.0
    assert info.duration_s == pytest.approx(2.0, abs=0.05)
    assert (info.width, info.height) == (256, 256)
    assert info.has_audio and info.video_codec == "h264" and info.audio_codec == "aac"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["talk.mp4"]


def test_odd_sizes_are_evened_and_silent_video_has_no_audio(tmp_path):
    frames = [np.full((63, 65, 3), 40 * i, np.uint8) for i in range(5)]
    info = probe_video(write_video(tmp_path / "odd.mp4", frames, 10.0))
    assert (info.width, info.height, info.frames) == (66, 64, 5)
    assert not info.has_audio and info.audio_codec is None


def test_failed_write_leaves_nothing(tmp_path):
    def failing():
        for i in range(5):
            yield np.zeros((64, 64, 3), np.uint8)
        raise RuntimeError("renderer crashed")

    target = tmp_path / "out.mp4"
    with pytest.raises(RuntimeError, match="renderer crashed"):
        write_video(target, failing(), 25.0, np.zeros(16000), 16000)
    with pytest.raises(ValueError, match="frame 2"):
        write_video(target, [np.zeros((64, 64, 3), np.uint8)] * 2 + [np.zeros((32, 32, 3), np.uint8)], 25.0)
    with pytest.raises(ValueError, match="NaN"):
        write_video(target, [np.zeros((64, 64, 3), np.uint8)] * 3, 25.0, np.full(100, np.nan), 16000)
    assert list(tmp_path.iterdir()) == []
    # An existing file is replaced whole or not touched.
    target.write_bytes(b"previous")
    with pytest.raises(RuntimeError):
        write_video(target, failing(), 25.0)
    assert target.read_bytes() == b"previous"


def test_png_frames(tmp_path):
    frames = [np.full((8, 8, 3), (i, 2 * i, 3 * i), np.uint8) for i in range(3)]
    written = write_frames_png(tmp_path / "frames", frames)
    assert [p.name for p in written] == ["frame_00000.png", "frame_00001.png", "frame_00002.png"]
    assert sorted(p.name for p in (tmp_path / "frames").iterdir()) == [p.name for p in written]
    assert cv2.imread(str(written[2]))[0, 0].tolist() == [6, 4, 2]


def test_happy_is_a_duchenne_smile_with_upper_teeth_and_speech_still_moves_the_mouth(renderer):
    """Happy at 1: the corners up and out beyond the apex fraction, the lips parted over the
    upper teeth, raised cheeks; at 0.5 a milder smile; speech still opens and closes the lips."""
    from synth.face.apex import APEX, measure
    from synth.face.expression import action_units
    from synth.face.motion import ACTION_UNIT_SLICE
    from synth.face.rig import mouth_opening, pose_track
    from synth.face.shading import Cues
    from train.fer.data import category_target

    rest = renderer.source_points

    def posed(intensity, **channels):
        track = MotionTrack.rest(1)
        track.values[0, ACTION_UNIT_SLICE] = action_units(category_target("happy", intensity))
        for name, value in channels.items():
            track.set(name, np.array([value]))
        return pose_track(rest[:68], track)[0]

    full, half = posed(1.0), posed(0.5)
    moved = measure(rest[:68], full[:68])
    for name in ("corner_raise", "corner_out", "lower_lid_raise"):
        assert moved[name] > 0.8 * APEX["happy"][name].value, name
    assert mouth_opening(full) > 0.1 > mouth_opening(half) > 0.03 > mouth_opening(rest)
    assert measure(rest[:68], half[:68])["corner_raise"] < moved["corner_raise"]
    cues = Cues.of(rest, full)
    assert cues.cheek > 0.8 and cues.smile > 0.8
    assert Cues.of(rest, posed(0.0, AU7=1.0)).cheek == 0.0          # the lid tightener is no cheek raiser
    frame = renderer.render(full)
    mouth = _mask(frame.shape, full[list(INNER_LIPS)])
    assert mouth.sum() > 40
    luminance = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)[mouth]
    assert np.mean(luminance > 170) > 0.3, "the upper teeth fill much of the smile"
    # The raised cheek under each eye is lit brighter than in the unshaded render.
    plain = PortraitRenderer(renderer.image, rest[:68], None, neutralise=False, shading=None).render(full)
    cheek = (full[[41, 40]].mean(axis=0) + full[[31, 48]].mean(axis=0)) / 2
    x, y = np.round(cheek).astype(int)
    assert frame[y - 2:y + 3, x - 2:x + 3].mean() > plain[y - 2:y + 3, x - 2:x + 3].mean() + 3
    # Speech: a bilabial closes the smile part-way, an open vowel opens it wider, the corners stay.
    closed, opened = posed(1.0, lip_close=1.0), posed(1.0, jaw_open=0.6, lip_close=0.0)
    assert mouth_opening(opened) > mouth_opening(closed) + 0.1
    assert measure(rest[:68], opened[:68])["corner_out"] > 0.6 * moved["corner_out"]
