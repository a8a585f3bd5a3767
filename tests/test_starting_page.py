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



def test_sigterm_removes_the_studios_temporary_files(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    program = ("import time\nfrom ui.scratch import new_run_folder\nfrom ui.starting import _exit_on_sigterm\n"
               "_exit_on_sigterm()\nprint(new_run_folder('speak'), flush=True)\ntime.sleep(60)\n")
    studio = subprocess.Popen([sys.executable, "-c", program], env={**os.environ, "TMPDIR": str(tmp_path)},
                              stdout=subprocess.PIPE, text=True)
    folder = studio.stdout.readline().strip()
    assert os.path.isdir(folder)
    studio.send_signal(signal.SIGTERM)
    assert studio.wait(timeout=30) == 0
    assert not os.path.exists(folder)
