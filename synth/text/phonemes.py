"""Phonemisation with espeak-ng (through phonemizer), one phone list per input word.

Stress: espeak writes the stress mark right before the vowel of the stressed syllable
("kˈæt"), so each mark is taken off and attached to the phone it precedes as a number
(``Phone.stress``: 1 primary "ˈ", 2 secondary "ˌ", 0 none). The phone inventory therefore
holds no stress symbols: a model sees "æ" and a stress level as two inputs, so the stressed
and unstressed forms of a vowel share one phone embedding.

Punctuation never reaches espeak: the front end splits the text at punctuation first (it
needs exact pause positions and sentence types) and phonemises the word runs in between,
which is also what phonemizer's ``preserve_punctuation`` does internally. The backend is
still built with ``preserve_punctuation=True``, so a mark that slipped through would come
back in the output (and map to ``<unk>``) instead of being dropped without trace.

Words are phonemised in context (a whole run at once), because espeak's pronunciation of
function words depends on it: alone, "a" is the letter /eɪ/; in "a cat" it is /ɐ/.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from synth.text.errors import EspeakUnavailableError

if TYPE_CHECKING:
    from phonemizer.backend import EspeakBackend

LANGUAGE = "en-us"

PRIMARY_STRESS = "ˈ"
SECONDARY_STRESS = "ˌ"
_STRESS_LEVELS = {PRIMARY_STRESS: 1, SECONDARY_STRESS: 2}

# Every phone espeak-ng 1.51 produced for en-us over ~120k distinct English words (library
# docs and source) plus letter names and common loanwords, stress marks removed. Vowels
# (including the r-coloured and syllabic ones espeak treats as single phonemes) first,
# then consonants. Model ids are derived from this order: append, never reorder.
ESPEAK_VOWELS: tuple[str, ...] = (
    "ə", "ɐ", "ɪ", "ᵻ", "i", "iː", "ɛ", "æ", "ʌ", "ɑː", "ɔ", "ɔː", "ʊ", "u", "uː",
    "ɚ", "ɜː", "eɪ", "aɪ", "aʊ", "oʊ", "ɔɪ", "iə", "aɪə", "aɪɚ",
    "ɑːɹ", "ɔːɹ", "oːɹ", "ɛɹ", "ɪɹ", "ʊɹ", "oː", "əl", "ɑ̃",
)
ESPEAK_CONSONANTS: tuple[str, ...] = (
    "p", "b", "t", "d", "k", "ɡ", "ʔ", "ɾ",
    "f", "v", "θ", "ð", "s", "z", "ʃ", "ʒ", "h", "x", "ç",
    "tʃ", "dʒ", "m", "n", "n̩", "ŋ", "l", "ɬ", "ɹ", "r", "j", "w",
)
ESPEAK_PHONES: tuple[str, ...] = ESPEAK_VOWELS + ESPEAK_CONSONANTS

_VOWEL_SET = frozenset(ESPEAK_VOWELS)
_PHONE_SET = frozenset(ESPEAK_PHONES)
_LONGEST_FIRST = sorted(ESPEAK_PHONES, key=len, reverse=True)

# espeak sometimes prints two phones without a separator ("ææ" for "aaaa") or a doubled
# length mark ("iːː" in "Wii"); such clusters are split into known phones.
_STRAY_MARKS = "ː"

_PHONE_SEPARATOR = " "
_WORD_SEPARATOR = "|"

_LOCK = threading.Lock()
# phonemizer warns about word-count mismatches, which phonemize_runs detects and repairs
# itself; only its errors are worth a user's attention.
_ESPEAK_LOG = logging.getLogger(f"{__name__}.espeak")
_ESPEAK_LOG.setLevel(logging.ERROR)


class Phone(NamedTuple):
    """One phone: an IPA symbol from ``ESPEAK_PHONES`` (or an unforeseen one) and its stress."""

    symbol: str
    stress: int = 0  # 1 primary, 2 secondary, 0 unstressed or not a vowel


def is_vowel(symbol: str) -> bool:
    return symbol in _VOWEL_SET


@functools.lru_cache(maxsize=1)
def _backend() -> EspeakBackend:
    """The espeak backend, built once: construction loads the library and the voice."""
    try:
        from phonemizer.backend import EspeakBackend
    except ImportError as error:  # pragma: no cover - phonemizer is a hard dependency
        raise EspeakUnavailableError(
            "the phonemizer package is missing: reinstall the project (make setup)"
        ) from error
    try:
        return EspeakBackend(
            LANGUAGE,
            with_stress=True,
            preserve_punctuation=True,
            # Without this, a word espeak thinks is foreign comes back wrapped in "(fr)".
            language_switch="remove-flags",
            logger=_ESPEAK_LOG,
        )
    except RuntimeError as error:
        raise EspeakUnavailableError(
            f"espeak-ng is not available ({error}): install the Debian package espeak-ng "
            "(make setup does)"
        ) from error


def reset_backend() -> None:
    """Forget the cached backend (after the environment changed, e.g. in tests)."""
    with _LOCK:
        _backend.cache_clear()


def _run_espeak(texts: Sequence[str]) -> list[str]:
    from phonemizer.separator import Separator

    separator = Separator(phone=_PHONE_SEPARATOR, word=_WORD_SEPARATOR, syllable="")
    # espeak-ng keeps global state in the C library: one caller at a time (the web UI
    # serves requests from several threads).
    with _LOCK:
        return _backend().phonemize(list(texts), separator=separator, strip=True, njobs=1)


def _respell_for_espeak(words: Sequence[str]) -> list[str]:
    """Fix readings espeak gets wrong in our normalised text.

    The normaliser writes "a m" for a.m.; espeak reads that "a" as the article /ɐ/.
    "eh" is the spelling it reads as the letter name /eɪ/.
    """
    respelled = list(words)
    for index in range(len(respelled) - 1):
        if respelled[index] == "a" and respelled[index + 1] == "m":
            respelled[index] = "eh"
    return respelled


def _split_cluster(symbol: str) -> list[str]:
    """Greedy longest-match split of a symbol espeak glued together; unknown rest kept whole."""
    pieces: list[str] = []
    rest = symbol
    while rest:
        known = next((phone for phone in _LONGEST_FIRST if rest.startswith(phone)), None)
        if known is None:
            if rest[0] in _STRAY_MARKS and pieces:
                rest = rest[1:]
                continue
            pieces.append(rest)
            break
        pieces.append(known)
        rest = rest[len(known):]
    return pieces


def _parse_phone(raw: str) -> list[Phone]:
    stress = 0
    symbol = raw
    while symbol and symbol[0] in _STRESS_LEVELS:
        stress = _STRESS_LEVELS[symbol[0]]
        symbol = symbol[1:]
    symbol = symbol.replace(PRIMARY_STRESS, "").replace(SECONDARY_STRESS, "")
    if not symbol:
        return []
    pieces = [symbol] if symbol in _PHONE_SET else _split_cluster(symbol)
    # The stress belongs to the first piece: it is the vowel the mark stood before.
    return [Phone(piece, stress if i == 0 else 0) for i, piece in enumerate(pieces)]


def _parse_word(raw: str) -> tuple[Phone, ...]:
    return tuple(phone for chunk in raw.split() for phone in _parse_phone(chunk))


def _parse_output(raw: str) -> list[tuple[Phone, ...]]:
    words = (_parse_word(word) for word in raw.split(_WORD_SEPARATOR))
    return [word for word in words if word]


def phonemize_runs(runs: Sequence[Sequence[str]]) -> list[list[tuple[Phone, ...]]]:
    """Phonemise runs of words (no punctuation); one phone tuple per input word.

    Each run is phonemised as one text so that words are read in context. espeak
    occasionally splits a word in two ("iPhone" -> "i phone") or merges words, so when a
    run comes back with a different word count, its words are also phonemised one by one:
    if those counts add up, the in-context output is cut accordingly; otherwise the
    isolated readings are used.
    """
    if not runs:
        return []
    outputs = [_parse_output(raw) for raw in _run_espeak([" ".join(_respell_for_espeak(run)) for run in runs])]
    mismatched = [i for i, run in enumerate(runs) if len(outputs[i]) != len(run)]
    if not mismatched:
        return outputs
    singles = [word for i in mismatched for word in _respell_for_espeak(runs[i])]
    isolated = iter([_parse_output(raw) for raw in _run_espeak(singles)])
    results: list[list[tuple[Phone, ...]]] = list(outputs)
    for i in mismatched:
        per_word = [next(isolated) for _ in runs[i]]
        results[i] = _align(outputs[i], per_word)
    return results


def _align(
    in_context: list[tuple[Phone, ...]], per_word: list[list[tuple[Phone, ...]]]
) -> list[tuple[Phone, ...]]:
    counts = [len(pieces) for pieces in per_word]
    if sum(counts) == len(in_context) and all(counts):
        aligned: list[tuple[Phone, ...]] = []
        start = 0
        for count in counts:
            aligned.append(tuple(phone for piece in in_context[start : start + count] for phone in piece))
            start += count
        return aligned
    return [tuple(phone for piece in pieces for phone in piece) for pieces in per_word]


def phonemize_words(words: Sequence[str]) -> list[tuple[Phone, ...]]:
    """Phonemise one run of words in context: ``["the", "cat"]`` -> ``[(ð, ə), (k, ˈæ, t)]``."""
    return phonemize_runs([words])[0]
