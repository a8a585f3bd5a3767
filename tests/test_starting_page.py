"""The studio's address answers at once while it loads: a page saying so, which reloads itself."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

from ui.starting import parse_studio_args, starting_page


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_starting_page_says_the_studio_is_loading_and_frees_the_address():
    port = _free_port()
    with starting_page("127.0.0.1", port):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
            raise AssertionError("the starting page must not look like the ready studio")
        except urllib.error.HTTPError as error:
            assert error.code == 503 and error.headers["Retry-After"] == "1"
            assert b"emostudio is starting" in error.read()
    with socket.socket() as again:   # the studio can take the address over, as Gradio binds it
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))


def test_the_studio_binds_to_the_local_machine_unless_told():
    assert parse_studio_args([]).host == "127.0.0.1"
    assert parse_studio_args(["--host", "0.0.0.0", "--port", "9000"]).port == 9000
