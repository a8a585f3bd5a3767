"""EmotionML documents: a valid target or timeline, or EmotionInputError (malformed XML,
DTDs and entity bombs included)."""

from hypothesis import given, strategies as st

from conditioning.errors import EmotionInputError
from conditioning.parse import parse_emotion

from .budget import budget
from .inputs import assert_valid_source, emotionml_documents, fuzzy_text

BOMB = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        '<emotionml><emotion><category name="&lol2;"/></emotion></emotionml>')


@budget(fast=100)
@given(st.one_of(emotionml_documents(), fuzzy_text.map(lambda t: "<" + t), st.just(BOMB)))
def test_emotionml_documents(document):
    try:
        source = parse_emotion(document)
    except EmotionInputError:
        return
    assert_valid_source(source)
