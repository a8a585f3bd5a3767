"""The web studio starts, binds to loopback, and its explorer resolves emotions."""

import urllib.request

import pytest
from gradio_client import Client

from ui.explorer import explain
from ui.testing import served_studio


@pytest.fixture(scope="module")
def served_app():
    with served_studio() as url:
        yield url


def test_explain_every_output_for_a_timeline():
    view = explain("0s calm; 2s angry:0.8")
    assert view["summary"]["timeline"]["keyframes"][1]["time"] == 2.0
    assert "<emotionml" in view["emotionml"]


def test_page_serves_on_loopback(served_app):
    with urllib.request.urlopen(served_app, timeout=30) as response:
        assert response.status == 200
        assert "emostudio" in response.read().decode()
    with urllib.request.urlopen(served_app.rstrip("/") + "/config", timeout=30) as response:
        assert '"analytics_enabled":false' in response.read().decode().replace(" ", "")   # offline: nothing sent


def test_explorer_resolves_through_the_api(served_app):
    client = Client(served_app, verbose=False)
    heading, _plot, categories, intensity, emotionml, details = client.predict(
        "angry:0.4", api_name="/resolve_emotion")
    assert "angry" in heading
    assert categories["label"] == "angry"
    assert intensity == pytest.approx(0.4)
    assert "emotionml" in emotionml
    assert details["target"]["intensity"] == pytest.approx(0.4)


def test_explorer_reports_bad_input_as_an_error(served_app):
    client = Client(served_app, verbose=False)
    with pytest.raises(Exception) as caught:
        client.predict("angyr", api_name="/resolve_emotion")
    assert "angry" in str(caught.value)


def test_missing_models_are_named_with_the_command_that_makes_them(monkeypatch, tmp_path):
    from ui.animate import missing_models_notice
    monkeypatch.setenv("EMOSTUDIO_CHECKPOINTS", str(tmp_path))
    notice = missing_models_notice()
    assert "python -m train.train_fer" in notice and "python -m train.train_mouth" in notice
    for name in ("face_expression.pt", "mouth_motion.pt"):
        (tmp_path / name).write_bytes(b"")
    assert missing_models_notice() == ""


def test_cancel_stops_a_running_animation_at_its_next_progress_report():
    from ui.animate import _CANCELLED, AnimationCancelled, _reporter
    shown = []
    report = _reporter(lambda share, desc: shown.append(desc), "session-1")
    report(0.1, "rendering frame 1/50")
    _CANCELLED.add("session-1")
    try:
        with pytest.raises(AnimationCancelled):
            report(0.5, "rendering frame 26/50")
    finally:
        _CANCELLED.discard("session-1")
    assert shown == ["rendering frame 1/50"]
