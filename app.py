"""The web studio: `python app.py` (or `make studio`) serves it on http://127.0.0.1:7860."""

from __future__ import annotations

import argparse
import os

import gradio as gr

from conditioning import parse_emotion
from ui.animate import build_animate_tab
from ui.explorer import build_explorer_tab

TITLE = "emostudio: emotional speech and face synthesis"


def build_app() -> gr.Blocks:
    with gr.Blocks(title=TITLE) as app:
        gr.Markdown(f"# {TITLE}")
        with gr.Tab("Emotion explorer"):
            build_explorer_tab(app)
        with gr.Tab("Animate"):
            build_animate_tab()
    return app


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("EMOSTUDIO_HOST", "127.0.0.1"),
                        help="address to bind (default 127.0.0.1, env EMOSTUDIO_HOST)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("EMOSTUDIO_PORT", "7860")),
                        help="port (default 7860, env EMOSTUDIO_PORT)")
    parser.add_argument("--concurrency", type=int, default=2,
                        help="requests processed at once; the rest wait in the queue")
    args = parser.parse_args(argv)
    # Load the description models before serving, so the first visitor does not wait.
    parse_emotion("a calm voice")
    app = build_app()
    app.queue(default_concurrency_limit=args.concurrency)
    app.launch(server_name=args.host, server_port=args.port, show_error=True)


if __name__ == "__main__":
    main()
