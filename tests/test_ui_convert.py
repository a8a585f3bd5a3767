"""The Convert tab's handlers without a browser: Best of N lists its scored candidates, another
candidate can be picked and is then shown and downloadable (watermarked, as the kept one is),
and bad input is named."""

from __future__ import annotations

import json

import gradio as gr
import numpy as np
import pytest
import soundfile as sf

from synth.loudness import integrated_loudness
from synth.provenance import detect
from ui.convert import convert, use_candidate
from ui.scoring import CANDIDATE_COLUMNS

pytestmark = pytest.mark.slow


def no_progress(*args, **kwargs) -> None:
    pass


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    from synth.render.engines import render

    spoken = render("The garage door is open.", "kal16")
    path = tmp_path_factory.mktemp("convert") / "plain.wav"
    sf.write(path, spoken.audio, spoken.sample_rate)
    return str(path)


@pytest.fixture(scope="module")
def best_of_two(recording):
    return convert(recording, "sad:0.8", 1.0, "neutral", 0, "prior", 2, False, progress=no_progress)


def test_best_of_two_lists_two_scored_candidates(best_of_two):
    wav, contours, _, heard_after, plane, recipe, files, rows, made = best_of_two
    assert len(rows) == 2 and all(len(row) == len(CANDIDATE_COLUMNS) for row in rows)
    assert [row[0] for row in rows] == [0, 1] and sum(row[1] == "✓" for row in rows) == 1
    assert all(isinstance(row[8], float) and np.isfinite(row[8]) for row in rows)   # each one scored
    assert recipe["scoring"]["kept"] in (0, 1) and contours.axes and plane.axes
    assert recipe["decoder"] == "prior" and recipe["source_emotion_given"]
    assert files[0] == wav and json.loads(open(files[1]).read())["emotion"] == "sad:0.8"
    result, source = made
    assert source and len(result.scoring.candidates) == 2


def test_another_candidate_can_be_picked_and_used(best_of_two):
    *_, rows, made = best_of_two
    kept = next(row[0] for row in rows if row[1])
    other = 1 - kept
    result, _ = made
    wav, _, _, _, _, recipe, files, picked_rows, picked = use_candidate(made, other)
    candidate = result.scoring.candidates[other]
    assert [row[0] for row in picked_rows if row[1]] == [other] and len(picked_rows) == 2
    assert recipe["scoring"]["kept"] == other
    assert recipe["seed"] == candidate.seed and recipe["intensity"] == pytest.approx(candidate.strength)
    assert recipe["emotion"] == "sad:0.8" and recipe["decoder"] == "prior"
    audio, rate = sf.read(wav)
    assert rate == result.sample_rate and len(audio) == len(candidate.result.audio)
    assert detect(audio, rate).watermarked                       # finished as the kept one is
    assert integrated_loudness(audio, rate) == pytest.approx(integrated_loudness(*sf.read(best_of_two[0])), abs=0.5)
    assert picked[0].scoring.kept == other and len(files) == 2


def test_bad_input_is_named(recording, best_of_two):
    with pytest.raises(gr.Error, match="Best of N must be a whole number"):
        convert(recording, "sad", 1.0, "neutral", 0, "prior", "two", False, progress=no_progress)
    with pytest.raises(gr.Error, match="best_of must be an integer in 1..16"):
        convert(recording, "sad", 1.0, "neutral", 0, "prior", 40, False, progress=no_progress)
    with pytest.raises(gr.Error, match="Upload or record the speech"):
        convert(None, "sad", 1.0, "neutral", 0, "prior", 2, False, progress=no_progress)
    with pytest.raises(gr.Error, match="Best of N above 1"):
        use_candidate(None, 0)
    *_, rows, unchanged = convert(recording, "sad", 0.0, "neutral", 0, "prior", 2, False, progress=no_progress)
    assert rows == []                                            # intensity 0: the input itself, nothing to choose
    with pytest.raises(gr.Error, match="Best of N above 1"):
        use_candidate(unchanged, 0)
    with pytest.raises(gr.Error, match="candidates 0 to 1; got 5"):
        use_candidate(best_of_two[-1], 5)
