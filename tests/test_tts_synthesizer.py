"""The TTS inference path on a tiny trained checkpoint: audio, timings, duration control,
seeds, timelines and clear errors. (Quality is judged by the evaluation script on the
shipped checkpoints, not here.)"""

from __future__ import annotations

import numpy as np
import pytest

from conditioning import parse_emotion
from conditioning.prosody import prosody_prior
from synth.text.errors import TextFrontendError
from synth.tts.synthesizer import Synthesizer, TTSInputError, irregularity_per_frame
from train.corpus.build import HELD_OUT_VOICE
from train.train_tts import main
from train.tts.features import build_features

pytestmark = pytest.mark.slow
TEXT = "The twelfth train leaves from platform six."


@pytest.fixture(scope="module")
def synthesizer(tiny_corpus, tmp_path_factory) -> Synthesizer:
    build_features(tiny_corpus, jobs=2, progress=False)
    output = tmp_path_factory.mktemp("tts") / "tts.pt"
    main(["--corpus", str(tiny_corpus), "--epochs", "2", "--hidden", "32", "--decoder-channels", "32",
          "--output", str(output), "--no-manifest"])
    return Synthesizer.from_checkpoint("flow", output)


def test_speech_has_audio_and_phone_times_that_cover_it(synthesizer):
    speech = synthesizer.speak(TEXT, parse_emotion("happy:0.8"), "ked_diphone", steps=4)
    assert speech.sample_rate == 22050 and speech.audio.dtype == np.float32 and np.isfinite(speech.audio).all()
    assert speech.phones[0][0] == "<bos>" and speech.phones[-1][0] == "<eos>"
    assert speech.phones[-1][2] == pytest.approx(speech.duration_s, abs=0.011)
    assert all(a[2] == pytest.approx(b[1]) for a, b in zip(speech.phones, speech.phones[1:]))


@pytest.mark.parametrize("ratio", [0.6, 0.8, 1.3, 1.6])
def test_duration_target_is_met_within_two_percent(synthesizer, ratio):
    natural = synthesizer.speak(TEXT, parse_emotion("neutral"), "awb", steps=2).natural_duration_s
    speech = synthesizer.speak(TEXT, parse_emotion("neutral"), "awb", duration_s=ratio * natural, steps=2)
    assert speech.duration_s == pytest.approx(ratio * natural, rel=0.02)


def test_same_seed_same_audio_and_timelines_work(synthesizer):
    first = synthesizer.speak(TEXT, parse_emotion("sad"), "kal_diphone", steps=3, seed=4)
    again = synthesizer.speak(TEXT, parse_emotion("sad"), "kal_diphone", steps=3, seed=4)
    other = synthesizer.speak(TEXT, parse_emotion("sad"), "kal_diphone", steps=3, seed=5)
    np.testing.assert_array_equal(first.audio, again.audio)
    assert not np.array_equal(first.audio, other.audio)
    timeline = synthesizer.speak(TEXT, parse_emotion("0s calm; 1s angry:0.9"), "kal_diphone", steps=2, guidance=2.0)
    assert len(timeline.audio) > 0


def test_bad_requests_get_clear_errors(synthesizer):
    with pytest.raises(TextFrontendError):
        synthesizer.speak("   ", parse_emotion("happy"), "ked_diphone")
    with pytest.raises(TTSInputError, match="unknown voice"):
        synthesizer.speak(TEXT, parse_emotion("happy"), "nobody")
    with pytest.raises(TTSInputError, match="held out"):
        synthesizer.speak(TEXT, parse_emotion("happy"), HELD_OUT_VOICE)
    with pytest.raises(TTSInputError, match="natural"):
        synthesizer.speak(TEXT, parse_emotion("happy"), "ked_diphone", duration_s=3600)
    with pytest.raises(TTSInputError, match="positive"):
        synthesizer.speak(TEXT, parse_emotion("happy"), "ked_diphone", duration_s=float("nan"))
    with pytest.raises(TTSInputError, match="rate"):
        synthesizer.speak(TEXT, parse_emotion("happy"), "ked_diphone", rate=0)


def test_irregularity_follows_each_token_emotion_to_the_last_frame():
    neutral, sad = parse_emotion("neutral"), parse_emotion("sad")
    jitter, shimmer = irregularity_per_frame([neutral, sad, sad], np.array([2, 3, 4]), frames=10)
    assert jitter.shape == shimmer.shape == (10,)
    assert (jitter[:2] == 0).all() and (shimmer[:2] == 0).all()
    assert (jitter[2:] == prosody_prior(sad).jitter).all() and prosody_prior(sad).jitter > 0
    assert (shimmer[2:] == prosody_prior(sad).shimmer).all() and prosody_prior(sad).shimmer > 0
