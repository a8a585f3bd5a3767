"""Tests of the TTS text front end: normalisation, phonemisation, tokens, ids, bad input."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synth.text import (
    MAX_TEXT_CHARS,
    PHONE_SYMBOLS,
    EspeakUnavailableError,
    SentenceType,
    TextFrontendError,
    TokenKind,
    ids_to_symbols,
    normalize_text,
    symbols_to_ids,
    text_to_sequence,
)
from synth.text import phonemes
from synth.text.frontend import UNK_ID

# --- normalisation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        # cardinals
        ("I have 5 cats.", "I have five cats."),
        ("It is -3 outside", "It is minus three outside"),
        ("1,234 people", "one thousand two hundred thirty-four people"),
        ("Agent 007", "Agent zero zero seven"),
        ("mp3 in 3D", "mp three in three D"),
        # decimals
        ("Pi is 3.14", "Pi is three point one four"),
        ("0.5 or .5 or -2.5", "zero point five or point five or minus two point five"),
        ("version 1.2.3", "version one point two point three"),
        # ordinals
        ("the 1st, 22nd, 3rd and 101st", "the first, twenty-second, third and one hundred first"),
        # years in context
        ("in 1999", "in nineteen ninety-nine"),
        ("Since 2005.", "Since two thousand five."),
        ("from 1990-1999", "from nineteen ninety to nineteen ninety-nine"),
        ("the 1990s and the '80s", "the nineteen nineties and the eighties"),
        ("1999 people", "one thousand nine hundred ninety-nine people"),
        # currency
        ("$5.50", "five dollars and fifty cents"),
        ("$1", "one dollar"),
        ("$1.01", "one dollar and one cent"),
        ("$0.99", "ninety-nine cents"),
        ("$1,000,000.", "one million dollars."),
        ("$2.5 million", "two point five million dollars"),
        ("€3", "three euros"),
        ("5 €", "five euros"),
        ("£2.05", "two pounds and five pence"),
        ("£1.01", "one pound and one penny"),
        ("-$5", "minus five dollars"),
        # percentages
        ("50% off", "fifty percent off"),
        ("3.5% or -2%", "three point five percent or minus two percent"),
        # dates
        ("2026-11-22", "November twenty-second, twenty twenty-six"),
        ("11/22/2026", "November twenty-second, twenty twenty-six"),
        ("Nov. 22, 2026", "November twenty-second, twenty twenty-six"),
        ("March 3rd and May 2020", "March third and May twenty twenty"),
        # clock times
        ("3:30 pm", "three thirty p m"),
        ("10:05", "ten oh five"),
        ("10:00", "ten o'clock"),
        ("at 9 a.m. sharp", "at nine a m sharp"),
        ("We left at 3 p.m. Then we ate.", "We left at three p m. Then we ate."),
        ("23:59:30", "twenty-three fifty-nine and thirty seconds"),
        # abbreviations
        ("Mr. Smith met Mrs. Jones", "mister Smith met missus Jones"),
        ("Ms. Lee and Dr. Who", "miz Lee and doctor Who"),
        ("Prof. Xu", "professor Xu"),
        ("St. Louis", "saint Louis"),
        ("Visit St. Paul", "Visit saint Paul"),
        ("I live on Baker St.", "I live on Baker street."),
        ("Baker St. is closed", "Baker street is closed"),
        ("cats vs. dogs", "cats versus dogs"),
        ("apples, pears, etc. Then more.", "apples, pears, et cetera. Then more."),
        ("fruit, e.g. apples, i.e. food", "fruit, for example apples, that is food"),
        ("approx. 5 kg", "approximately five kg"),
        # dotted acronyms and web names
        ("the U.S. Army in the U.K.", "the US Army in the UK."),
        ("write to me@example.com", "write to me at example dot com"),
        # symbols
        ("A & B + C @ D = E", "A and B plus C at D equals E"),
        ("the #1 hit", "the number one hit"),
        ("and/or", "and slash or"),
        # whitespace, unicode punctuation, brackets
        ("  lots \t of\n space  ", "lots of space"),
        ("\u201cHi\u201d \u2014 she said \u2018yes\u2019\u2026", "\"Hi\" - she said 'yes'..."),
        ("pages 10\u201320", "pages ten to twenty"),
        ("hello (world).", "hello, world."),
        ("\uff15 and \u00b2", "five and two"),
        # pause punctuation survives untouched
        ("Hello, world; yes: no? Yes! Well... - fine.", "Hello, world; yes: no? Yes! Well... - fine."),
    ],
)
def test_normalize_text(written: str, spoken: str) -> None:
    assert normalize_text(written) == spoken


def test_impossible_date_is_not_read_as_a_date() -> None:
    assert "February" not in normalize_text("2026-02-30")


def test_normalize_text_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        normalize_text(42)  # type: ignore[arg-type]


_digit_heavy = st.text(alphabet=st.sampled_from("0123456789$€£%.,:-/ apmst'&+@#()"), max_size=60)
_any_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=MAX_TEXT_CHARS)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_digit_heavy, _any_text))
def test_normalize_text_never_raises_nor_leaves_digits(text: str) -> None:
    spoken = normalize_text(text)
    assert not any(ch.isdigit() for ch in spoken), spoken


# --- phonemes and tokens --------------------------------------------------------------


def _phones(result) -> list[str]:
    return [token.symbol for token in result.tokens if token.kind is TokenKind.PHONE]


def test_known_word_phonemes_and_stress() -> None:
    result = text_to_sequence("cat")
    assert _phones(result) == ["k", "æ", "t"]
    stress = {token.symbol: token.stress for token in result.tokens}
    assert stress["æ"] == 1 and stress["k"] == 0 and stress["t"] == 0


def test_stress_levels_and_vowels() -> None:
    tokens = text_to_sequence("international").tokens
    levels = {token.stress for token in tokens if token.is_vowel}
    assert {1, 2} <= levels  # ˌɪntɚnˈæʃənəl: secondary and primary
    assert all(token.stress == 0 for token in tokens if not token.is_vowel)
    assert not {"ˈ", "ˌ"} & {token.symbol for token in tokens}


def test_words_are_read_in_context() -> None:
    # Alone, espeak reads "a" as the letter /eɪ/; as an article it is /ɐ/.
    assert "ɐ" in _phones(text_to_sequence("a cat"))
    # ...but "a m" from a clock time is the letter name.
    assert "eɪ" in _phones(text_to_sequence("9 am"))


def test_boundaries_pauses_and_word_indices() -> None:
    result = text_to_sequence("Hello, world. Well... it's - fine; ok: yes!")
    symbols = result.symbols
    assert symbols[0] == "<bos>" and symbols[-1] == "<eos>"
    pauses = [token.symbol for token in result.tokens if token.kind is TokenKind.PAUSE]
    assert pauses == ["<sp>", "<lp>", "<lp>", "<sp>", "<sp>", "<sp>"]
    assert symbols[-2] != "<lp>"  # the final "!" gives no trailing pause
    assert result.words == ("Hello", "world", "Well", "it's", "fine", "ok", "yes")
    first_word = [t.symbol for t in result.tokens if t.word_index == 0]
    assert first_word == ["h", "ə", "l", "oʊ"]
    assert [t.nominal_seconds for t in result.tokens if t.kind is TokenKind.PAUSE][:2] == [0.15, 0.35]


def test_hyphen_inside_a_word_is_not_a_pause() -> None:
    result = text_to_sequence("twenty-two well-known")
    assert all(token.kind is not TokenKind.PAUSE for token in result.tokens)
    assert result.words == ("twenty", "two", "well", "known")


def test_sentence_types() -> None:
    result = text_to_sequence("Is it raining? It is. How lovely! Really?!")
    assert result.sentence_types == (
        SentenceType.QUESTION,
        SentenceType.STATEMENT,
        SentenceType.EXCLAMATION,
        SentenceType.QUESTION,
    )
    sentence_of_lovely = {t.sentence_index for t in result.tokens if t.word_index == 5}
    assert sentence_of_lovely == {2}
    assert text_to_sequence("no final mark").sentence_types == (SentenceType.STATEMENT,)


def test_result_is_frozen_and_keeps_both_texts() -> None:
    result = text_to_sequence("It costs $5.")
    assert result.text == "It costs $5."
    assert result.normalized == "It costs five dollars."
    with pytest.raises(AttributeError):
        result.text = "other"  # type: ignore[misc]


# --- symbol inventory and ids ---------------------------------------------------------


def test_phone_symbols_layout() -> None:
    assert PHONE_SYMBOLS[:6] == ("<pad>", "<bos>", "<eos>", "<sp>", "<lp>", "<unk>")
    assert len(set(PHONE_SYMBOLS)) == len(PHONE_SYMBOLS)
    assert {"k", "æ", "t", "ə", "oʊ", "dʒ"} <= set(PHONE_SYMBOLS)


def test_ids_round_trip_and_unknown_symbols() -> None:
    result = text_to_sequence(
        "The quick brown fox jumps over the lazy dog; she sells seashells by the seashore. "
        "Why? Because rhythm, judgement and pleasure measure the genre of a croissant!"
    )
    assert UNK_ID not in result.ids  # every espeak phone of ordinary English is known
    assert tuple(ids_to_symbols(result.ids)) == result.symbols
    assert symbols_to_ids(["k", "not-a-phone"]) == [PHONE_SYMBOLS.index("k"), UNK_ID]
    with pytest.raises(ValueError):
        ids_to_symbols([len(PHONE_SYMBOLS)])


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_text(text: str) -> None:
    with pytest.raises(TextFrontendError, match="text is empty"):
        text_to_sequence(text)


def test_too_long_text() -> None:
    text_to_sequence("a " * (MAX_TEXT_CHARS // 2))  # exactly at the limit is fine
    with pytest.raises(TextFrontendError) as error:
        text_to_sequence("a" * (MAX_TEXT_CHARS + 1))
    message = str(error.value)
    assert str(MAX_TEXT_CHARS + 1) in message and str(MAX_TEXT_CHARS) in message
    assert "split" in message


@pytest.mark.parametrize("text", ["!!!", "\U0001f600\U0001f389", "... ?!", "\u041f\u0440\u0438\u0432\u0435\u0442"])
def test_unpronounceable_text(text: str) -> None:
    with pytest.raises(TextFrontendError, match="nothing to pronounce"):
        text_to_sequence(text)


def test_non_string_text() -> None:
    with pytest.raises(TypeError):
        text_to_sequence(b"bytes")  # type: ignore[arg-type]


def test_missing_espeak_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHONEMIZER_ESPEAK_LIBRARY", "/nonexistent/libespeak-ng.so")
    phonemes.reset_backend()
    try:
        with pytest.raises(EspeakUnavailableError, match="install the Debian package espeak-ng"):
            text_to_sequence("hello")
    finally:
        monkeypatch.undo()
        phonemes.reset_backend()
    assert _phones(text_to_sequence("cat")) == ["k", "æ", "t"]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1, max_size=80))
def test_frontend_fails_only_with_its_own_error(text: str) -> None:
    try:
        result = text_to_sequence(text)
    except TextFrontendError:
        return
    assert result.symbols[0] == "<bos>" and result.symbols[-1] == "<eos>"
    assert len(result.ids) == len(result.tokens)
