"""The web studio starts, binds to loopback, and its explorer resolves emotions."""

import socket
import urllib.request

import pytest
from gradio_client import Client

from app import build_app
from ui.explorer import explain


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def served_app():
    app = build_app()
    app.queue(default_concurrency_limit=2)
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    app.close()


def test_explain_every_output_for_a_timeline():
    view = explain("0s calm; 2s angry:0.8")
    assert view["summary"]["timeline"]["keyframes"][1]["time"] == 2.0
    assert "<emotionml" in view["emotionml"]


def test_page_serves_on_loopback(served_app):
    with urllib.request.urlopen(served_app, timeout=30) as response:
        assert response.status == 200
        assert "emostudio" in response.read().decode()


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
