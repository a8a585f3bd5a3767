"""Every emotion input form resolves to a sensible EmotionTarget."""

import json
import math

import numpy as np
import pytest

from conditioning import (CATEGORIES, EmotionInputError, EmotionTarget, EmotionTimeline, UnknownEmotionError,
                          describe, nearest_words, parse_emotion, target_from_vad, vocabulary)


def test_vocabulary_has_core_categories_and_sixty_more_words_with_emotionml_names():
    entries = vocabulary().entries
    words = {e.word for e in entries}
    assert set(CATEGORIES) <= words
    assert len(words - set(CATEGORIES)) >= 60
    assert {e.emotionml_big6 for e in entries if e.emotionml_big6} == {
        "anger", "disgust", "fear", "happiness", "sadness", "surprise"}
    assert len({e.emotionml_everyday for e in entries if e.emotionml_everyday}) == 17
    for entry in entries:
        assert all(-1 <= x <= 1 for x in entry.norm_vad)
        assert math.isclose(sum(entry.categories), 1.0)


@pytest.mark.parametrize("word,category", [
    ("angry", "angry"), ("furious", "angry"), ("elated", "happy"), ("melancholic", "sad"),
    ("terrified", "fearful"), ("revolted", "disgusted"), ("astonished", "surprised"), ("serene", "calm"),
])
def test_labels_resolve_to_their_category(word, category):
    assert parse_emotion(word).category == category


def test_label_with_intensity_scales_towards_neutral():
    strong, weak = parse_emotion("angry:0.9"), parse_emotion("angry:0.3")
    assert weak.intensity == pytest.approx(0.3) and strong.intensity == pytest.approx(0.9)
    assert np.linalg.norm(weak.vad) < np.linalg.norm(strong.vad)
    assert weak.category == strong.category == "angry"


def test_mixture_weights_categories():
    mixed = parse_emotion("0.7 happy + 0.3 surprised")
    assert mixed.category_dict()["happy"] == pytest.approx(0.7, abs=0.01)
    assert mixed.category_dict()["surprised"] == pytest.approx(0.3, abs=0.01)
    assert parse_emotion("70% happy + 30% surprised").categories == pytest.approx(mixed.categories)


def test_synonyms_and_emotionml_names_resolve():
    assert parse_emotion("mad").category == "angry"
    assert parse_emotion("happiness").category == "happy"
    assert parse_emotion("fear").category == "fearful"


def test_unknown_word_suggests_nearest_known_words():
    with pytest.raises(UnknownEmotionError) as caught:
        parse_emotion("angyr")
    assert "angry" in caught.value.suggestions
    assert "angry" in str(caught.value)


@pytest.mark.parametrize("text", ["angry:1.5", "angry:-0.1", "angry:nan", "0 happy + 0 sad"])
def test_bad_label_intensities_and_weights(text):
    with pytest.raises(EmotionInputError):
        parse_emotion(text)


def test_vad_triples_pairs_and_text_forms():
    triple = parse_emotion((0.7, 0.5, 0.3))
    assert triple.vad == pytest.approx((0.7, 0.5, 0.3))
    assert triple.category == "happy"
    pair = parse_emotion([-0.6, -0.4])
    assert pair.dominance == 0.0 and pair.category == "sad"
    assert parse_emotion("v=0.7 a=0.5 d=0.3").vad == pytest.approx(triple.vad)
    assert parse_emotion("(0.7, 0.5, 0.3)").vad == pytest.approx(triple.vad)
    assert parse_emotion({"valence": -0.6, "arousal": 0.7, "dominance": 0.4}).category == "angry"
    assert parse_emotion((0.0, 0.0, 0.0)).category == "neutral"


@pytest.mark.parametrize("vad", [(math.nan, 0, 0), (0, math.inf, 0), (1.5, 0, 0), (0, 0, -1.01), (1, 2)])
def test_bad_vad_is_refused_naming_the_component(vad):
    with pytest.raises(EmotionInputError) as caught:
        parse_emotion(vad)
    assert any(name in str(caught.value) for name in ("valence", "arousal", "dominance"))


def test_mapping_forms():
    assert parse_emotion({"happy": 0.7, "surprised": 0.3}).category == "happy"
    assert parse_emotion({"emotion": "sad", "intensity": 0.2}).intensity == pytest.approx(0.2)
    target = parse_emotion("angry:0.4")
    assert parse_emotion(json.loads(target.to_json())) == target


def test_target_validation():
    with pytest.raises(EmotionInputError):
        EmotionTarget((0, 0, 0), [0] * 8, 0.5)
    with pytest.raises(EmotionInputError):
        EmotionTarget((0, 0, 0), [1] + [0] * 7, 1.2)


def test_round_trip_label_to_target_to_nearest_word():
    for entry in vocabulary().entries:
        assert nearest_words(entry.target(), 1) == [entry.word]


def test_round_trip_vad_keeps_category_and_intensity():
    for name in CATEGORIES[1:]:
        target = parse_emotion(name)
        again = target_from_vad(target.vad)
        assert again.category == name
        assert again.intensity == pytest.approx(target.intensity, abs=0.05)


def test_describe_names_degree_and_category():
    assert describe(parse_emotion("angry:0.3")).startswith("slightly angry")
    assert describe(parse_emotion("neutral")) == "neutral"


def test_timeline_text_interpolates_between_keyframes():
    timeline = parse_emotion("0s happy; 2s sad:0.8")
    assert isinstance(timeline, EmotionTimeline)
    assert timeline.at(0).category == "happy" and timeline.at(2).category == "sad"
    middle = timeline.at(1.0)
    assert middle.valence == pytest.approx((timeline.at(0).valence + timeline.at(2).valence) / 2)
    assert timeline.at(10) == timeline.at(2)
    assert len(timeline.sample(frame_rate=25)) == 50


def test_timeline_list_and_json_forms_and_easing():
    listed = parse_emotion([(0, "calm"), (1.5, "angry:0.8")])
    as_json = parse_emotion('[{"time": 0, "emotion": "calm"}, {"time": 1.5, "emotion": "angry:0.8"}]')
    assert listed.at(0.7) == as_json.at(0.7)
    smooth = parse_emotion("0s calm; 1.5s angry:0.8 | smooth")
    assert smooth.interpolation == "smooth"
    assert abs(smooth.at(0.1).arousal - listed.at(0).arousal) < abs(listed.at(0.1).arousal - listed.at(0).arousal)


@pytest.mark.parametrize("bad", ["0s happy; 0s sad", "0s happy; 1s angyr", "[{\"time\": 0}]", "[1, \"x\"]"])
def test_bad_timelines(bad):
    with pytest.raises(EmotionInputError):
        parse_emotion(bad)


@pytest.mark.parametrize("bad", ["", "   ", "x" * 600, "!!!", None, 3.5])
def test_bad_text_and_types(bad):
    with pytest.raises(EmotionInputError):
        parse_emotion(bad)
