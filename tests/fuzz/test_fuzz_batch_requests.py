"""The JSONL batch-request reader and the speak request checks every batch request passes
before anything runs: any file gives requests, each naming its line, or a ValueError (the
CLI's exit 2); nothing else escapes."""

import json

import pytest
from hypothesis import example, given, strategies as st

from synth.cli.common import read_requests, without_line
from synth.cli.speak import speak_settings
from synth.settings import SPEAK_FIELDS

from .budget import budget
from .inputs import static_emotion_texts

field_names = st.one_of(st.sampled_from(sorted(SPEAK_FIELDS)), st.sampled_from(["txt", "emotoin", "_line", ""]))
field_values = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                         st.text(max_size=30), static_emotion_texts, st.lists(st.integers(), max_size=3),
                         st.sampled_from(["Hello there.", "flow", "engine", "dpm", "none", "-23", "slt"]))
requests = st.dictionaries(field_names, field_values, max_size=6)


@st.composite
def request_files(draw) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.integers(0, 5))
        if kind <= 2:
            try:
                lines.append(json.dumps(draw(requests)))
            except ValueError:
                lines.append("{}")
        elif kind == 3:
            lines.append(draw(st.text(max_size=40)))
        elif kind == 4:
            lines.append(draw(st.sampled_from(["", "   ", "[1, 2]", '"text"', "{", "[" * 5000, "1" * 5000, "null"])))
        else:
            lines.append(json.dumps({"text": draw(st.text(max_size=20)), "emotion": draw(static_emotion_texts)}))
    data = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        data = draw(st.binary(max_size=60)) + data
    return data


@pytest.fixture(scope="module")
def request_path(tmp_path_factory):
    return tmp_path_factory.mktemp("batch") / "requests.jsonl"


@budget(fast=100)
@given(data=request_files())
@example(data=b"[" * 5000)  # deeper than json's recursion limit
@example(data=b'{"text": "hi", "emotion": "0s happy, 1s sad"}')
def test_batch_request_files(request_path, data):
    request_path.write_bytes(data)
    try:
        read = read_requests(str(request_path), "text")
    except ValueError as error:
        assert str(request_path) in str(error)  # the error names the file
        return
    assert read and all(isinstance(r, dict) and "text" in r and r["_line"] >= 1 for r in read)
    for request in read:
        try:
            settings = speak_settings(without_line(request))
        except ValueError:
            continue
        assert isinstance(settings["text"], str)
