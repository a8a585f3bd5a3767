"""Labels (with intensity), mixtures and VAD: any input parses to a valid target or raises
EmotionInputError; nothing else escapes."""

import math

import time

from hypothesis import given, strategies as st

from conditioning.errors import EmotionInputError
from conditioning.parse import parse_emotion
from conditioning.parsers.labels import looks_like_label_expression, parse_label_expression
from conditioning.parsers.vad import looks_like_vad, parse_vad_text, parse_vad_values

from .budget import budget
from .inputs import KNOWN_WORDS, assert_valid_source, assert_valid_target, emotion_words, fuzzy_text, \
    label_expressions, vad_texts

any_number = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**30, 10**30),
                       st.booleans(), st.none(), st.text(max_size=6))


@budget(fast=100)
@given(st.one_of(label_expressions(), fuzzy_text))
def test_label_expressions(text):
    try:
        target = parse_label_expression(text)
    except EmotionInputError:
        return
    assert_valid_target(target)
    if looks_like_label_expression(text):  # through the front door, the same reading
        assert parse_emotion(text) == target


@budget(fast=100)
@given(st.dictionaries(st.one_of(emotion_words, st.sampled_from(["emotion", "intensity", "valence"])),
                       any_number, max_size=4))
def test_mixture_mappings(mapping):
    try:
        source = parse_emotion(mapping)
    except EmotionInputError:
        return
    assert_valid_source(source)


@budget(fast=100)
@given(st.sampled_from(KNOWN_WORDS), any_number)
def test_emotion_with_intensity_mappings(word, intensity):
    try:
        target = parse_emotion({"emotion": word, "intensity": intensity})
    except EmotionInputError:
        return
    assert_valid_target(target)
    assert math.isclose(target.intensity, float(intensity))


@budget(fast=100)
@given(st.one_of(vad_texts(), fuzzy_text))
def test_vad_text(text):
    if not looks_like_vad(text):
        return
    try:
        target = parse_vad_text(text)
    except EmotionInputError:
        return
    assert_valid_target(target)
    assert parse_emotion(text) == target


@budget(fast=100)
@given(st.one_of(st.lists(any_number, max_size=4),
                 st.dictionaries(st.sampled_from(["valence", "arousal", "dominance", "x"]), any_number)))
def test_vad_values(values):
    try:
        target = parse_vad_values(values)
    except EmotionInputError:
        return
    assert_valid_target(target)
    given_values = list(values.values()) if isinstance(values, dict) else list(values)
    in_range = [float(v) for v in given_values if isinstance(v, (int, float))]
    assert all(-1 <= v <= 1 for v in in_range)  # nothing out of range was accepted (or clipped)


def test_hostile_long_numbers_and_spaces_are_read_in_linear_time():
    """Found by fuzzing: '9' * 400 twice took minutes of regex backtracking in the VAD parser."""
    hostile = ["9" * 400 + ", " + "9" * 400 + " x", ", ".join(["9" * 400] * 4) + "x",
               " " * 5000 + "1" + " " * 5000 + "x",
               "v" + " " * 5000 + "x", "9" * 4000 + " happy" + " " * 3000 + "x", "0s happy" + " " * 19000 + "x",
               "1" + " " * 5000 + "%" + " " * 5000 + "x"]
    for text in hostile:
        start = time.perf_counter()
        try:
            parse_emotion(text)
        except EmotionInputError:
            pass
        assert time.perf_counter() - start < 2.0, text[:40]
