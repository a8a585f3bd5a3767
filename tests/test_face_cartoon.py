"""The built-in cartoon avatar: shapes, determinism, variety, and visible expressions."""

from dataclasses import replace

import numpy as np
import pytest

from synth.face.cartoon import DEFAULT, CartoonIdentity, CartoonRenderer
from synth.face.motion import CHANNEL_INDEX, MotionTrack
from synth.face.rig import pose_track

# A vivid iris no other part of the default face is drawn in.
GREEN_EYED = replace(DEFAULT, iris_colour=(30, 200, 60))


def posed_frame(renderer: CartoonRenderer, **channels: float) -> np.ndarray:
    track = MotionTrack.rest(1)
    for name, value in channels.items():
        track.values[0, CHANNEL_INDEX[name]] = value
    return pose_track(renderer.source_points[:68], track)[0]


def render(renderer: CartoonRenderer, **channels: float) -> np.ndarray:
    return renderer.render(posed_frame(renderer, **channels))


def box(points: np.ndarray, indices: list[int], margin: float) -> tuple[slice, slice]:
    low = np.floor(points[indices].min(axis=0) - margin).astype(int)
    high = np.ceil(points[indices].max(axis=0) + margin).astype(int)
    return slice(low[1], high[1]), slice(low[0], high[0])


def colour_mask(image: np.ndarray, colour: tuple[int, int, int], tolerance: int) -> np.ndarray:
    return np.all(np.abs(image.astype(int) - colour) <= tolerance, axis=-1)


@pytest.mark.parametrize("size", [256, 512])
def test_renders_rgb_frames_of_the_requested_size(size):
    renderer = CartoonRenderer(size=size)
    assert renderer.source_points.shape == (70, 2)
    frame = render(renderer)
    assert frame.shape == (size, size, 3) and frame.dtype == np.uint8


def test_source_points_place_the_face_in_the_canvas():
    renderer = CartoonRenderer(size=256)
    points = renderer.source_points
    eyes = (points[36:42].mean(axis=0), points[42:48].mean(axis=0))
    assert np.hypot(*(eyes[1] - eyes[0])) == pytest.approx(0.23 * 256, rel=0.05)
    assert (eyes[0][1] + eyes[1][1]) / 2 == pytest.approx(0.4 * 256, abs=3)
    assert np.all((points > 0) & (points < 256))


def test_rest_pose_is_deterministic():
    first, second = CartoonRenderer(size=256), CartoonRenderer(size=256)
    assert np.array_equal(render(first), render(second))


def test_random_identities_differ():
    rng = np.random.default_rng(3)
    identities = [CartoonIdentity.random(rng) for _ in range(4)]
    assert len({identity for identity in identities}) == 4
    frames = [render(CartoonRenderer(identity, size=128)).astype(float) for identity in identities]
    for i in range(len(frames)):
        for j in range(i + 1, len(frames)):
            assert np.abs(frames[i] - frames[j]).mean() > 5


def test_random_identities_span_skin_tones_and_hair_styles():
    rng = np.random.default_rng(0)
    identities = [CartoonIdentity.random(rng) for _ in range(200)]
    brightness = [np.mean(identity.skin_colour) for identity in identities]
    assert min(brightness) < 90 and max(brightness) > 200
    assert len({identity.hair_style for identity in identities}) >= 6


def test_jaw_open_darkens_the_mouth():
    renderer = CartoonRenderer(size=256)
    open_points = posed_frame(renderer, jaw_open=1.0, lip_close=0.0)
    mouth = box(open_points, list(range(60, 68)), margin=0)
    closed = render(renderer)[mouth].mean()
    opened = renderer.render(open_points)[mouth].mean()
    assert opened < closed - 40


def test_blink_hides_the_iris():
    renderer = CartoonRenderer(GREEN_EYED, size=256)
    eyes = box(posed_frame(renderer), list(range(36, 48)), margin=3)
    iris = GREEN_EYED.iris_colour
    assert colour_mask(render(renderer)[eyes], iris, 25).sum() > 40
    assert colour_mask(render(renderer, blink=1.0)[eyes], iris, 25).sum() == 0


def test_raised_brows_move_brow_pixels_up():
    renderer = CartoonRenderer(size=256)
    points = posed_frame(renderer)
    region = box(points, list(range(17, 27)), margin=12)
    brow = renderer.palette.brow

    def brow_height(image: np.ndarray) -> float:
        rows, _ = np.nonzero(colour_mask(image[region], brow, 12))
        assert len(rows) > 30
        return float(rows.mean())

    assert brow_height(render(renderer, AU1=1.0, AU2=1.0)) < brow_height(render(renderer)) - 3


def test_head_roll_changes_the_image():
    renderer = CartoonRenderer(size=256)
    rest, rolled = render(renderer), render(renderer, head_roll=0.2)
    assert np.abs(rest.astype(int) - rolled).mean() > 3


def test_identity_dict_round_trips():
    identity = CartoonIdentity.random(np.random.default_rng(5))
    data = identity.to_dict()
    assert CartoonIdentity.from_dict(data) == identity
    assert isinstance(data["skin_colour"], list)


@pytest.mark.parametrize("bad", [{"hair_style": "mullet"}, {"eye_size": 9.0}, {"skin_colour": (300, 0, 0)},
                                 {"face_width": float("nan")}, {"wings": True}])
def test_bad_identities_are_rejected(bad):
    with pytest.raises(ValueError):
        CartoonIdentity.from_dict({**DEFAULT.to_dict(), **bad})


def test_render_rejects_wrong_point_shapes():
    with pytest.raises(ValueError, match="70, 2"):
        CartoonRenderer(size=64).render(np.zeros((68, 2)))
