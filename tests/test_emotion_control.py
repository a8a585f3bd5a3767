"""The emotion control's pure parts: each input -> an emotion string parse_emotion reads,
examples routed to the input that shows them, and summaries that name bad input."""

import pytest

from conditioning import EmotionInputError, EmotionTimeline, parse_emotion
from ui.emotion_control import (CATEGORY, DESCRIPTION, EMOTIONML, PLANE, PLANE_PIXELS, TIMELINE, compose,
                                from_category, from_plane_click, from_timeline, from_vad, plane_picture,
                                plane_pixel, plane_point, route_example, summary_markdown, timeline_rows)


def test_category_and_intensity():
    assert from_category("happy", 0.8) == "happy:0.80"
    target = parse_emotion(from_category("sad", 0.35))
    assert (target.category, target.intensity) == ("sad", pytest.approx(0.35))


@pytest.mark.parametrize("category, intensity", [("joyful", 0.5), ("happy", 1.5), ("happy", float("nan")),
                                                 ("happy", "much")])
def test_category_refuses_what_it_cannot_say(category, intensity):
    with pytest.raises(EmotionInputError):
        from_category(category, intensity)


def test_plane_corners_and_centre():
    width = height = 200
    assert plane_point(0, 0, width, height) == pytest.approx((-1, 1), abs=0.011)     # unpleasant, aroused
    assert plane_point(199, 199, width, height) == pytest.approx((1, -1), abs=0.011)  # pleasant, calm
    assert plane_point(99.5, 99.5, width, height) == (0.0, 0.0)


def test_plane_click_gives_vad_that_resolves_there():
    emotion = from_plane_click(300, 40, 400, 400, dominance=0.25)
    assert emotion == "v=0.50 a=0.80 d=0.25"
    target = parse_emotion(emotion)
    assert target.vad == pytest.approx((0.5, 0.8, 0.25))


def test_plane_pixel_inverts_plane_point():
    for valence, arousal in [(-1, 1), (0.3, -0.6), (0.0, 0.0), (1, -1)]:
        x, y = plane_pixel(valence, arousal, PLANE_PIXELS, PLANE_PIXELS)
        back = plane_point(x, y, PLANE_PIXELS, PLANE_PIXELS)
        assert back == pytest.approx((valence, arousal), abs=2.5 / PLANE_PIXELS + 0.01)


def test_plane_picture_marks_the_point():
    picture = plane_picture(0.5, 0.5)
    assert picture.shape == (PLANE_PIXELS, PLANE_PIXELS, 3)
    x, y = plane_pixel(0.5, 0.5, PLANE_PIXELS, PLANE_PIXELS)
    assert tuple(picture[y, x]) == (0xD9, 0x48, 0x0F)


def test_vad_is_clipped_to_the_space():
    assert from_vad(1.4, -2, 0) == "v=1.00 a=-1.00 d=0.00"


def test_timeline_rows_become_a_timeline():
    rows = [[0, "calm"], [1.5, "fearful:0.6"], [None, ""], [3, "a quietly furious voice"]]
    text = from_timeline(rows, "smooth")
    assert text == "0s calm; 1.5s fearful:0.6; 3s a quietly furious voice | smooth"
    timeline = parse_emotion(text)
    assert isinstance(timeline, EmotionTimeline)
    assert [k.time for k in timeline.keyframes] == [0, 1.5, 3] and timeline.interpolation == "smooth"


def test_timeline_times_never_use_exponents():
    assert from_timeline([["0.0001", "happy"], [2.25, "sad"]], "step") == "0s happy; 2.25s sad | step"


@pytest.mark.parametrize("rows, problem", [
    ([], "empty"),
    ([["", "happy"]], "no time"),
    ([["soon", "happy"]], "not a number"),
    ([[-1, "happy"]], "0 s or later"),
    ([[1, ""]], "no emotion"),
    ([[1, "happy; sad"]], "cannot contain"),
])
def test_timeline_problems_name_the_row(rows, problem):
    with pytest.raises(EmotionInputError, match=problem):
        from_timeline(rows, "linear")


def test_timeline_needs_a_known_interpolation():
    with pytest.raises(EmotionInputError, match="interpolation"):
        from_timeline([[0, "happy"]], "bouncy")


@pytest.mark.parametrize("text, tab", [
    ("happy:0.8", CATEGORY),
    ("v=-0.6 a=0.7 d=-0.3", PLANE),
    ("v=0.6 a=0.2", PLANE),
    ("0s calm; 1.5s surprised:0.9; 3s sad:0.6 | smooth", TIMELINE),
    ("<emotionml version='1.0'/>", EMOTIONML),
    ("a quietly furious voice", DESCRIPTION),
    ("0.7 happy + 0.3 surprised", DESCRIPTION),
    ("furious:0.5", DESCRIPTION),        # not a core category: free text keeps its meaning
    ("happy", DESCRIPTION),              # a bare word keeps the vocabulary's own intensity
])
def test_examples_route_to_the_input_that_shows_them(text, tab):
    assert route_example(text)[0] == tab


def test_a_routed_example_composes_to_the_same_emotion():
    for text in ["happy:0.8", "v=-0.6 a=0.7 d=-0.3", "0s calm; 1.5s surprised:0.9; 3s sad:0.6 | smooth",
                 "a quietly furious voice"]:
        tab, fields = route_example(text)
        # Timelines have no equality of their own; their repr lists every keyframe.
        assert repr(parse_emotion(compose(tab, fields))) == repr(parse_emotion(text))


def test_timeline_text_back_to_rows():
    assert timeline_rows("0s calm; 1500ms fearful:0.6 | smooth") == ([[0.0, "calm"], [1.5, "fearful:0.6"]], "smooth")


def test_empty_text_inputs_say_what_to_do():
    with pytest.raises(EmotionInputError, match="empty"):
        compose(DESCRIPTION, {"description": "  "})


def test_summary_in_words_and_numbers():
    summary = summary_markdown("angry:0.4")
    assert "**angry**" in summary and "0.40" in summary and "valence" in summary
    timeline = summary_markdown("0s calm; 1.5s fearful:0.6; 3s furious | smooth")
    assert "0 s calm 0.60 → 1.5 s fearful 0.60 → 3 s angry" in timeline and "smooth" in timeline


def test_summary_names_bad_input_without_a_traceback():
    summary = summary_markdown("angyr")
    assert summary.startswith("**Cannot use this emotion:**") and "angry" in summary
    assert "Traceback" not in summary


def test_the_summary_says_when_a_description_holds_no_emotion_word():
    doubted = summary_markdown("purple monkey dishwasher")
    assert "**Note:**" in doubted and "no emotion or voice word" in doubted
    assert "**Note:**" not in summary_markdown("happy:0.8")
