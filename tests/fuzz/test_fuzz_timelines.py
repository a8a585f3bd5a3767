"""Timelines, as text, lists and JSON: a valid timeline or EmotionInputError, never a
silent reading as another form; keyframe times strictly increase."""

import json

from hypothesis import given, strategies as st

from conditioning.errors import EmotionInputError
from conditioning.parse import parse_emotion
from conditioning.parsers.timeline_syntax import looks_like_timeline
from conditioning.timeline import EmotionTimeline

from .budget import budget
from .inputs import assert_valid_source, fuzzy_text, static_emotion_texts, timeline_texts

json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.floats(), st.integers(), st.text(max_size=8)),
                           lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                   st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                           max_leaves=12)
times = st.one_of(st.floats(0, 1000), st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 10**20),
                  st.text(max_size=5), st.none())
keyframe_items = st.one_of(
    st.tuples(times, static_emotion_texts),
    st.fixed_dictionaries({"time": times, "emotion": static_emotion_texts}),
    st.dictionaries(st.sampled_from(["time", "emotion", "at"]), json_values, max_size=3),
    json_values,
)


@budget(fast=100)
@given(st.one_of(timeline_texts(), fuzzy_text.map(lambda t: "0s " + t)))
def test_timeline_text(text):
    try:
        source = parse_emotion(text)
    except EmotionInputError:
        return
    assert_valid_source(source)
    if looks_like_timeline(text.strip()):
        assert isinstance(source, EmotionTimeline)  # text meant as a timeline never reads as another form


@budget(fast=100)
@given(st.lists(keyframe_items, min_size=1, max_size=5),
       st.one_of(st.none(), st.sampled_from(["linear", "smooth", "step", "wobbly"]), json_values),
       st.booleans())
def test_timeline_items_and_json(items, interpolation, as_json):
    given_form = items if interpolation is None else {"keyframes": items, "interpolation": interpolation}
    if as_json:
        try:
            given_form = json.dumps(given_form)
        except (TypeError, ValueError):
            return
    try:
        source = parse_emotion(given_form)
    except EmotionInputError:
        return
    assert_valid_source(source)


@budget(fast=100)
@given(json_values)
def test_any_json_value(value):
    try:
        source = parse_emotion(value)
    except EmotionInputError:
        return
    assert_valid_source(source)
