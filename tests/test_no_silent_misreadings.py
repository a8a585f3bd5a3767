"""No silent misreadings (issue 31): text meant as a timeline is read strictly, and a
description without any emotion or voice word comes back with a warning and its reading."""

import pytest

from conditioning.errors import EmotionInputError, TimelineInputError
from conditioning.parse import parse_emotion, parse_emotion_with_warnings
from conditioning.timeline import EmotionTimeline


@pytest.mark.parametrize("text,problem,understood", [
    ("0s happy, 1s sad", "separated by ';', not ','", 0),
    ("0s happy; 1s sad | wobbly", "unknown interpolation 'wobbly'", 2),
    ("| wobbly", "no keyframes", 0),
    ("-1s happy; 1s sad", "negative time", 0),
    ("0s calm; -2s sad", "negative time", 1),
    ("0 happy; 1 sad", "no time unit", 0),
    ("0s happy; 2sec sad", "'sec' is not a unit", 1),
    ("0s happy; 1s angyr", "unknown emotion word 'angyr'", 1),
    ("0s happy; 1s very hapy", "unknown emotion word 'hapy'", 1),
    ("0s happy | smooth; 1s sad", "must come last", 1),
    ("0s happy; 2s", "no emotion", 1),
    ("0s happy; sad", "does not start with a time", 1),
    ("0s happy; 0s sad", "share the time 0s", 2),
    ("0s happy | smooth | step", "several '|'", 0),
])
def test_a_broken_timeline_is_an_error_naming_the_problem_and_what_was_understood(text, problem, understood):
    with pytest.raises(TimelineInputError) as raised:
        parse_emotion(text)
    message = str(raised.value)
    assert problem in message
    assert len(raised.value.understood) == understood
    assert "understood so far: " + ("nothing" if understood == 0 else "0s") in message


def test_the_errors_suggest_the_fix():
    with pytest.raises(EmotionInputError, match=r"write '0s happy; 1s sad'"):
        parse_emotion("0s happy, 1s sad")
    with pytest.raises(EmotionInputError, match=r"linear, smooth, step; did you mean 'smooth'"):
        parse_emotion("0s happy; 1s sad | smoth")
    with pytest.raises(EmotionInputError, match=r"write '1s sad' \(seconds\) or '1ms sad'"):
        parse_emotion("0s happy; 1 sad")
    with pytest.raises(EmotionInputError, match=r"did you mean 'angry'"):
        parse_emotion("0s happy; 1s angyr")


@pytest.mark.parametrize("text,times,interpolation", [
    ("0s happy; 2s sad:0.8", (0.0, 2.0), "linear"),
    ("0s calm; 1.5s angry:0.8 | smooth", (0.0, 1.5), "smooth"),
    ("0s happy ; 2s sad | SMOOTH", (0.0, 2.0), "smooth"),
    ("0.5s calm;", (0.5,), "linear"),
    ("1s happy; 0s sad", (0.0, 1.0), "linear"),
    ("0 s happy; 500ms sad | step", (0.0, 0.5), "step"),
    ("0s 0.7 happy + 0.3 sad; 1s v=0.5 a=0.2; 2s a quietly furious voice", (0.0, 1.0, 2.0), "linear"),
    (".5s happy", (0.5,), "linear"),
])
def test_valid_timelines_still_parse(text, times, interpolation):
    timeline = parse_emotion(text)
    assert isinstance(timeline, EmotionTimeline)
    assert tuple(k.time for k in timeline.keyframes) == times
    assert timeline.interpolation == interpolation


@pytest.mark.parametrize("text", ["0.7 happy + 0.3 sad", "0.5; 0.2; 0.1", "[0.5, 0.2]", "2 sad", "angry:0.4"])
def test_forms_that_start_with_numbers_are_not_mistaken_for_timelines(text):
    assert not isinstance(parse_emotion(text), EmotionTimeline)


def test_gibberish_comes_back_with_a_warning_and_the_reading():
    parsed = parse_emotion_with_warnings("purple monkey dishwasher")
    assert len(parsed.warnings) == 1
    warning = parsed.warnings[0]
    assert "no emotion or voice word" in warning
    assert f"read it as {parsed.source.category} at intensity {parsed.source.intensity:.2f}" in warning
    assert parse_emotion("purple monkey dishwasher") == parsed.source


def test_a_misspelt_description_gets_a_suggestion_in_its_warning():
    (warning,) = parse_emotion_with_warnings("a very hapy voice").warnings
    assert "did you mean 'happy' for 'hapy'" in warning


@pytest.mark.parametrize("text", ["a slightly nervous whisper", "speaking loudly and fast", "angry", "0.6, 0.4",
                                  "0s happy; 2s sad"])
def test_readable_inputs_have_no_warnings(text):
    assert parse_emotion_with_warnings(text).warnings == ()


def test_a_timeline_keyframe_without_emotion_words_carries_its_warning():
    parsed = parse_emotion_with_warnings("0s calm; 2s purple monkey")
    assert isinstance(parsed.source, EmotionTimeline)
    assert len(parsed.warnings) == 1 and "'purple monkey'" in parsed.warnings[0]


def test_the_emotion_command_prints_every_keyframe(capsys):
    from synth.cli import main

    assert main(["emotion", "0s happy; 1.5s sad:0.8; 3s calm | smooth"]) == 0
    out = capsys.readouterr().out
    assert "3 keyframes, smooth interpolation" in out
    lines = out.splitlines()
    for time, category in (("0s", "happy"), ("1.5s", "sad"), ("3s", "calm")):
        assert any(line.startswith(f"{time}: ") and category in line for line in lines), (time, out)


def test_the_emotion_command_prints_warnings_to_stderr_and_errors_with_exit_2(capsys):
    import json

    from synth.cli import main

    assert main(["emotion", "purple monkey dishwasher", "--json"]) == 0
    captured = capsys.readouterr()
    assert "emostudio: warning: 'purple monkey dishwasher' holds no emotion" in captured.err
    assert json.loads(captured.out)["warnings"]  # stdout stays JSON
    assert main(["emotion", "0s happy, 1s sad"]) == 2
    assert "separated by ';'" in capsys.readouterr().err
