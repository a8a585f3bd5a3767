"""What every speech engine shares: the prosody controls it is asked for, the spec of one
voice, the phones and rendering it returns, its error, and the text it reads."""

from __future__ import annotations

import dataclasses
import math
import unicodedata
from dataclasses import dataclass, field

import numpy as np

MAX_TEXT_CHARS = 1000
"""Longest accepted text: a corpus prompt is a sentence or three, never a chapter."""

PAUSE_PHONES = frozenset({"pau", "h#", "#", "sil", "sp"})
"""Phone names the engines (and other phone sets) use for silence."""

# Control ranges: wider than any emotion needs; every voice renders at both ends (checked),
# except festival diphones at low F0 (debian_engines.MIN_F0_MEAN_HZ).
DURATION_STRETCH_RANGE = (0.25, 4.0)
F0_MEAN_RANGE_HZ = (40.0, 500.0)
F0_STD_RANGE_HZ = (0.0, 200.0)


class VoiceRenderError(RuntimeError):
    """A voice could not render a text: bad input, unknown/uninstalled voice, engine failure."""


@dataclass(frozen=True)
class EngineControls:
    """Prosody asked of the engine itself.

    ``duration_stretch`` multiplies every duration (>1 slower) relative to the voice's own
    tempo; ``f0_mean_hz``/``f0_std_hz`` set the target F0 mean/standard deviation of the
    intonation model (``None`` keeps the voice's own value).
    """

    duration_stretch: float = 1.0
    f0_mean_hz: float | None = None
    f0_std_hz: float | None = None

    def __post_init__(self) -> None:
        _check_range("duration_stretch", self.duration_stretch, DURATION_STRETCH_RANGE)
        if self.f0_mean_hz is not None:
            _check_range("f0_mean_hz", self.f0_mean_hz, F0_MEAN_RANGE_HZ)
        if self.f0_std_hz is not None:
            _check_range("f0_std_hz", self.f0_std_hz, F0_STD_RANGE_HZ)

    def requested(self) -> frozenset[str]:
        """Names of the fields that differ from the voice's natural setting."""
        asked = set()
        if self.duration_stretch != 1.0:
            asked.add("duration_stretch")
        if self.f0_mean_hz is not None:
            asked.add("f0_mean_hz")
        if self.f0_std_hz is not None:
            asked.add("f0_std_hz")
        return frozenset(asked)


def _check_range(name: str, value: float, bounds: tuple[float, float]) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value) or not bounds[0] <= value <= bounds[1]:
        raise ValueError(f"{name}={value!r} is outside [{bounds[0]}, {bounds[1]}]")


ALL_CONTROLS = frozenset(f.name for f in dataclasses.fields(EngineControls))
STRETCH_ONLY = frozenset({"duration_stretch"})


@dataclass(frozen=True)
class VoiceSpec:
    """One voice: which engine renders it, under which name, at which rate."""

    name: str
    engine: str  # "festival" | "flite" | "piper"
    engine_voice: str  # festival: voice_<engine_voice>; flite: -voice <engine_voice>; piper: the .onnx path
    sample_rate: int
    sex: str  # "female" | "male"
    controls: frozenset[str] = field(default_factory=frozenset)  # EngineControls fields honoured
    # WORLD analysis checks F0 for octave-up errors (synth.vocoder.octave): Piper's VITS voices
    # come out almost without their fundamental, and DIO then follows the second harmonic.
    octave_check: bool = False
    # Happiness's utterance-wide arch (synth.render.emotional.contour_for) suits the engines'
    # flat rule-based intonation; a neural voice accents its own words, and the arch over them
    # narrowed joe's F0 span (20-80 %: 5.1 -> 3.9 st on a test sentence) where happiness widens it.
    arched_contour: bool = True


@dataclass(frozen=True)
class PhoneSegment:
    """One phone, in the engine's own (CMU-style) phone set; times in seconds."""

    phone: str
    start: float
    end: float


@dataclass(frozen=True)
class Rendering:
    """Audio (float32 mono in [-1, 1], the engine's own rate) and its phone timings."""

    audio: np.ndarray
    sample_rate: int
    phones: tuple[PhoneSegment, ...]
    voice: str
    controls: EngineControls

    @property
    def duration(self) -> float:
        return len(self.audio) / self.sample_rate


# Typographic characters with an obvious ASCII reading; the rest of non-ASCII is decomposed
# (é -> e) or dropped, because both engines read bytes as Latin-1 English and would spell
# out or mangle UTF-8 sequences.
_ASCII_MAP = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2013": "-", "\u2014": " - ", "\u2212": "-", "\u2026": "...", "\u00a0": " ",
})


def clean_text(text: str) -> str:
    """Validate and reduce ``text`` to single-spaced printable ASCII the engines read alike."""
    if not isinstance(text, str):
        raise VoiceRenderError(f"text must be a str, got {type(text).__name__}")
    stripped = text.strip()
    if not stripped:
        raise VoiceRenderError("text is empty")
    if len(stripped) > MAX_TEXT_CHARS:
        raise VoiceRenderError(f"text has {len(stripped)} characters; the limit is {MAX_TEXT_CHARS}")
    ascii_text = unicodedata.normalize("NFKD", stripped.translate(_ASCII_MAP))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii")
    # Whitespace of any kind becomes one space, and control characters (no reading) too.
    cleaned = " ".join("".join(c if c.isprintable() else " " for c in ascii_text).split())
    if not any(c.isalnum() for c in cleaned):
        raise VoiceRenderError(f"text has nothing speakable: {text!r}")
    return cleaned
