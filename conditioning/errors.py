"""Errors raised for bad emotion input: each names the problem so a user can fix it."""

from __future__ import annotations


class EmotionInputError(ValueError):
    """An emotion given in any input form could not be understood."""


class UnknownEmotionError(EmotionInputError):
    """A word is not in the vocabulary; carries the nearest known words."""

    def __init__(self, word: str, suggestions: list[str]):
        self.word = word
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"unknown emotion word {word!r}{hint}")
