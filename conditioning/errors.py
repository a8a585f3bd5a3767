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


SHOWN_KEYFRAMES = 5


class TimelineInputError(EmotionInputError):
    """Text that reads as a timeline but breaks its syntax; `understood` holds the keyframes
    read before the problem, so the message can show how far the reading got."""

    def __init__(self, problem: str, understood: tuple = ()):
        self.problem = problem
        self.understood = tuple(understood)
        shown = self.understood[-SHOWN_KEYFRAMES:]
        read = "; ".join(_keyframe_summary(k) for k in shown)
        if len(self.understood) > len(shown):
            read = f"{len(self.understood) - len(shown)} keyframes, then {read}"
        super().__init__(f"{problem} (understood so far: {read or 'nothing'})")


def _keyframe_summary(keyframe) -> str:
    return f"{keyframe.time:g}s {keyframe.target.category} {keyframe.target.intensity:.2f}"
