"""The error voice conversion raises for input it cannot convert."""

from __future__ import annotations

from common.audio_io import AudioInputError


class ConversionInputError(AudioInputError):
    """Audio the converter refuses (silence, music, noise, overlong), with the reason; a
    ValueError, so the CLI exits 2 with the message."""
