"""The dubbing scripts' readers (SRT, WebVTT, CSV, JSONL) and the cue emotions they carry:
any text gives a script whose cues hold, or a DubScriptError naming where (the CLI's exit 2);
nothing else escapes. Inputs are near-valid scripts with pieces broken, and arbitrary text."""

import json
import math

import pytest
from hypothesis import example, given, strategies as st

from synth.dub import DubScriptError, parse_script
from synth.dub.emotions import resolve_emotion

from .budget import budget
from .inputs import static_emotion_texts

FORMATS = ("srt", "vtt", "csv", "jsonl")
WORDS = st.sampled_from(["Hello.", "Well, hello.", "Goodbye!", "", " ", "[voice=slt] Hi.", "[emotion=sad:0.4] No.",
                         "[voice=awb; emotion=0s calm; 1s angry] Yes.", "[mood=sad] Eh.", "[]", "[voice=] x",
                         "<v Ann>Right.</v>", "a" * 600, "\"quoted, text\"", "line\nbreak"])
texts = st.one_of(WORDS, st.text(max_size=30))


def _clock(seconds: float, comma: bool) -> str:
    seconds = max(seconds, 0.0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{int(hours):02d}:{int(minutes):02d}:{secs:06.3f}"
    return text.replace(".", ",") if comma else text


times = st.one_of(st.floats(-5, 20000, allow_nan=False), st.sampled_from([0.0, 1.5, 3599.999, 1e9]))
broken_times = st.sampled_from(["00:00:0x,000", "1:2", "-00:00:01,000", "99:99:99,999", "", "abc", "nan", "inf"])


@st.composite
def cue_parts(draw):
    start = draw(times)
    end = draw(st.one_of(times, st.just(start + draw(st.floats(0.01, 5)))))
    return start, end, draw(texts), draw(st.one_of(st.none(), static_emotion_texts)), draw(
        st.one_of(st.none(), st.sampled_from(["slt", "awb", "nobody", ""])))


@st.composite
def scripts(draw) -> tuple[str, str]:
    format = draw(st.sampled_from(FORMATS))
    cues = draw(st.lists(cue_parts(), max_size=4))
    broken = draw(st.integers(0, 5)) == 0
    if format in ("srt", "vtt"):
        blocks = []
        for index, (start, end, text, _, _) in enumerate(cues, 1):
            first = draw(broken_times) if broken else _clock(start, format == "srt")
            arrow = draw(st.sampled_from([" --> ", "->", " --> "]))
            blocks.append(f"{index}\n{first}{arrow}{_clock(end, format == 'srt')}\n{text}\n")
        body = "\n".join(blocks)
        return format, ("WEBVTT\n\n" + body if format == "vtt" and draw(st.booleans()) else body)
    if format == "csv":
        header = draw(st.sampled_from(["start,end,text,emotion,voice", "start,end,text", "begin,end,words", ""]))
        rows = [f"{start if not broken else draw(broken_times)},{end},\"{text}\",{emotion or ''},{voice or ''}"
                for start, end, text, emotion, voice in cues]
        return format, "\n".join([header, *rows])
    lines = []
    for start, end, text, emotion, voice in cues:
        record = {"start": start, "end": end, "text": text}
        if emotion is not None:
            record["emotion"] = emotion
        if voice is not None:
            record["voice"] = voice
        if broken:
            record[draw(st.sampled_from(["start", "end", "text", "extra"]))] = draw(
                st.one_of(st.none(), st.text(max_size=5), st.lists(st.integers(), max_size=2), st.booleans()))
        lines.append(json.dumps(record))
    if draw(st.integers(0, 6)) == 0:
        lines.append(draw(st.sampled_from(["{", "[1]", "null", "[" * 3000, "\"x\""])))
    return format, "\n".join(lines)


def _check(format: str, text: str) -> None:
    try:
        script = parse_script(text, format, source="fuzz.script")
    except DubScriptError as error:
        assert "fuzz.script" in str(error)        # the error names the script (and line, where one is at fault)
        return
    assert script.cues
    previous_end = -math.inf
    for cue in script.cues:
        assert 0.0 <= cue.start <= cue.end and math.isfinite(cue.end)
        assert cue.text.strip()
        assert cue.start >= previous_end - 1e-9  # cues do not overlap
        previous_end = cue.end
        try:
            resolve_emotion(cue, script)
        except DubScriptError as error:
            assert "fuzz.script" in str(error)


@budget(fast=100)
@given(script=scripts())
@example(script=("jsonl", "[" * 5000))
@example(script=("srt", "1\n00:00:01,000 --> 00:00:02,000\n[emotion=0s happy, 1s sad] Hi.\n"))
def test_near_valid_scripts_give_cues_or_a_named_error(script):
    _check(*script)


@budget(fast=50)
@given(format=st.sampled_from(FORMATS), text=st.text(max_size=200))
@example(format="csv", text="\r0")                           # a bare carriage return in the header
@example(format="csv", text="start,end,text\r0,1,Hi.\r")     # old Mac line ends
def test_any_text_gives_cues_or_a_named_error(format, text):
    _check(format, text)


def test_an_unknown_format_is_refused():
    with pytest.raises(DubScriptError, match="must be .srt"):
        parse_script("x", "txt", source="fuzz.script")
