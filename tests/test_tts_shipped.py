"""The shipped TTS checkpoints: both load and speak every trained voice, meet a dubbing
duration, repeat a seed, and the emotion moves the prosody the way the corpus taught it.
(The full judgement with the speech emotion recognizer is `python -m train.evaluate_tts`.)"""

from __future__ import annotations

import numpy as np
import pytest

from conditioning import parse_emotion
from synth.tts.synthesizer import shipped_synthesizer
from train.corpus.build import HELD_OUT_VOICE

TEXT = "Nobody told me the meeting had been moved to Friday."


@pytest.fixture(scope="module", params=["flow", "diffusion"])
def synthesizer(request):
    return shipped_synthesizer(request.param)


def _loudness_db(audio: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(audio.astype(np.float64) ** 2)) + 1e-9))


def test_speaks_every_trained_voice_and_not_the_held_out_one(synthesizer):
    assert len(synthesizer.voices) == 6 and HELD_OUT_VOICE not in synthesizer.voices
    for voice in synthesizer.voices:
        speech = synthesizer.speak(TEXT, parse_emotion("neutral"), voice, seed=0)
        assert np.isfinite(speech.audio).all() and 1.5 < speech.duration_s < 6.0, voice
        assert _loudness_db(speech.audio) > -40 and np.abs(speech.audio).max() <= 1.0, voice
        voiced = speech.log_f0[speech.log_f0 > 0]
        assert len(voiced) > 0.3 * len(speech.log_f0) and 50 < np.exp(np.median(voiced)) < 400, voice


@pytest.mark.parametrize("ratio", [0.6, 1.6])
def test_dubbing_duration_is_met(synthesizer, ratio):
    natural = synthesizer.speak(TEXT, parse_emotion("neutral"), "slt", steps=2).natural_duration_s
    speech = synthesizer.speak(TEXT, parse_emotion("neutral"), "slt", duration_s=ratio * natural, steps=2)
    assert speech.duration_s == pytest.approx(ratio * natural, rel=0.02)


def test_same_seed_same_audio(synthesizer):
    first, again = (synthesizer.speak(TEXT, parse_emotion("happy:0.7"), "awb", seed=11) for _ in range(2))
    np.testing.assert_array_equal(first.audio, again.audio)


def test_emotion_moves_pitch_loudness_and_pace(synthesizer):
    """Angry is higher, louder and faster than sad in the prosody prior the corpus was rendered with."""
    def speak(emotion):
        speech = synthesizer.speak(TEXT, parse_emotion(emotion), "rms", seed=0)
        return np.median(speech.log_f0[speech.log_f0 > 0]), _loudness_db(speech.audio), speech.duration_s

    angry, sad = speak("angry:1"), speak("sad:1")
    assert angry[0] > sad[0] + np.log(1.15), "angry should be pitched well above sad"
    assert angry[1] > sad[1] + 2.0, "angry should be louder than sad"
    assert angry[2] < sad[2], "angry should be faster than sad"
