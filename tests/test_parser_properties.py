"""Property-based tests: the parsers never crash with anything but EmotionInputError,
and always return valid targets."""

import math

from hypothesis import given, settings, strategies as st

from conditioning import EmotionInputError, EmotionTarget, EmotionTimeline, parse_emotion, vocabulary
from conditioning.parsers.labels import parse_label_expression
from conditioning.parsers.vad import parse_vad_values

finite = st.floats(min_value=-1, max_value=1, allow_nan=False)
words = st.sampled_from(sorted(e.word for e in vocabulary().entries))


def assert_valid(target: EmotionTarget) -> None:
    assert all(-1 <= x <= 1 for x in target.vad)
    assert math.isclose(sum(target.categories), 1.0, abs_tol=1e-6)
    assert 0 <= target.intensity <= 1


@given(st.tuples(finite, finite, finite))
def test_any_vad_in_range_gives_a_valid_target(vad):
    target = parse_vad_values(vad)
    assert_valid(target)
    assert target.vad == vad


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=0, max_size=4))
def test_vad_values_either_parse_or_raise_input_error(values):
    try:
        assert_valid(parse_vad_values(values))
    except EmotionInputError:
        pass


@given(st.lists(st.tuples(st.floats(0, 1), words, st.floats(0, 1)), min_size=1, max_size=4))
def test_label_mixtures_are_valid(terms):
    expression = " + ".join(f"{w:.3f} {word}:{i:.3f}" for w, word, i in terms)
    try:
        target = parse_label_expression(expression)
    except EmotionInputError:
        assert sum(round(w, 3) for w, _, _ in terms) == 0
        return
    assert_valid(target)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_parses_or_raises_input_error(text):
    try:
        result = parse_emotion(text)
    except EmotionInputError:
        return
    targets = [k.target for k in result.keyframes] if isinstance(result, EmotionTimeline) else [result]
    for target in targets:
        assert_valid(target)


@given(st.lists(st.tuples(st.floats(0, 100, allow_nan=False), words), min_size=1, max_size=5,
                unique_by=lambda kv: kv[0]))
def test_timelines_interpolate_within_bounds(keyframes):
    timeline = parse_emotion([(t, w) for t, w in keyframes])
    for time in (0.0, timeline.duration / 3, timeline.duration, timeline.duration + 1):
        assert_valid(timeline.at(time))
