"""The web studio: its tabs, and serving it. `python app.py` (or `make studio`) runs `main`."""

from __future__ import annotations

import gradio as gr

from synth.provenance import AI_NOTICE
from ui.animate import build_animate_tab
from ui.dub import build_dub_tab
from ui.explorer import build_explorer_tab
from ui.shortcuts import SHORTCUTS_JS
from ui.convert import build_convert_tab
from ui.speak import build_speak_tab
from ui.starting import QUEUE_SIZE
from ui.voices import build_voices_tab

TITLE = "emostudio: emotional speech and face synthesis"
# Ten minutes of 48 kHz stereo WAV is 110 MB and a 50-megapixel PNG can be as large;
# bigger uploads are refused by the server with a message saying the limit.
MAX_UPLOAD = "200mb"
# A compact title and notes, so each tab's main button shows without scrolling at 1280x800.
STUDIO_CSS = """
#studio-title h1 { font-size: 1.5rem !important; margin: 0 !important; }
@media (max-width: 640px) { #studio-title h1 { font-size: 1.15rem !important; } }
.tab-intro p, .voice-about p { margin: 0; font-size: 0.9rem; color: var(--body-text-color-subdued); }
"""


def build_app(allow_voice_adding: bool = False) -> gr.Blocks:
    """The studio; its Voices tab adds voices only when ``allow_voice_adding`` (--allow-voice-adding)."""
    # Generated files are copied into Gradio's cache; files a day old are removed every hour.
    with gr.Blocks(title=TITLE, delete_cache=(3600, 86400), analytics_enabled=False) as app:
        gr.Markdown(f"# {TITLE}", elem_id="studio-title")
        # What people come to do first (the page opens on Speak), the explorer last. Each tab's
        # panel is `tab-<name>` and its main button `<name>-run`: Ctrl+Enter presses it.
        with gr.Tab("Speak", id="speak", elem_id="tab-speak"):
            build_speak_tab()
        with gr.Tab("Animate", id="animate", elem_id="tab-animate"):
            build_animate_tab()
        with gr.Tab("Convert", id="convert", elem_id="tab-convert"):
            build_convert_tab()
        with gr.Tab("Dub", id="dub", elem_id="tab-dub"):
            build_dub_tab()
        with gr.Tab("Voices", id="voices", elem_id="tab-voices"):
            build_voices_tab(app, allow_voice_adding)
        with gr.Tab("Emotion explorer", id="explorer", elem_id="tab-explorer"):
            build_explorer_tab()
        # Below the tabs, so every tab's main button stays above the fold; each result says it too.
        gr.Markdown(f"{AI_NOTICE}. Every file it makes carries an inaudible watermark and a provenance record "
                    "(`emostudio verify FILE`).", elem_id="ai-notice", elem_classes="tab-intro")
    return app


def serve(app: gr.Blocks, host: str = "127.0.0.1", port: int = 7860, concurrency: int = 2,
          block: bool = True, max_queue: int = QUEUE_SIZE) -> gr.Blocks:
    """Queues requests (`concurrency` at once, at most `max_queue` waiting: Gradio refuses one
    more with "Queue is full") and serves; `block=False` returns at once (tests and the
    screenshot script serve in a background thread)."""
    app.queue(default_concurrency_limit=concurrency, max_size=max_queue)
    app.launch(server_name=host, server_port=port, show_error=True, max_file_size=MAX_UPLOAD,
               prevent_thread_lock=not block, quiet=not block, css=STUDIO_CSS, js=SHORTCUTS_JS)
    return app


def main(argv=None) -> None:
    from ui.starting import main as start_studio

    start_studio(argv)


if __name__ == "__main__":
    main()
