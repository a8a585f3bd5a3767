"""Tests of synth.render.engines: real festival/flite renders, timings against the audio."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from synth.render.engines import (
    MAX_TEXT_CHARS,
    PAUSE_PHONES,
    PIPER_VOICES,
    VOICES,
    EngineControls,
    Rendering,
    VoiceRenderError,
    available_voices,
    render,
)

with warnings.catch_warnings():  # pyworld 0.3 imports the deprecated pkg_resources
    warnings.simplefilter("ignore")
    import pyworld

PANGRAM = "The quick brown fox jumps over the lazy dog."
# Phones every voice says for the pangram, whatever its lexicon does with vowels.
PANGRAM_CONSONANTS = {"dh", "k", "w", "b", "r", "n", "f", "s", "jh", "m", "p", "v", "l", "z", "d", "g"}
PHONE_NAME = re.compile(r"[a-z]{1,4}[0-9]?|h#|#")


def _require(voice: str) -> None:
    if voice not in available_voices():
        pytest.skip(f"voice {voice} is not installed (festival/flite Debian packages)")


@pytest.fixture(scope="module")
def pangram_renders() -> dict[str, Rendering]:
    """One default render of the pangram per installed voice, shared by the tests."""
    return {voice: render(PANGRAM, voice) for voice in available_voices()}


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0


def _segment_audio(r: Rendering, phones) -> np.ndarray:
    parts = [r.audio[int(p.start * r.sample_rate):int(p.end * r.sample_rate)] for p in phones]
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def _voiced_log2_f0(r: Rendering) -> np.ndarray:
    x = r.audio.astype(np.float64)
    f0, t = pyworld.dio(x, r.sample_rate, f0_floor=50.0, f0_ceil=500.0)
    f0 = pyworld.stonemask(x, f0, t, r.sample_rate)
    return np.log2(f0[f0 > 0])


def _check_phones_tile_audio(r: Rendering) -> None:
    phones = r.phones
    assert phones, "no phones"
    assert phones[0].start == 0.0
    for before, after in zip(phones, phones[1:]):
        assert after.start == before.end  # contiguous: a phone starts where the last ended
    assert all(p.end >= p.start for p in phones)
    ends = [p.end for p in phones]
    assert ends == sorted(ends) and ends[-1] > ends[0]
    frame = 1.0 / r.sample_rate
    assert abs(ends[-1] - r.duration) <= max(0.03, frame)


# --- the voice table -------------------------------------------------------------------


def test_voice_table_is_the_seven_debian_voices():
    assert list(VOICES) == ["slt_hts", "kal_diphone", "ked_diphone", "awb", "rms", "slt", "kal16"]
    for name, spec in VOICES.items():
        assert spec.name == name
        assert spec.engine in {"festival", "flite"}
        assert spec.sex in {"female", "male"}
        assert spec.controls <= {"duration_stretch", "f0_mean_hz", "f0_std_hz"}
        assert "duration_stretch" in spec.controls
    assert VOICES["slt_hts"].sample_rate == 32000
    assert {VOICES["slt_hts"].sex, VOICES["slt"].sex} == {"female"}
    assert "f0_mean_hz" not in VOICES["rms"].controls | VOICES["slt_hts"].controls
    assert PAUSE_PHONES >= {"pau", "h#", "#", "sil"}


def test_available_voices_are_known_and_stable():
    voices = available_voices()
    assert set(voices) <= set(VOICES) | set(PIPER_VOICES)
    voices.append("mutated")  # callers get a copy
    assert "mutated" not in available_voices()


# --- every voice -----------------------------------------------------------------------


@pytest.mark.parametrize("voice", list(VOICES))
def test_render_gives_audio_and_matching_phones(voice, pangram_renders):
    _require(voice)
    r = pangram_renders[voice]
    assert r.voice == voice and r.controls == EngineControls()
    assert r.sample_rate == VOICES[voice].sample_rate
    assert r.audio.dtype == np.float32 and r.audio.ndim == 1
    assert np.all(np.abs(r.audio) <= 1.0)
    assert _rms(r.audio) > 0.01, "silent audio"
    assert 1.5 < r.duration < 6.0
    _check_phones_tile_audio(r)
    names = [p.phone for p in r.phones]
    assert all(PHONE_NAME.fullmatch(n) for n in names), names
    assert names[0] in PAUSE_PHONES and names[-1] in PAUSE_PHONES
    assert PANGRAM_CONSONANTS <= set(names)
    # The times describe this audio: speech phones are far louder than the leading pause.
    speech = _segment_audio(r, [p for p in r.phones if p.phone not in PAUSE_PHONES])
    lead = _segment_audio(r, r.phones[:1])
    assert _rms(speech) > 10 * _rms(lead) + 1e-4


@pytest.mark.parametrize("voice", ["slt_hts", "awb"])
def test_render_is_deterministic(voice, pangram_renders):
    _require(voice)
    again = render(PANGRAM, voice)
    assert np.array_equal(again.audio, pangram_renders[voice].audio)
    assert again.phones == pangram_renders[voice].phones


@pytest.mark.parametrize("voice", ["kal_diphone", "slt"])
def test_quotes_and_backslashes_are_spoken_not_parsed(voice):
    _require(voice)
    r = render('He said "hi" and left \\ then "bye".', voice)
    _check_phones_tile_audio(r)
    names = [p.phone for p in r.phones]
    assert {"hh", "ay", "b"} <= set(names)
    assert names.count("l") >= 1 and _rms(r.audio) > 0.01


def test_multi_sentence_times_stay_continuous():
    # flite's diphone voice ends each utterance mid-pause, the worst case for drift.
    _require("kal16")
    r = render("Hello there. How are you today? I am fine.", "kal16")
    _check_phones_tile_audio(r)
    inner_pauses = [p for p in r.phones[1:-1] if p.phone in PAUSE_PHONES]
    assert len(inner_pauses) >= 2
    speech = _segment_audio(r, [p for p in r.phones if p.phone not in PAUSE_PHONES])
    assert _rms(speech) > 5 * _rms(_segment_audio(r, inner_pauses))


# --- engine controls -------------------------------------------------------------------


@pytest.mark.parametrize("voice", ["kal16", "kal_diphone", "slt_hts"])
def test_duration_stretch_slows_speech(voice, pangram_renders):
    _require(voice)
    slow = render(PANGRAM, voice, EngineControls(duration_stretch=1.5))
    assert slow.duration >= 1.25 * pangram_renders[voice].duration
    _check_phones_tile_audio(slow)
    assert [p.phone for p in slow.phones] == [p.phone for p in pangram_renders[voice].phones]


@pytest.mark.parametrize("voice", ["awb", "kal_diphone"])
def test_f0_mean_moves_pitch(voice):
    _require(voice)
    high = np.median(_voiced_log2_f0(render(PANGRAM, voice, EngineControls(f0_mean_hz=180.0))))
    low = np.median(_voiced_log2_f0(render(PANGRAM, voice, EngineControls(f0_mean_hz=100.0))))
    assert 2 ** (high - low) > 1.4  # asked 1.8x; octave errors aside, clearly higher


def test_f0_std_widens_pitch_range():
    _require("awb")
    def spread(std: float) -> float:
        log_f0 = _voiced_log2_f0(render(PANGRAM, "awb", EngineControls(f0_std_hz=std)))
        q25, q75 = np.percentile(log_f0, [25, 75])
        return float(q75 - q25)
    assert spread(50.0) > 2 * spread(5.0)


@pytest.mark.parametrize(("voice", "controls"), [
    ("rms", EngineControls(f0_mean_hz=150.0)),
    ("slt_hts", EngineControls(f0_std_hz=20.0)),
])
def test_control_a_voice_ignores_is_refused(voice, controls):
    with pytest.raises(VoiceRenderError, match="f0_") as err:
        render(PANGRAM, voice, controls)
    assert "WORLD" in str(err.value)


@pytest.mark.parametrize("kwargs", [
    {"duration_stretch": 0.0}, {"duration_stretch": float("nan")}, {"duration_stretch": 10.0},
    {"f0_mean_hz": -5.0}, {"f0_mean_hz": float("inf")}, {"f0_std_hz": -1.0}, {"duration_stretch": "2"},
])
def test_bad_control_values_are_rejected(kwargs):
    with pytest.raises(ValueError):
        EngineControls(**kwargs)


# --- bad input -------------------------------------------------------------------------


def test_unknown_voice_lists_the_known_ones():
    with pytest.raises(VoiceRenderError) as err:
        render(PANGRAM, "hal9000")
    message = str(err.value)
    assert "hal9000" in message and all(name in message for name in VOICES)


@pytest.mark.parametrize("text", ["", "   \n\t ", "...", "!?", "\u4f60\u597d"])
def test_empty_or_unspeakable_text_is_refused(text):
    with pytest.raises(VoiceRenderError, match="empty|nothing speakable"):
        render(text, "awb")


def test_overlong_text_is_refused():
    with pytest.raises(VoiceRenderError, match=str(MAX_TEXT_CHARS)):
        render("word " * 300, "awb")


def test_non_string_text_is_refused():
    with pytest.raises(VoiceRenderError, match="str"):
        render(b"bytes", "awb")  # type: ignore[arg-type]


def test_festival_diphone_refuses_the_f0_that_crashes_it():
    # A mean of 75 Hz with a flat contour aborts festival (heap corruption); refused early.
    with pytest.raises(VoiceRenderError, match="f0_mean_hz=85"):
        render(PANGRAM, "kal_diphone", EngineControls(f0_mean_hz=75.0, f0_std_hz=0.0))
