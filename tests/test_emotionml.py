"""EmotionML documents in and out, and hostile XML refused."""

import pytest

from conditioning import EmotionInputError, EmotionTimeline, parse_emotion, to_emotionml

BIG6 = "http://www.w3.org/TR/emotion-voc/xml#big6"
PAD = "http://www.w3.org/TR/emotion-voc/xml#pad-dimensions"


def document(body: str, attributes: str = "") -> str:
    return (f'<emotionml xmlns="http://www.w3.org/2009/10/emotionml" version="1.0" {attributes}>'
            f"{body}</emotionml>")


def test_category_with_intensity():
    target = parse_emotion(document(
        f'<emotion category-set="{BIG6}"><category name="anger"/><intensity value="0.4"/></emotion>'))
    assert target.category == "angry" and target.intensity == pytest.approx(0.4)


def test_dimensions_map_from_unit_interval():
    target = parse_emotion(document(
        f'<emotion dimension-set="{PAD}"><dimension name="pleasure" value="0.95"/>'
        '<dimension name="arousal" value="0.65"/><dimension name="dominance" value="0.8"/></emotion>'))
    assert target.vad == pytest.approx((0.9, 0.3, 0.6))
    assert target.category == "happy"


def test_everyday_categories_and_bare_emotion_element():
    target = parse_emotion('<emotion xmlns="http://www.w3.org/2009/10/emotionml" '
                           'category-set="http://www.w3.org/TR/emotion-voc/xml#everyday-categories">'
                           '<category name="worried" value="0.5"/></emotion>')
    assert target.category == "fearful"


def test_timed_emotions_become_a_timeline():
    timeline = parse_emotion(document(
        f'<emotion category-set="{BIG6}" offset-to-start="0"><category name="happiness"/></emotion>'
        f'<emotion category-set="{BIG6}" offset-to-start="2000"><category name="sadness"/></emotion>'))
    assert isinstance(timeline, EmotionTimeline)
    assert timeline.duration == pytest.approx(2.0)
    assert timeline.at(2.0).category == "sad"


@pytest.mark.parametrize("source", ["angry:0.4", "0.6 happy + 0.4 surprised", "0s calm; 2s fearful:0.8"])
def test_written_documents_read_back(source):
    original = parse_emotion(source)
    again = parse_emotion(to_emotionml(original))
    first = original.keyframes[-1].target if isinstance(original, EmotionTimeline) else original
    second = again.keyframes[-1].target if isinstance(again, EmotionTimeline) else again
    assert second.category == first.category
    assert second.vad == pytest.approx(first.vad, abs=2e-3)
    assert second.intensity == pytest.approx(first.intensity, abs=2e-3)


def test_voice_descriptors_survive_the_round_trip():
    target = parse_emotion("sad:0.5").with_voice(parse_emotion("sad").voice.__class__(loudness="quiet"))
    assert parse_emotion(to_emotionml(target)).voice.loudness == "quiet"


@pytest.mark.parametrize("bad,fragment", [
    ("<emotionml><emotion>", "malformed"),
    (document('<emotion><category name="grumpyish"/></emotion>'), "unknown emotion word"),
    (document('<emotion><intensity value="0.5"/></emotion>'), "needs a <category>"),
    (document('<emotion><category name="anger"/><intensity value="7"/></emotion>'), "intensity"),
    (document('<emotion><dimension name="joyfulness" value="0.5"/></emotion>'), "joyfulness"),
    (document(""), "no <emotion>"),
    ("<html/>", "root"),
])
def test_malformed_documents_name_the_problem(bad, fragment):
    with pytest.raises(EmotionInputError) as caught:
        parse_emotion(bad)
    assert fragment in str(caught.value)


def test_entity_expansion_is_refused():
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            '<emotionml><emotion><category name="&lol2;"/></emotion></emotionml>')
    with pytest.raises(EmotionInputError) as caught:
        parse_emotion(bomb)
    assert "not allowed" in str(caught.value)


def test_external_entity_is_refused():
    xxe = ('<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<emotion><category name="&x;"/></emotion>')
    with pytest.raises(EmotionInputError):
        parse_emotion(xxe)
