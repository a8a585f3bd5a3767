"""The voice catalogue: every engine voice is described for people and has a short sample."""

import pytest
import soundfile as sf

from synth.render.engines import JOE_VOICE, PIPER_VOICES, VOICES
from synth.studio import Studio
from synth.voices import SAMPLE_SUFFIX, SAMPLES_DIR, builtin_voices, describe_voice, installed_voices

MAX_SAMPLE_BYTES = 40_000


def test_every_engine_voice_is_described():
    described = {voice.name for voice in builtin_voices()}
    assert described == set(VOICES) | {JOE_VOICE}
    for voice in builtin_voices():
        assert voice.gender in {"female", "male"} and voice.age_range == "adult"
        assert voice.accent.endswith("English") and voice.engine in {"Piper", "festival", "flite"}
        # The engine's own record of the speaker's sex agrees with the description.
        spec = PIPER_VOICES.get(voice.name) or VOICES[voice.name]
        assert spec.sex == voice.gender
        assert voice.description.startswith(f"{voice.gender} · adult · {voice.accent} · {voice.engine}")
        assert voice.label.startswith(f"{voice.name} — ")


def test_the_descriptions_say_what_the_voices_documentation_says():
    assert describe_voice("awb").accent == "Scottish English"
    assert describe_voice("joe").description == "male · adult · US English · Piper, neural (VITS)"
    assert describe_voice("slt_hts").gender == "female"


def test_every_built_in_voice_has_a_short_playable_sample():
    for voice in builtin_voices():
        path = SAMPLES_DIR / f"{voice.name}{SAMPLE_SUFFIX}"
        assert voice.sample == path, f"{path} is missing: run scripts/make_voice_samples.py"
        assert path.stat().st_size <= MAX_SAMPLE_BYTES
        audio, rate = sf.read(path)
        assert 2.0 < len(audio) / rate < 8.0 and abs(audio).max() > 0.1


def test_unknown_voice_is_named():
    with pytest.raises(ValueError, match="unknown voice 'bob'.*joe"):
        describe_voice("bob")


def test_a_registered_piper_voice_is_listed_without_invented_descriptors(monkeypatch):
    spec = PIPER_VOICES[JOE_VOICE]
    monkeypatch.setitem(PIPER_VOICES, "my-voice", type(spec)("my-voice", "piper", "/models/my-voice.onnx", 22050,
                                                             "unknown"))
    voice = describe_voice("my-voice")
    assert (voice.gender, voice.accent, voice.origin, voice.sample) == ("unknown", "unknown", "user", None)
    assert voice.description == "unknown speaker · Piper, neural (VITS)"


def test_studio_lists_the_installed_voices_default_first():
    voices = Studio().voices()
    assert voices == installed_voices() and voices
    assert all(voice.name in VOICES or voice.name in PIPER_VOICES for voice in voices)
    if any(voice.name == JOE_VOICE for voice in voices):
        assert voices[0].name == JOE_VOICE
