"""Render English text with any engine voice, with phone timings: one entry point over the
Debian festival/flite voices (``debian_engines.py``, where the timing rules are documented)
and Piper voices (``piper_voices.py``). The shared vocabulary is in ``engine_spec.py``.

    text --(ASCII clean-up)--> festival script / flite call / Piper --> wav + phone end times
         --> float32 audio + PhoneSegment list whose times match the audio
"""

from __future__ import annotations

import functools

from .debian_engines import MIN_F0_MEAN_HZ, VOICES, festival_voices, flite_voices, render_festival, render_flite
from .engine_spec import (F0_MEAN_RANGE_HZ, MAX_TEXT_CHARS, PAUSE_PHONES, EngineControls, PhoneSegment, Rendering,
                          VoiceRenderError, VoiceSpec, clean_text)
from .piper_voices import JOE_VOICE, PIPER_VOICES, piper_installed, register_piper_voice, render_piper

__all__ = [
    "VOICES",
    "PIPER_VOICES",
    "JOE_VOICE",
    "register_piper_voice",
    "voice_spec",
    "PAUSE_PHONES",
    "MAX_TEXT_CHARS",
    "VoiceSpec",
    "EngineControls",
    "PhoneSegment",
    "Rendering",
    "VoiceRenderError",
    "render",
    "available_voices",
    "f0_mean_floor_hz",
    "clean_text",
]


def render(text: str, voice: str, controls: EngineControls = EngineControls(), seed: int = 0) -> Rendering:
    """Speak ``text`` with ``voice`` under ``controls``; phones tile [0, audio duration].
    ``seed`` draws a Piper voice's noise (festival and flite have none)."""
    spec = _voice_spec(voice)
    if not isinstance(controls, EngineControls):
        raise VoiceRenderError(f"controls must be EngineControls, got {type(controls).__name__}")
    unsupported = controls.requested() - spec.controls
    if unsupported:
        raise VoiceRenderError(
            f"voice {voice!r} ({spec.engine}) cannot set {sorted(unsupported)}; it honours "
            f"{sorted(spec.controls)}. Apply the rest after synthesis (e.g. WORLD)."
        )
    floor = MIN_F0_MEAN_HZ.get(voice)
    if floor is not None and controls.f0_mean_hz is not None and controls.f0_mean_hz < floor:
        raise VoiceRenderError(
            f"voice {voice!r} crashes festival below f0_mean_hz={floor:g} (asked "
            f"{controls.f0_mean_hz:g}); render at {floor:g} Hz or more and lower F0 with WORLD"
        )
    cleaned = clean_text(text)
    if spec.engine == "piper":
        audio, rate, phones = render_piper(cleaned, spec, controls, seed)
    elif spec.engine == "festival":
        audio, rate, phones = render_festival(cleaned, spec, controls)
    else:
        audio, rate, phones = render_flite(cleaned, spec, controls)
    if not any(p.phone not in PAUSE_PHONES for p in phones):
        raise VoiceRenderError(f"voice {voice!r} produced no speech phones for {text!r}")
    return Rendering(audio=audio, sample_rate=rate, phones=tuple(phones), voice=voice, controls=controls)


def f0_mean_floor_hz(voice: str) -> float:
    """The lowest ``f0_mean_hz`` the voice's engine renders safely."""
    return MIN_F0_MEAN_HZ.get(_voice_spec(voice).name, F0_MEAN_RANGE_HZ[0])


def available_voices() -> list[str]:
    """Names in VOICES whose engine and voice data are installed (asked of the engines)."""
    return list(_installed_voices())


@functools.lru_cache(maxsize=1)
def _installed_voices() -> tuple[str, ...]:
    # Asked once per process: two engine start-ups (~0.5 s); packages do not come and go.
    installed = {"festival": festival_voices(), "flite": flite_voices()}
    debian = tuple(name for name, spec in VOICES.items() if spec.engine_voice in installed[spec.engine])
    return tuple(name for name, spec in PIPER_VOICES.items() if piper_installed(spec)) + debian


def _voice_spec(voice: str) -> VoiceSpec:
    if voice in PIPER_VOICES:
        return PIPER_VOICES[voice]
    if voice not in VOICES:
        raise VoiceRenderError(f"unknown voice {voice!r}; known voices: {', '.join([*PIPER_VOICES, *VOICES])}")
    return VOICES[voice]


def voice_spec(voice: str) -> VoiceSpec:
    """The spec of any voice, Debian or Piper."""
    return _voice_spec(voice)
