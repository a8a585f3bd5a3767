"""Generators of arbitrary and near-valid emotion inputs, and the invariants every valid
output must satisfy. Near-valid inputs are built from the real grammar's pieces with some
pieces broken (typos, bad numbers, wrong separators), where a parser's edge cases live."""

from __future__ import annotations

import math

from hypothesis import strategies as st

from conditioning.modifiers import DEGREE_FACTORS, NEGATIONS
from conditioning.target import EmotionTarget
from conditioning.timeline import INTERPOLATIONS, EmotionTimeline
from conditioning.vocabulary import vocabulary
from conditioning.voice import DESCRIPTOR_VALUES

KNOWN_WORDS = sorted(vocabulary().names)
VOICE_PHRASES = ("whispered", "loud", "quietly", "high pitch", "low pitch variation", "fast", "slowly",
                 "breathy", "creaky", "monotone", "shouting", "deep voice")
FILLER = ("a", "the", "voice", "speaker", "is", "and", "but", "with", "feeling", "purple", "monkey",
          "dishwasher", "sounds", "rather", "of", "tears", "moon", ",", ";", ".", "!", "?")


def _typo(word: str) -> st.SearchStrategy[str]:
    """The word with one letter dropped, doubled, swapped or replaced."""
    def edit(args):
        kind, index, letter = args
        i = index % max(1, len(word))
        if kind == 0:
            return word[:i] + word[i + 1:]
        if kind == 1:
            return word[:i] + word[i] * 2 + word[i + 1:] if word else letter
        if kind == 2 and len(word) > 1:
            j = min(i + 1, len(word) - 1)
            return word[:i] + word[j] + word[i] + word[j + 1:]
        return word[:i] + letter + word[i + 1:]
    return st.tuples(st.integers(0, 3), st.integers(0, 40), st.sampled_from("abcdefghijklmnopqrstuvwxyz")).map(edit)


emotion_words = st.one_of(st.sampled_from(KNOWN_WORDS), st.sampled_from(KNOWN_WORDS).flatmap(_typo),
                          st.sampled_from(KNOWN_WORDS).map(str.upper))

# Numbers as people and programs write them, good and bad.
number_texts = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(-2, 2).map(lambda x: f"{x:.3f}"),
    st.integers(-10, 200).map(str),
    st.sampled_from(["0", "1", ".5", "1.", "-0", "+0.3", "1e-3", "1e999", "nan", "inf", "-inf", "0x1", "½",
                     "1,5", "", " ", "--1", "0.5.5", "9" * 400]),
)
fuzzy_text = st.text(st.characters(codec="utf-8"), max_size=80)


@st.composite
def label_expressions(draw) -> str:
    """`0.7 happy:0.4 + 30% sad`, with any piece possibly broken."""
    terms = []
    for _ in range(draw(st.integers(1, 4))):
        weight = draw(st.one_of(st.just(""), number_texts.map(lambda n: n + " "),
                                number_texts.map(lambda n: n + "% "), number_texts.map(lambda n: n + "*")))
        intensity = draw(st.one_of(st.just(""), number_texts.map(lambda n: ":" + n)))
        terms.append(f"{weight}{draw(emotion_words)}{intensity}")
    return draw(st.sampled_from([" + ", "+", " ", " & ", ", "])).join(terms)


@st.composite
def vad_texts(draw) -> str:
    values = draw(st.lists(number_texts, min_size=1, max_size=4))
    style = draw(st.integers(0, 3))
    if style == 0:
        return draw(st.sampled_from([", ", " ", "; ", ","])).join(values)
    if style == 1:
        return "(" + ", ".join(values) + ")"
    if style == 2:
        return "[" + ", ".join(values) + "]"
    names = draw(st.permutations(["v", "a", "d", "valence", "arousal", "dom"]))
    return " ".join(f"{n}{draw(st.sampled_from(['=', ':', ' ', '']))}{v}" for n, v in zip(names, values))


@st.composite
def descriptions(draw) -> str:
    pieces = draw(st.lists(st.one_of(emotion_words, st.sampled_from(sorted(DEGREE_FACTORS)),
                                     st.sampled_from(NEGATIONS), st.sampled_from(VOICE_PHRASES),
                                     st.sampled_from(FILLER)), min_size=1, max_size=12))
    return " ".join(pieces)


static_emotion_texts = st.one_of(label_expressions(), vad_texts(), st.sampled_from(KNOWN_WORDS))

unit_texts = st.sampled_from(["s", "ms", "S", " s", "", "sec", "seconds", "m", "h", "min", "us", "x"])


@st.composite
def timeline_texts(draw, keyframe_emotions=static_emotion_texts) -> str:
    """`0s happy; 1.5s angry:0.8 | smooth`, with broken times, units, separators, clauses."""
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        time = draw(st.one_of(st.floats(0, 100).map(lambda t: f"{t:g}"), number_texts))
        parts.append(f"{time}{draw(unit_texts)} {draw(keyframe_emotions)}")
    text = draw(st.sampled_from(["; ", ";", ", ", " ; ", ";;"])).join(parts)
    clause = draw(st.one_of(st.just(""), st.sampled_from(INTERPOLATIONS).map(lambda i: f" | {i}"),
                            st.sampled_from(["| wobbly", "|", " | SMOOTH", "| smooth | step", "|linear;"])))
    return text + clause


@st.composite
def emotionml_documents(draw) -> str:
    """EmotionML documents from the grammar: categories, dimensions, intensities, voices and
    start times, with bad names, values and attributes; sometimes cut short."""
    emotions = []
    for _ in range(draw(st.integers(1, 4))):
        children = []
        for _ in range(draw(st.integers(0, 3))):
            kind = draw(st.sampled_from(["category", "dimension", "intensity", "info", "other"]))
            value = draw(st.one_of(st.just(""), number_texts.map(lambda v: f' value="{v}"')))
            if kind == "category":
                children.append(f'<category name="{draw(emotion_words)}"{value}/>')
            elif kind == "dimension":
                name = draw(st.sampled_from(["pleasure", "arousal", "dominance", "valence", "power", "joy", ""]))
                children.append(f'<dimension name="{name}"{value}/>')
            elif kind == "intensity":
                children.append(f"<intensity{value}/>")
            elif kind == "info":
                field = draw(st.sampled_from([*DESCRIPTOR_VALUES, "colour", "xmlns:x"]))
                setting = draw(st.sampled_from([v for vs in DESCRIPTOR_VALUES.values() for v in vs] + ["odd"]))
                children.append(f'<info><voice xmlns="urn:emostudio:voice" {field}="{setting}"/></info>')
            else:
                children.append(draw(st.sampled_from(["<x/>", "text", "&amp;", "<category/>"])))
        start = draw(st.one_of(st.just(""), number_texts.map(lambda v: f' start="{v}"'),
                               number_texts.map(lambda v: f' offset-to-start="{v}"')))
        emotions.append(f"<emotion{start}>{''.join(children)}</emotion>")
    root = draw(st.sampled_from(['<emotionml xmlns="http://www.w3.org/2009/10/emotionml" version="1.0">',
                                 "<emotionml>", '<emotionml category-set="#x">']))
    document = root + "".join(emotions) + "</emotionml>"
    if draw(st.booleans()):
        document = emotions[0]
    cut = draw(st.integers(0, len(document)))
    return document[:cut] if draw(st.integers(0, 9)) == 0 else document


def assert_valid_target(target: EmotionTarget) -> None:
    assert isinstance(target, EmotionTarget)
    assert all(math.isfinite(x) and -1 <= x <= 1 for x in target.vad)
    assert all(p >= 0 for p in target.categories)
    assert math.isclose(sum(target.categories), 1.0, abs_tol=1e-6)
    assert 0 <= target.intensity <= 1


def assert_valid_source(source) -> None:
    """A target, or a timeline whose keyframes are valid, strictly increasing in time, and
    whose interpolation stays within bounds."""
    if isinstance(source, EmotionTimeline):
        times = [k.time for k in source.keyframes]
        assert all(math.isfinite(t) and t >= 0 for t in times)
        assert all(a < b for a, b in zip(times, times[1:]))
        assert source.interpolation in INTERPOLATIONS
        for keyframe in source.keyframes:
            assert_valid_target(keyframe.target)
        for time in (0.0, source.duration / 3, source.duration, source.duration + 1):
            assert_valid_target(source.at(time))
    else:
        assert_valid_target(source)
