"""Label expressions: `angry`, `angry:0.4`, `0.7 happy + 0.3 surprised`, `70% calm + 30% sad`."""

from __future__ import annotations

import re

from ..errors import EmotionInputError
from ..target import EmotionTarget, check_unit_interval, mix_targets
from ..vocabulary import vocabulary

_WORD = r"[a-z][a-z\-']*"
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?"  # one way to match a number: no backtracking blow-up
_TERM = re.compile(
    rf"^\s*(?:(?P<weight>{_NUMBER})\s*(?P<percent>%)?\s*\*?\s*)?"
    rf"(?P<word>{_WORD})\s*(?::\s*(?P<intensity>\S+))?\s*$",
    re.IGNORECASE,
)
_LABEL_EXPRESSION = re.compile(
    rf"^\s*(?:{_NUMBER}\s*%?\s*\*?\s*)?{_WORD}(?:\s*:\s*\S+)?"
    rf"(?:\s*\+\s*(?:{_NUMBER}\s*%?\s*\*?\s*)?{_WORD}(?:\s*:\s*\S+)?)*\s*$",
    re.IGNORECASE,
)


def looks_like_label_expression(text: str) -> bool:
    """A single word, `word:intensity`, or a `+` mixture of weighted words."""
    return bool(_LABEL_EXPRESSION.match(text))


def single_label(text: str) -> tuple[str, float | None] | None:
    """`happy:0.8` -> ('happy', 0.8), `happy` -> ('happy', None): the word and the intensity of a
    label of one unweighted term, as written (the word is not looked up); None for any other
    text, or an intensity that is not a number. The studio's emotion control reads labels so."""
    match = _TERM.match(text)
    if not match or match["weight"] is not None:
        return None
    if match["intensity"] is None:
        return match["word"], None
    try:
        return match["word"], float(match["intensity"])
    except ValueError:
        return None


def _parse_term(term: str) -> tuple[float, EmotionTarget]:
    match = _TERM.match(term)
    if not match:
        raise EmotionInputError(f"cannot read {term.strip()!r}; expected e.g. 'angry', "
                                "'angry:0.4' or '0.7 happy + 0.3 surprised'")
    entry = vocabulary().lookup(match["word"])
    intensity = None
    if match["intensity"] is not None:
        intensity = check_unit_interval(f"intensity of {match['word']}", _number(match["intensity"]))
    weight = 1.0
    if match["weight"] is not None:
        weight = _number(match["weight"]) / (100.0 if match["percent"] else 1.0)
        if weight < 0:
            raise EmotionInputError(f"mixture weight of {match['word']} must not be negative")
    return weight, entry.target(intensity)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise EmotionInputError(f"{text!r} is not a number") from None


def parse_label_expression(text: str) -> EmotionTarget:
    """Parses a label or a label mixture; unknown words raise with suggestions."""
    terms = [_parse_term(part) for part in text.split("+")]
    weights = [w for w, _ in terms]
    if sum(weights) <= 0:
        raise EmotionInputError("mixture weights must not all be zero")
    return mix_targets([t for _, t in terms], weights)
