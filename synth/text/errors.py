"""Errors raised by the text front end."""

from __future__ import annotations


class TextFrontendError(ValueError):
    """The text cannot be turned into a phone sequence (empty, too long, nothing to say).

    A ``ValueError`` so that callers which already treat bad arguments as client errors
    (the CLI, the web UI) handle it without a special case.
    """


class EspeakUnavailableError(TextFrontendError, RuntimeError):
    """espeak-ng, which the phonemiser drives, is not installed.

    Also a ``RuntimeError``: it is a problem of the machine, not of the text, and callers
    that distinguish the two can.
    """
