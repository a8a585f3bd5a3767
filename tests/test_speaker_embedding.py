"""The outside speaker encoder's front end (conditioning/speaker.py): a voice is the same voice at
any playback level."""

import numpy as np

from conditioning.speaker import SPEECH_LEVEL_DBFS, cosine, d_vector, speech_level_dbfs
from synth.render.engines import render


def test_speech_level_ignores_pauses():
    rate = 16000
    tone = 0.1 * np.sin(2 * np.pi * 150 * np.arange(rate) / rate)
    with_pause = np.concatenate([tone, np.zeros(rate)])
    assert abs(speech_level_dbfs(tone, rate) - speech_level_dbfs(with_pause, rate)) < 0.1
    assert abs(speech_level_dbfs(tone, rate) - 20 * np.log10(0.1 / np.sqrt(2))) < 0.1


def test_d_vector_is_the_same_at_any_level_and_still_tells_voices_apart():
    held = render("The quiet student pushed the chess set aside.", "kal16")
    other = render("The quiet student pushed the chess set aside.", "slt")
    audio = held.audio.astype(np.float64)
    vector = d_vector(audio, held.sample_rate)
    for gain in (0.25, 0.5, 2.0):
        assert cosine(vector, d_vector(audio * gain, held.sample_rate)) > 0.999
    assert cosine(vector, d_vector(other.audio, other.sample_rate)) < 0.8
    assert np.isfinite(d_vector(np.zeros(held.sample_rate), held.sample_rate)).all()
    assert -40 < SPEECH_LEVEL_DBFS < -10
