"""The served studio under load: 8 requests at once, speech and talking heads mixed, through
gradio_client as a second program would send them. Each result must be its own request's,
checked by what the returned files themselves record and hold, not by the order they come back."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import soundfile

from synth.provenance import read_record
from ui.testing import (LOAD_ANIMATE as ANIMATE, LOAD_SPEAK as SPEAK, request_animation, request_speech,
                        served_studio)


def _file(outputs, suffix: str) -> str:
    for value in outputs:
        for item in value if isinstance(value, list) else [value]:
            path = item.get("path") if isinstance(item, dict) else item
            if isinstance(path, str) and path.endswith(suffix):
                return path
    raise AssertionError(f"no {suffix} among the outputs {outputs!r}")


@pytest.fixture(scope="module")
def results():
    with served_studio(concurrency=2) as url:
        with ThreadPoolExecutor(max_workers=8) as pool:
            speaking = [pool.submit(request_speech, url, text, emotion) for text, emotion in SPEAK]
            animating = [pool.submit(request_animation, url, text, emotion) for text, emotion in ANIMATE]
            return [f.result(timeout=900) for f in speaking], [f.result(timeout=900) for f in animating]


def test_eight_concurrent_speech_results_are_each_their_own_request(results):
    speech, _ = results
    lengths = []
    for (text, emotion), outputs in zip(SPEAK, speech):
        wav = _file(outputs, ".wav")
        found = read_record(wav)
        assert found.source == "wav"           # the record inside the WAV itself
        recipe = found.record.recipe
        assert recipe["text"] == text and recipe["emotion"].startswith(emotion.split(":")[0]), (text, recipe)
        audio, rate = soundfile.read(wav)
        assert np.sqrt(np.mean(audio ** 2)) > 0.01
        lengths.append(len(audio) / rate)
    # Longer sentences came back as longer speech: no two results were swapped.
    words = [len(text.split()) for text, _ in SPEAK]
    assert np.corrcoef(words, lengths)[0, 1] > 0.8


def test_concurrent_talking_heads_are_each_their_own_request(results):
    _, videos = results
    for (text, emotion), outputs in zip(ANIMATE, videos):
        mp4 = _file(outputs, ".mp4")
        found = read_record(mp4)
        assert found.source == "mp4"           # the record inside the MP4's metadata
        recipe = found.record.recipe
        assert recipe["emotion"].startswith(emotion.split(":")[0]), (text, recipe)
        # The speech it was animated with, returned beside it, says this request's words.
        wav = _file(outputs, ".wav")
        assert read_record(wav).record.recipe["text"] == text
        assert Path(recipe["audio"]).name == Path(wav).name


def test_a_full_queue_refuses_with_a_message():
    with served_studio(concurrency=1, max_queue=1) as url:
        with ThreadPoolExecutor(max_workers=4) as pool:
            futures = [pool.submit(request_animation, url, text, emotion) for text, emotion in ANIMATE * 2]
            errors = []
            for future in futures:
                try:
                    future.result(timeout=900)
                except Exception as refused:  # gradio_client raises its AppError with the server's message
                    errors.append(str(refused))
    assert errors and all("queue is full" in message.lower() for message in errors), errors
    assert len(errors) < len(futures)              # the ones that fitted still ran
