"""The Dub tab's handlers: the cue list, errors naming the line, one cue heard alone, the timeline."""

from __future__ import annotations

import gradio as gr
import pytest

from ui.dub import _example_text, cue_rows, preview_cue
from ui.dub_plot import dub_timeline_plot


def test_the_example_script_lists_its_cues():
    update, summary = cue_rows(_example_text(), None, "auto", "")
    rows = update["value"]
    assert len(rows) == 5 and {row[4] for row in rows} == {"slt", "awb"}
    assert summary.startswith("5 cues")


def test_a_pasted_script_with_a_mistake_names_the_line():
    pasted = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Mara>Hello.\n\n00:00:01.500 --> 00:00:03.000\nAgain.\n"
    with pytest.raises(gr.Error, match="line 6: .*overlaps"):
        cue_rows(pasted, None, "auto", "")
    with pytest.raises(gr.Error, match="not a TOML voice map"):
        cue_rows(pasted.replace("00:00:01.500", "00:00:02.500"), None, "auto", "[voices]\nMara = slt")


def test_one_cue_is_heard_fitted_to_its_slot_and_drawn_on_the_timeline():
    audio, note = preview_cue(_example_text(), None, "auto", "", 1, "joe", False, 16000)
    assert audio.endswith(".wav") and "slot 2.30 s, spoken 2.30 s" in note
    lines = [{"cue": 1, "slot": [0.5, 2.8], "speech_s": [0.6, 2.7], "voice": "slt", "category": "happy", "flag": None},
             {"cue": 2, "slot": [3.1, 6.3], "speech_s": [3.2, 6.3], "voice": "awb", "resolved": {
                 "categories": {"sad": 0.8, "calm": 0.2}}, "flag": "too_fast"}]
    figure = dub_timeline_plot(lines)
    labels = [text.get_text() for text in figure.axes[0].texts]
    assert labels == ["1 happy", "2 sad ⚠"]
