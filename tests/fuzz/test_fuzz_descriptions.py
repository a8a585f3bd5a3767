"""Free-text descriptions: a valid target or EmotionInputError, and a warning exactly when
the text holds no emotion or voice word. Each example runs the sentence encoder, so the fast
sample is small."""

from hypothesis import given, strategies as st

from conditioning.errors import EmotionInputError
from conditioning.parse import parse_emotion_with_warnings
from conditioning.parsers.description import holds_emotion_or_voice_word, read_lexically
from conditioning.parsers.labels import looks_like_label_expression
from conditioning.parsers.timeline_syntax import looks_like_json_timeline, looks_like_timeline
from conditioning.parsers.vad import looks_like_vad

from .budget import budget
from .inputs import assert_valid_source, descriptions, fuzzy_text


def _read_as_description(text: str) -> bool:
    stripped = text.strip()
    return not (stripped.startswith("<") or looks_like_vad(stripped) or looks_like_json_timeline(stripped)
                or looks_like_timeline(stripped) or looks_like_label_expression(stripped))


@budget(fast=25)
@given(st.one_of(descriptions(), fuzzy_text))
def test_descriptions(text):
    try:
        parsed = parse_emotion_with_warnings(text)
    except EmotionInputError:
        return
    assert_valid_source(parsed.source)
    assert all(isinstance(w, str) and w for w in parsed.warnings)
    if _read_as_description(text):
        holds_a_word = holds_emotion_or_voice_word(read_lexically(text))
        assert bool(parsed.warnings) == (not holds_a_word)
        if parsed.warnings:
            assert f"read it as {parsed.source.category}" in parsed.warnings[0] or parsed.source.voice.as_dict()
