"""How long a creator waits: `emostudio --help` and the light commands until they exit, and
the studio until its address answers (the starting page) and until the studio itself is
ready (Gradio's /config). Medians of several cold runs, each a fresh process."""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPEATS = 5
CLI_COMMANDS = (["--help"], ["--version"], ["emotion", "happy:0.8"], ["text", "It costs $5."], ["voice", "list"],
                ["emotion", "0s calm; 2s angry:0.8"])
STUDIO_TIMEOUT_S = 300


def _cli_seconds(arguments: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "synth.cli", *arguments], check=True, capture_output=True)
    return time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def _studio_seconds() -> tuple[float, float]:
    """(seconds until the address answers, seconds until the studio's /config answers 200)."""
    port = _free_port()
    app = Path(__file__).resolve().parents[1] / "app.py"
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(app), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    answered = ready = None
    try:
        while time.perf_counter() - started < STUDIO_TIMEOUT_S and ready is None:
            status = _status(f"http://127.0.0.1:{port}/")
            now = time.perf_counter() - started
            if status is not None and answered is None:
                answered = now
            if status == 200 and _status(f"http://127.0.0.1:{port}/config") == 200:
                ready = now
            time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(timeout=30)
    if answered is None or ready is None:
        raise RuntimeError("the studio did not start")
    return answered, ready


def main(repeats: int = REPEATS) -> dict:
    results = {}
    for arguments in CLI_COMMANDS:
        seconds = statistics.median(_cli_seconds(arguments) for _ in range(repeats))
        results["emostudio " + " ".join(arguments)] = seconds
        print(f"emostudio {' '.join(arguments):32s} {seconds:6.2f} s (median of {repeats})")
    studio = [_studio_seconds() for _ in range(max(1, repeats // 2))]
    answered = statistics.median(a for a, _ in studio)
    ready = statistics.median(r for _, r in studio)
    print(f"studio: address answers after {answered:.2f} s, ready after {ready:.2f} s "
          f"(median of {len(studio)})")
    results.update({"studio_answers_s": answered, "studio_ready_s": ready})
    return results


if __name__ == "__main__":
    main()
