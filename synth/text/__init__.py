"""TTS text front end: normalisation, phonemisation (espeak-ng) and the model's symbol ids.

>>> from synth.text import text_to_sequence
>>> result = text_to_sequence("Is it $5?")
>>> result.normalized
'Is it five dollars?'
"""

from synth.text.errors import EspeakUnavailableError, TextFrontendError
from synth.text.frontend import (
    MAX_TEXT_CHARS,
    PHONE_SYMBOLS,
    FrontendResult,
    SentenceType,
    Token,
    TokenKind,
    ids_to_symbols,
    symbols_to_ids,
    text_to_sequence,
)
from synth.text.normalize import normalize_text

__all__ = [
    "MAX_TEXT_CHARS",
    "PHONE_SYMBOLS",
    "EspeakUnavailableError",
    "FrontendResult",
    "SentenceType",
    "TextFrontendError",
    "Token",
    "TokenKind",
    "ids_to_symbols",
    "normalize_text",
    "symbols_to_ids",
    "text_to_sequence",
]
