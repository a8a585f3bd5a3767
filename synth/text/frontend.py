"""Text to the token sequence the acoustic models read.

``text_to_sequence`` validates, normalises (``normalize.py``), splits at punctuation,
phonemises the word runs (``phonemes.py``) and assembles tokens:

* ``<bos>`` first and ``<eos>`` last, always: the encoder sees where the utterance starts and
  ends, which is where initial pitch reset and final lengthening happen, and a sequence is
  never empty.
* a phone token per IPA phone, with its word index and stress (1 primary, 2 secondary,
  0 unstressed vowel or consonant);
* pause tokens between words where the text has punctuation: ``<sp>`` (short, nominal
  0.15 s) for ``, ; :`` and the dash, ``<lp>`` (long, nominal 0.35 s) for sentence ends
  ``. ! ?`` and the ellipsis. Several marks in a row give one pause, the longest. Pauses
  before the first word and after the last are dropped: ``<bos>``/``<eos>`` mark the edges,
  and the sentence type keeps what the final mark said.

Sentences end at ``.``, ``!`` and ``?`` (not at an ellipsis, which is a hesitation inside a
sentence). Each gets a ``SentenceType`` from its final marks ("?!" is a question), which
later drives the intonation contour; every token carries its sentence index.

``MAX_TEXT_CHARS`` is 1000: the TTS synthesises one utterance at a time and its attention,
durations and memory are sized for a few sentences. Longer scripts are split into sentences
by the dubbing pipeline, which also times them; refusing here keeps a pasted chapter from
silently becoming one unlistenable minute-long utterance.

Only Latin-script letters are read (the voice is American English); other scripts and emoji
are skipped, and a text with nothing left to say is an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from synth.text.errors import TextFrontendError
from synth.text.normalize import normalize_text
from synth.text.phonemes import ESPEAK_PHONES, Phone, is_vowel, phonemize_runs

MAX_TEXT_CHARS = 1000

PAD = "<pad>"
BOS = "<bos>"
EOS = "<eos>"
SHORT_PAUSE = "<sp>"
LONG_PAUSE = "<lp>"
UNK = "<unk>"

PAUSE_SECONDS: dict[str, float] = {SHORT_PAUSE: 0.15, LONG_PAUSE: 0.35}

# Ids are positions in this tuple and are baked into trained checkpoints: append new
# symbols at the end, never reorder. <pad> is 0 so zero-padding a batch means padding.
PHONE_SYMBOLS: tuple[str, ...] = (PAD, BOS, EOS, SHORT_PAUSE, LONG_PAUSE, UNK) + ESPEAK_PHONES

PAD_ID = 0
UNK_ID = PHONE_SYMBOLS.index(UNK)
_SYMBOL_TO_ID = {symbol: index for index, symbol in enumerate(PHONE_SYMBOLS)}


class TokenKind(StrEnum):
    PHONE = "phone"
    PAUSE = "pause"
    BOUNDARY = "boundary"  # <bos> / <eos>


class SentenceType(StrEnum):
    STATEMENT = "statement"
    QUESTION = "question"
    EXCLAMATION = "exclamation"


@dataclass(frozen=True, slots=True)
class Token:
    symbol: str
    kind: TokenKind
    sentence_index: int
    word_index: int | None = None  # index into FrontendResult.words; None for pauses/boundaries
    stress: int = 0

    @property
    def is_vowel(self) -> bool:
        return self.kind is TokenKind.PHONE and is_vowel(self.symbol)

    @property
    def nominal_seconds(self) -> float:
        """Nominal pause length before emotion/tempo scaling; 0 for non-pauses."""
        return PAUSE_SECONDS.get(self.symbol, 0.0)


@dataclass(frozen=True, slots=True)
class FrontendResult:
    text: str
    normalized: str
    tokens: tuple[Token, ...]
    words: tuple[str, ...]
    sentence_types: tuple[SentenceType, ...]

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(token.symbol for token in self.tokens)

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(symbols_to_ids(self.symbols))

    @property
    def stresses(self) -> tuple[int, ...]:
        return tuple(token.stress for token in self.tokens)


def symbols_to_ids(symbols: Iterable[str]) -> list[int]:
    """Model ids; a symbol outside ``PHONE_SYMBOLS`` becomes ``<unk>`` rather than failing."""
    return [_SYMBOL_TO_ID.get(symbol, UNK_ID) for symbol in symbols]


def ids_to_symbols(ids: Iterable[int]) -> list[str]:
    symbols = []
    for index in ids:
        if not 0 <= index < len(PHONE_SYMBOLS):
            raise ValueError(f"symbol id {index} is outside 0..{len(PHONE_SYMBOLS) - 1}")
        symbols.append(PHONE_SYMBOLS[index])
    return symbols


# --- segmentation ---------------------------------------------------------------------

# Latin letters only (ASCII, Latin-1 and the Latin Extended blocks, without × and ÷);
# an apostrophe inside a word belongs to it ("don't").
_LETTER = r"[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF]"
_SEGMENT_RE = re.compile(
    rf"(?P<word>{_LETTER}+(?:'{_LETTER}+)*)"
    r"|(?P<ellipsis>\.{3,})"
    r"|(?P<end>[.!?]+)"
    # A hyphen between two letters joins words ("twenty-two"); anywhere else it is a dash.
    rf"|(?P<short>[,;:]|(?<!{_LETTER})-+|-+(?!{_LETTER}))"
)


@dataclass
class _Sentence:
    runs: list[list[str]]  # word runs between pause marks
    pauses: list[str | None]  # the pause after each run
    kind: SentenceType = SentenceType.STATEMENT


def _stronger(current: str | None, new: str) -> str:
    return LONG_PAUSE if LONG_PAUSE in (current, new) else new


def _sentence_type(marks: str) -> SentenceType:
    if "?" in marks:
        return SentenceType.QUESTION
    if "!" in marks:
        return SentenceType.EXCLAMATION
    return SentenceType.STATEMENT


def _segment(normalized: str) -> list[_Sentence]:
    """Sentences of word runs with the pause after each run; wordless sentences dropped."""
    sentences: list[_Sentence] = []
    current = _Sentence(runs=[], pauses=[])
    for match in _SEGMENT_RE.finditer(normalized):
        kind = match.lastgroup
        if kind == "word":
            if not current.runs or current.pauses[-1] is not None:
                current.runs.append([])
                current.pauses.append(None)
            current.runs[-1].append(match.group())
        elif current.runs:  # punctuation before the first word says nothing
            if kind == "end":
                current.kind = _sentence_type(match.group())
                current.pauses[-1] = LONG_PAUSE
                sentences.append(current)
                current = _Sentence(runs=[], pauses=[])
            else:
                pause = LONG_PAUSE if kind == "ellipsis" else SHORT_PAUSE
                current.pauses[-1] = _stronger(current.pauses[-1], pause)
    if current.runs:
        sentences.append(current)
    return sentences


# --- assembly -------------------------------------------------------------------------


def _validate(text: object) -> str:
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    if not text.strip():
        raise TextFrontendError("text is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise TextFrontendError(
            f"text is {len(text)} characters long, over the limit of {MAX_TEXT_CHARS} for one "
            "utterance: split it into sentences and synthesise them one by one"
        )
    return text


def _nothing_to_say(text: str) -> TextFrontendError:
    preview = text if len(text) <= 40 else text[:37] + "..."
    return TextFrontendError(
        f"text {preview!r} has nothing to pronounce: the English front end reads Latin "
        "letters, numbers and common symbols, and found none"
    )


def _assemble(
    sentences: Sequence[_Sentence], phones: Sequence[Sequence[Sequence[Phone]]]
) -> tuple[tuple[Token, ...], tuple[str, ...]]:
    tokens = [Token(BOS, TokenKind.BOUNDARY, sentence_index=0)]
    words: list[str] = []
    pending: Token | None = None
    run_index = 0
    for sentence_index, sentence in enumerate(sentences):
        for run, pause in zip(sentence.runs, sentence.pauses):
            for word, word_phones in zip(run, phones[run_index]):
                if word_phones and pending is not None:
                    tokens.append(pending)
                    pending = None
                tokens.extend(
                    Token(symbol, TokenKind.PHONE, sentence_index, len(words), stress)
                    for symbol, stress in word_phones
                )
                words.append(word)
            run_index += 1
            if pause is not None and len(tokens) > 1:
                stronger = _stronger(pending.symbol if pending else None, pause)
                pending = Token(stronger, TokenKind.PAUSE, sentence_index)
    last_sentence = max(len(sentences) - 1, 0)
    tokens.append(Token(EOS, TokenKind.BOUNDARY, sentence_index=last_sentence))
    return tuple(tokens), tuple(words)


def text_to_sequence(text: str) -> FrontendResult:
    """Validate, normalise and phonemise ``text`` into model-ready tokens.

    Raises ``TypeError`` for a non-string and ``TextFrontendError`` for empty, too long or
    unpronounceable text (or when espeak-ng is missing).
    """
    text = _validate(text)
    normalized = normalize_text(text)
    sentences = _segment(normalized)
    runs = [run for sentence in sentences for run in sentence.runs]
    phones = phonemize_runs(runs)
    tokens, words = _assemble(sentences, phones)
    if not any(token.kind is TokenKind.PHONE for token in tokens):
        raise _nothing_to_say(text)
    return FrontendResult(
        text=text,
        normalized=normalized,
        tokens=tokens,
        words=words,
        sentence_types=tuple(sentence.kind for sentence in sentences),
    )
