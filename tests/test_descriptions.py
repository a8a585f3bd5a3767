"""Free-text descriptions: words, degree, negation, voice captions, and the learned head."""

import pytest

from conditioning import parse_emotion
from conditioning.checkpoints import read_manifest, shipped_model
from conditioning.parsers.description import read_lexically
from conditioning.sentence_encoder import embed_sentences
from conditioning.text_head import DescriptionReader
from train.text_head.descriptions import generate_descriptions
from train.text_head.module import evaluate_head


def test_must_show_slightly_nervous_whisper():
    target = parse_emotion("a slightly nervous whisper")
    assert target.valence < 0 and target.arousal > 0
    assert "fearful" in [name for name, _ in target.top_categories(2)]
    assert target.intensity < 0.35
    assert target.voice.voice_quality == "whispered" and target.voice.loudness == "quiet"


@pytest.mark.parametrize("word", ["sad", "excited", "angry", "nervous"])
def test_degree_words_move_intensity_the_right_way(word):
    levels = [parse_emotion(f"{degree} {word} voice").intensity
              for degree in ("slightly", "a bit", "quite", "very", "extremely")]
    assert levels == sorted(levels)
    assert levels[0] < parse_emotion(f"{word} voice").intensity < levels[-1]


def test_negation_removes_the_emotion():
    plain, negated = parse_emotion("an angry voice"), parse_emotion("not angry at all")
    assert plain.category == "angry"
    assert negated.category in ("neutral", "calm")
    assert negated.intensity < 0.2


def test_paralinguistic_caption():
    target = parse_emotion(
        "speaker has a high pitch and a normal pitch variation and is loud and emotion is angry")
    assert target.category == "angry"
    assert target.voice.pitch_level == "high"
    assert target.voice.pitch_variation == "normal"
    assert target.voice.loudness == "loud"


def test_quietly_furious_keeps_the_fury():
    target = parse_emotion("a quietly furious voice")
    assert target.category == "angry" and target.intensity > 0.7
    assert target.voice.loudness == "quiet"


def test_mixture_in_words():
    target = parse_emotion("happy but a little nervous")
    top = [name for name, _ in target.top_categories(2)]
    assert top[0] == "happy" and "fearful" in top


@pytest.mark.parametrize("text,category", [
    ("on the verge of tears", "sad"), ("over the moon about it", "happy"), ("trembling and boiling over", "angry"),
])
def test_head_reads_phrases_without_vocabulary_words(text, category):
    assert not read_lexically(text).emotions
    assert parse_emotion(text).category == category


def test_shipped_head_holds_its_reported_accuracy_on_fresh_held_out_descriptions():
    entry = read_manifest()["checkpoints"][shipped_model("text_head").checkpoint]
    head = DescriptionReader.from_checkpoint().head
    for split in ("test_template", "test_words"):
        examples = generate_descriptions(300, seed=123, split=split)
        metrics = evaluate_head(head, embed_sentences([e.text for e in examples]), [e.target for e in examples])
        # A fresh sample of the held-out distribution; 300 examples vary by a few points.
        assert metrics["category_accuracy"] >= entry["metrics"][split]["category_accuracy"] - 0.06, split
