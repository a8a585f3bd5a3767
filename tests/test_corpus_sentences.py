"""The training-corpus sentences: size, shape, kinds, stable splits, phonetic coverage."""

from __future__ import annotations

from collections import Counter

import pytest

from synth.text import TokenKind, text_to_sequence
from train.corpus.sentences import (
    DEFAULT_COUNT,
    HANDWRITTEN,
    KINDS,
    SPLITS,
    Sentence,
    corpus_sentences,
    max_sentences,
    sentences_for,
)

REQUIRED_PHONES = ("θ", "ð", "ʃ", "ʒ", "tʃ", "dʒ", "ŋ", "ɹ", "l", "w", "j", "h")


@pytest.fixture(scope="module")
def corpus() -> tuple[Sentence, ...]:
    return corpus_sentences()


@pytest.fixture(scope="module")
def phone_counts(corpus) -> Counter:
    """Phones of every sentence through the real front end (espeak); any error fails here."""
    counts: Counter = Counter()
    for sentence in corpus:
        result = text_to_sequence(sentence.text)
        phones = [t.symbol for t in result.tokens if t.kind is TokenKind.PHONE]
        assert phones, sentence
        counts.update(phones)
    return counts


def test_default_corpus_has_at_least_600_distinct_sentences(corpus):
    assert len(corpus) == DEFAULT_COUNT == 720
    assert len({s.text for s in corpus}) == len(corpus)
    # distinct by words, not only by punctuation or case
    assert len({" ".join(w.lower() for w in s.words) for s in corpus}) == len(corpus)
    assert len({s.id for s in corpus}) == len(corpus)
    assert [s.id for s in corpus[:3]] == ["s0001", "s0002", "s0003"]


def test_handwritten_sentences_are_plenty_and_included(corpus):
    assert len(HANDWRITTEN) >= 60
    assert len(set(HANDWRITTEN)) == len(HANDWRITTEN)
    texts = {s.text for s in corpus}
    assert set(HANDWRITTEN) <= texts


def test_word_counts_within_limits_and_varied(corpus):
    counts = [len(s.words) for s in corpus]
    assert min(counts) >= 3 and max(counts) <= 20
    assert min(counts) <= 5 and max(counts) >= 15  # short and long sentences both occur
    assert len(set(counts)) >= 10


def test_kinds_present_and_match_punctuation(corpus):
    kinds = Counter(s.kind for s in corpus)
    assert set(kinds) == set(KINDS)
    for kind in KINDS:
        assert kinds[kind] / len(corpus) >= 0.10, kinds
    ends = {"statement": ".", "question": "?", "exclamation": "!"}
    for sentence in corpus:
        assert sentence.text.endswith(ends[sentence.kind]), sentence
        assert sentence.text[0].isupper()


def test_split_proportions_near_80_10_10(corpus):
    splits = Counter(s.split for s in corpus)
    assert set(splits) == set(SPLITS)
    for split, share in (("train", 0.8), ("validation", 0.1), ("test", 0.1)):
        assert abs(splits[split] / len(corpus) - share) <= 0.03, splits


def test_deterministic_and_prefix_stable(corpus):
    again = corpus_sentences(DEFAULT_COUNT)
    assert again == corpus
    larger = corpus_sentences(1000)
    assert larger[: len(corpus)] == corpus  # ids, texts and splits unchanged as count grows
    smaller = corpus_sentences(100)
    assert smaller == corpus[:100]


def test_split_depends_on_the_sentence_only(corpus):
    by_text = {s.text: s.split for s in corpus_sentences(max_sentences())}
    assert all(by_text[s.text] == s.split for s in corpus)


def test_no_sentence_in_two_splits(corpus):
    parts = {split: sentences_for(split) for split in SPLITS}
    texts = {split: {s.text for s in part} for split, part in parts.items()}
    assert not texts["train"] & texts["validation"]
    assert not texts["train"] & texts["test"]
    assert not texts["validation"] & texts["test"]
    assert sum(len(part) for part in parts.values()) == len(corpus)
    assert all(s.split == split for split, part in parts.items() for s in part)


def test_sentences_for_takes_the_corpus_size():
    validation = sentences_for("validation", 200)
    assert validation == tuple(s for s in corpus_sentences(200) if s.split == "validation")


@pytest.mark.parametrize("bad", [0, -1, 10**6])
def test_bad_count(bad):
    with pytest.raises(ValueError):
        corpus_sentences(bad)


def test_bad_count_type_and_split():
    with pytest.raises(TypeError):
        corpus_sentences("10")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown split"):
        sentences_for("dev")


def test_phonetic_coverage(phone_counts):
    assert len(phone_counts) >= 40, sorted(phone_counts)
    for phone in REQUIRED_PHONES:
        assert phone_counts[phone] >= 5, (phone, phone_counts[phone])
    # the rarest English phonemes appear too
    for phone in ("ɔɪ", "aʊ", "ʊ", "ʔ", "n̩"):
        assert phone_counts[phone] >= 1, phone


def test_numbers_are_spelled_out(corpus):
    for sentence in corpus:
        assert not any(ch.isdigit() for ch in sentence.text), sentence
