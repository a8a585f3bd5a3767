"""Starting the studio: its address answers at once with a page that says the studio is
loading (and reloads itself), while Gradio and the models load; the studio then takes the
address over. Only the standard library is imported here, so the page is up in a fraction
of a second."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

STARTING_PAGE = b"""<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="1">
<title>emostudio is starting</title></head><body style="font-family:sans-serif;margin:3em">
<h1>emostudio is starting&hellip;</h1><p>The studio is loading its models; this page reloads by itself
and opens the studio when it is ready (a few seconds).</p></body></html>"""


# Each waiting request holds its inputs (uploads up to the size limit) in memory: a bounded queue
# keeps a crowd from growing the studio without limit.
QUEUE_SIZE = 16


def parse_studio_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serves the emostudio web studio (default http://127.0.0.1:7860).")
    parser.add_argument("--host", default=os.environ.get("EMOSTUDIO_HOST", "127.0.0.1"),
                        help="address to bind (default 127.0.0.1, env EMOSTUDIO_HOST)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("EMOSTUDIO_PORT", "7860")),
                        help="port (default 7860, env EMOSTUDIO_PORT)")
    parser.add_argument("--concurrency", type=int, default=2,
                        help="requests processed at once; the rest wait in the queue")
    parser.add_argument("--max-queue", type=int, default=QUEUE_SIZE,
                        help=f"requests that may wait; one more is refused, 'queue is full' (default {QUEUE_SIZE})")
    parser.add_argument("--allow-voice-adding", action="store_true",
                        help="let the web page add and remove stored voices (each with its speaker's consent); "
                             "off by default, so nobody who reaches the address can")
    args = parser.parse_args(argv)
    for name in ("concurrency", "max_queue"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1; got {getattr(args, name)}")
    return args


class _StartingHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the http.server interface)
        self.send_response(503)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Retry-After", "1")
        self.send_header("Content-Length", str(len(STARTING_PAGE)))
        self.end_headers()
        self.wfile.write(STARTING_PAGE)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def starting_page(host: str, port: int) -> Iterator[None]:
    """Serves the starting page on (host, port) for the duration of the block."""
    server = ThreadingHTTPServer((host, port), _StartingHandler)
    thread = threading.Thread(target=server.serve_forever, name="starting-page", daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def _exit_on_sigterm() -> None:
    """SIGTERM (a service manager, `kill`) exits like Ctrl+C does, so the atexit clean-up of
    the studio's temporary files runs."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


def main(argv=None) -> None:
    # A studio that works offline sends nothing out: Gradio's analytics off before it is imported.
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    _exit_on_sigterm()
    args = parse_studio_args(argv)
    print(f"emostudio: starting on http://{args.host}:{args.port}", flush=True)
    if args.allow_voice_adding:
        print("emostudio: adding voices from the web page is on (--allow-voice-adding)", flush=True)
    with starting_page(args.host, args.port):
        from ui.app import build_app  # Gradio and the models: seconds

        app = build_app(allow_voice_adding=args.allow_voice_adding)
    from ui.app import serve

    serve(app, args.host, args.port, args.concurrency, max_queue=args.max_queue)
