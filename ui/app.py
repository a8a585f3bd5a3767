"""The web studio: its tabs, and serving it. `python app.py` (or `make studio`) runs `main`."""

from __future__ import annotations

import argparse
import os

import gradio as gr

from ui.animate import build_animate_tab
from ui.explorer import build_explorer_tab
from ui.speak import build_speak_tab

TITLE = "emostudio: emotional speech and face synthesis"
# Ten minutes of 48 kHz stereo WAV is 110 MB and a 50-megapixel PNG can be as large;
# bigger uploads are refused by the server with a message saying the limit.
MAX_UPLOAD = "200mb"


def build_app() -> gr.Blocks:
    # Generated files are copied into Gradio's cache; files a day old are removed every hour.
    with gr.Blocks(title=TITLE, delete_cache=(3600, 86400)) as app:
        gr.Markdown(f"# {TITLE}")
        with gr.Tab("Emotion explorer", id="explorer", elem_id="tab-explorer"):
            build_explorer_tab()
        with gr.Tab("Speak", id="speak", elem_id="tab-speak"):
            build_speak_tab()
        with gr.Tab("Animate", id="animate", elem_id="tab-animate"):
            build_animate_tab()
    return app


def serve(app: gr.Blocks, host: str = "127.0.0.1", port: int = 7860, concurrency: int = 2,
          block: bool = True) -> gr.Blocks:
    """Queues requests (`concurrency` at once) and serves; `block=False` returns at once
    (tests and the screenshot script serve in a background thread)."""
    app.queue(default_concurrency_limit=concurrency)
    app.launch(server_name=host, server_port=port, show_error=True, max_file_size=MAX_UPLOAD,
               prevent_thread_lock=not block, quiet=not block)
    return app


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Serves the emostudio web studio (default http://127.0.0.1:7860).")
    parser.add_argument("--host", default=os.environ.get("EMOSTUDIO_HOST", "127.0.0.1"),
                        help="address to bind (default 127.0.0.1, env EMOSTUDIO_HOST)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("EMOSTUDIO_PORT", "7860")),
                        help="port (default 7860, env EMOSTUDIO_PORT)")
    parser.add_argument("--concurrency", type=int, default=2,
                        help="requests processed at once; the rest wait in the queue")
    args = parser.parse_args(argv)
    # Building resolves each tab's starting emotion, which loads the description models:
    # the first visitor does not wait for them.
    serve(build_app(), args.host, args.port, args.concurrency)


if __name__ == "__main__":
    main()
