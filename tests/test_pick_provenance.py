"""A candidate a person picks instead of the kept one ("Use this candidate instead") is finished
as the kept one is: Speak's carries its own watermark and provenance record (its own seed and
guidance in the record's settings) at the kept one's loudness; Animate's video carries the marked
speech and the record inside and beside it. Through Studio and the tabs' handlers, no browser."""

from __future__ import annotations

import gradio as gr
import numpy as np
import pytest
import soundfile as sf

from synth.loudness import integrated_loudness
from synth.provenance import detect, read_record, verify

pytestmark = pytest.mark.slow

VOICE = "kal16"      # a Debian voice: fast
# Long enough (3.7 s) for the mark's payload to decode, not only its presence.
TEXT = "The committee will meet again next Thursday to settle the budget."


def no_progress(*args, **kwargs) -> None:
    pass


@pytest.fixture(scope="module")
def studio():
    from synth.studio import Studio
    return Studio()


@pytest.fixture(scope="module")
def best_of_two(studio):
    return studio.speak(TEXT, "sad:0.6", voice=VOICE, best_of=2)


def test_a_picked_speech_candidate_carries_its_own_mark_and_record(best_of_two, tmp_path):
    result = best_of_two
    other = 1 - result.scoring.kept
    candidate = result.scoring.candidates[other]
    picked = result.choose(other)
    record = picked.provenance
    assert record is not None and record.generator == "speak"
    assert record.recipe == picked.settings and record.recipe["seed"] == candidate.seed == other
    assert record.recipe["guidance"] == candidate.strength and picked.scoring.kept == other
    assert record.recipe["seed"] != result.provenance.recipe["seed"]
    detection = detect(picked.audio, picked.sample_rate)
    assert detection.watermarked and detection.payload.to_dict() == record.watermark
    assert record.watermark["recipe_hash"] == record.recipe_sha256[:2]     # its own recipe, not the kept one's
    # At the kept one's loudness (the asked level), and the candidate's own speech, not the kept one's.
    assert integrated_loudness(picked.audio, picked.sample_rate) == pytest.approx(
        integrated_loudness(result.audio, result.sample_rate), abs=0.5)
    assert len(picked.audio) == len(candidate.result.speech.audio) and picked.recognized is candidate.result.recognized
    # The WAV a person downloads says so: the mark decodes and the record inside is the candidate's.
    found = verify(picked.write_wav(tmp_path / "picked.wav"))
    assert found.watermarked and found.record.source == "wav" and found.record.record.recipe["seed"] == other
    assert found.to_dict()["payload_matches_record"]
    # Picking the kept one again is the kept result itself: one path finishes both.
    again = result.choose(result.scoring.kept)
    np.testing.assert_array_equal(again.audio, result.audio)
    assert again.settings == result.settings and again.provenance.recipe == result.provenance.recipe
    with pytest.raises(ValueError, match="no candidate 2"):
        result.choose(2)


def test_the_speak_tabs_pick_downloads_a_marked_wav_with_its_record():
    from ui.speak import speak, use_candidate

    *_, rows, made = speak(TEXT, VOICE, "sad:0.6", "engine", 10, 0, 0, 1.0, 0, 1.0, 2, False,
                           progress=no_progress)
    other = 1 - made.scoring.kept
    wav, _, _, recipe, files, _, picked_rows, picked = use_candidate(made, other)
    assert [row[0] for row in picked_rows if row[1]] == [other] and recipe["seed"] == other
    audio, rate = sf.read(wav)
    assert detect(audio, rate).watermarked
    assert read_record(wav).record.recipe["seed"] == other and picked.provenance.recipe["seed"] == other
    assert files[0] == wav
    with pytest.raises(gr.Error):
        use_candidate(None, 0)


@pytest.fixture(scope="module")
def animated(studio, tmp_path_factory):
    from synth.render.engines import render

    spoken = render(TEXT, VOICE)     # unmarked speech: the video's mark is this call's
    output = tmp_path_factory.mktemp("animate") / "happy.mp4"
    return studio.animate(None, (spoken.audio.astype(np.float64), spoken.sample_rate), "happy:0.6", output,
                          best_of=2)


def test_a_picked_video_carries_the_marked_speech_and_the_record(studio, animated, tmp_path):
    from train.evaluate_scoring import video_frames

    scoring = animated.animation.scoring
    other = 1 - scoring.kept
    candidate = scoring.candidates[other].result
    assert animated.provenance is not None and read_record(animated.animation.video).record == animated.provenance
    picked = studio.choose_animation(animated, other, tmp_path / "picked.mp4")
    assert picked.animation.video == tmp_path / "picked.mp4" and picked.animation.scoring.kept == other
    assert picked.recipe()["seed"] == candidate.options.seed == other and picked.provenance == animated.provenance
    np.testing.assert_array_equal(np.stack(video_frames(picked.animation.video)),
                                  np.stack(video_frames(candidate.video)))
    found = verify(picked.animation.video)
    assert found.watermarked and found.record.source == "mp4" and found.record.record == animated.provenance
    assert found.to_dict()["payload_matches_record"]
    assert (tmp_path / "picked.mp4.provenance.json").is_file()               # and beside it
    with pytest.raises(ValueError, match="no candidate 5"):
        studio.choose_animation(animated, 5, tmp_path / "none.mp4")


def test_the_animate_tabs_pick_offers_a_video_with_its_record(studio, tmp_path):
    from synth.render.engines import render
    from ui.animate import animate, use_candidate

    spoken = render(TEXT, VOICE)
    recording = tmp_path / "line.wav"
    sf.write(recording, spoken.audio, spoken.sample_rate)
    kept_video, _, recipe, _, rows, made = animate(None, False, 0, str(recording), "", VOICE, "happy:0.6", "256 px", 0,
                                                   studio.default_steps()["mouth"], 2, False, progress=no_progress)
    assert len(rows) == 2 and made.provenance == read_record(kept_video).record
    other = 1 - made.animation.scoring.kept
    video, _, files, picked_rows = use_candidate(made, other)
    assert files == [video] and [row[0] for row in picked_rows if row[1]] == [other]
    found = verify(video)
    assert found.watermarked and found.record.source == "mp4" and found.record.record == made.provenance
    with pytest.raises(gr.Error):
        use_candidate(None, 0)
    with pytest.raises(gr.Error):
        use_candidate(made, 7)
