"""The studio's Voices tab (issue 30, consent): voices are added from the web page only when the
server was started with --allow-voice-adding (a direct API request is refused too), only with a
consent statement, which the stored voice records; bad input names the problem and leaves
nothing in the voices folder; the speaking tabs' pickers are offered the new voice."""

from __future__ import annotations

import json

import gradio as gr
import numpy as np
import pytest
import soundfile as sf
from gradio_client import Client, handle_file

from tests import test_voice_store
from tests.test_voice_store import BASE, CONSENT, _write
from ui.starting import parse_studio_args
from ui.voices import add_from_studio, remove_from_studio, stored_rows

# The voice store's clips (kal16 saying three sentences, rendered once for the module).
clip_files = test_voice_store.clip_files


@pytest.fixture(autouse=True)
def voices_folder(tmp_path, monkeypatch):
    folder = tmp_path / "voices"
    monkeypatch.setenv("EMOSTUDIO_VOICES", str(folder))
    return folder


def _refused(call, problem: str) -> None:
    """``call`` raises gr.Error, whose message (what the page shows) names ``problem``."""
    with pytest.raises(gr.Error) as caught:
        call()
    assert problem in caught.value.message, caught.value.message


def _stored(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_refused_without_the_option_and_nothing_stored(clip_files, voices_folder):
    _refused(lambda: add_from_studio(False, "ana", [str(p) for p in clip_files], CONSENT, BASE),
             "started without --allow-voice-adding")
    _refused(lambda: remove_from_studio(False, "ana"), "started without --allow-voice-adding")
    assert _stored(voices_folder) == []


def test_consent_is_required(clip_files, voices_folder):
    for statement in ("", "   ", None, "yes"):
        _refused(lambda: add_from_studio(True, "ana", [str(p) for p in clip_files], statement, BASE),
                 "only with the speaker's consent")
    assert _stored(voices_folder) == []


def test_bad_input_names_the_problem_and_leaves_nothing(clip_files, voices_folder, tmp_path):
    clips = [str(p) for p in clip_files]
    silent = _write(tmp_path, "silence.wav", np.random.default_rng(0).normal(size=32000) * 1e-4)
    short = _write(tmp_path, "short.wav", sf.read(clip_files[0])[0][:4000])
    cases = [("9lives", clips, "must start with a letter"), ("joe", clips, "built-in voice"),
             ("ana", [], "at least one clip"), ("ana", clips * 4, "at most 10 clips"),
             ("ana", [clips[0], str(silent)], "silence.wav is silent"),
             ("ana", [str(short)], "short.wav is too short")]
    for name, given, problem in cases:
        _refused(lambda: add_from_studio(True, name, given, CONSENT, BASE), problem)
    assert _stored(voices_folder) == []
    _refused(lambda: remove_from_studio(True, "ana"), "no stored voice 'ana'")
    _refused(lambda: remove_from_studio(True, None), "Pick the stored voice")


def test_adds_a_voice_with_its_consent_and_offers_it_to_the_pickers(clip_files, voices_folder):
    from ui.voice_picker import voice_names

    voice = add_from_studio(True, " ana ", [str(p) for p in clip_files], CONSENT, BASE)
    assert voice.name == "ana" and voice.base_voice == BASE
    assert _stored(voices_folder) == ["ana.json"]
    data = json.loads((voices_folder / "ana.json").read_text())
    assert data["consent"]["statement"] == CONSENT and data["consent"]["recorded_at"][:4].isdigit()
    assert [c["file"] for c in data["clips"]] == [p.name for p in clip_files]
    assert "ana" in voice_names() and stored_rows()[0][0] == "ana" and stored_rows()[0][-1] == CONSENT

    _refused(lambda: add_from_studio(True, "ana", [str(p) for p in clip_files], CONSENT, BASE), "stored already")
    assert _stored(voices_folder) == ["ana.json"]
    remove_from_studio(True, "ana")
    assert _stored(voices_folder) == [] and "ana" not in voice_names()


def test_the_option_is_off_unless_given():
    assert parse_studio_args([]).allow_voice_adding is False
    assert parse_studio_args(["--allow-voice-adding"]).allow_voice_adding is True


def _component(app, elem_id):
    return next(block for block in app.blocks.values() if getattr(block, "elem_id", None) == elem_id)


def test_with_the_option_the_page_adds_a_voice_and_offers_it_to_the_pickers(clip_files, voices_folder):
    from ui.app import build_app, serve
    from ui.testing import free_port

    app = build_app(allow_voice_adding=True)
    assert _component(app, "voices-run").interactive is True
    assert "is **on**" in _component(app, "voices-adding-state").value
    assert "only with the consent" in _component(app, "voices-consent").value
    port = free_port()
    serve(app, "127.0.0.1", port, block=False)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        with pytest.raises(Exception, match="consent"):
            client.predict("ana", [handle_file(str(p)) for p in clip_files], "", BASE, api_name="/add_voice")
        assert _stored(voices_folder) == []
        status, table, chosen, *rest = client.predict("ana", [handle_file(str(p)) for p in clip_files], CONSENT,
                                                      BASE, api_name="/add_voice")
        assert "Stored voice **ana**" in status and table["data"][0][0] == "ana"
        assert json.loads((voices_folder / "ana.json").read_text())["consent"]["statement"] == CONSENT
        pickers = rest[3:]
        assert len(pickers) == 3 and all("ana" in [value for _, value in p["choices"]] for p in pickers), pickers
        status, table, *_ = client.predict("ana", "joe", "joe", "joe", api_name="/remove_voice")
        assert "Removed" in status and table["data"] == [] and _stored(voices_folder) == []
    finally:
        app.close()


def test_without_the_option_the_page_says_so_and_a_direct_request_is_refused(clip_files, voices_folder):
    from ui.app import build_app, serve
    from ui.testing import free_port

    app = build_app()
    assert _component(app, "voices-run").interactive is False
    notice = _component(app, "voices-adding-state").value
    assert "Adding voices from this web page is off" in notice and "--allow-voice-adding" in notice
    port = free_port()
    serve(app, "127.0.0.1", port, block=False)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        with pytest.raises(Exception, match="allow-voice-adding"):
            client.predict("ana", [handle_file(str(p)) for p in clip_files], CONSENT, BASE, api_name="/add_voice")
    finally:
        app.close()
    assert _stored(voices_folder) == []
