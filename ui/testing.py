"""The studio served in a background thread and driven by headless Chromium: shared by the
browser tests (tests/test_browser.py) and scripts/take_screenshots.py.

Playwright cannot download its own browsers here, so it drives Debian's `chromium`
(`/usr/bin/chromium`, or $EMOSTUDIO_CHROMIUM). Playwright is a dev dependency: it is
imported only when a browser is started.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ui.starting import QUEUE_SIZE

CHROMIUM = os.environ.get("EMOSTUDIO_CHROMIUM", "/usr/bin/chromium")
# Headless, and quiet on the network: no sandbox (tests may run as root), no GPU, no QUIC,
# no first-run, background, update or sync traffic.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Gradio renders the app after its config and front-end bundle arrive; on a busy machine
# that takes seconds, and the talking head takes tens of seconds more.
PAGE_TIMEOUT_MS = 60_000
ANIMATE_TIMEOUT_MS = 300_000
SPEAK_TIMEOUT_MS = 120_000


def chromium_missing() -> str | None:
    """Why no browser test can run here, or None when they can."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (Debian package `chromium`; scripts/install_system_packages.sh installs it)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the Python package playwright is missing (pip install -e '.[dev]')"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served_studio(concurrency: int = 2, max_queue: int = QUEUE_SIZE) -> Iterator[str]:
    """The whole studio on a free loopback port, in this process; yields its URL."""
    from ui.app import build_app, serve

    port = free_port()
    app = serve(build_app(), "127.0.0.1", port, concurrency, block=False, max_queue=max_queue)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()


@contextmanager
def headless_chromium():
    """A Playwright `Browser` on Debian's Chromium with a fresh, throw-away profile."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright gives every launch its own temporary --user-data-dir.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_studio(browser, url: str, width: int = 1280, height: int = 900):
    """A page with the studio loaded and its first tab (Speak) rendered."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.goto(url, wait_until="domcontentloaded")
    page.locator("#speak-emotion-summary").wait_for(state="visible")
    return page


def open_tab(page, name: str) -> None:
    """Clicks the top-level or control tab button whose text is `name`; on a narrow screen,
    where Gradio folds the last tabs into a "More tabs" menu, through that menu."""
    tab = page.get_by_role("tab", name=name, exact=True).first
    if tab.count() and tab.is_visible():
        tab.click()
        return
    menu = page.locator(".overflow-menu").filter(has=page.get_by_text(name, exact=True)).first
    menu.get_by_role("button", name="More tabs").click()
    menu.locator(".overflow-dropdown").get_by_text(name, exact=True).click()


def control_tab(page, prefix: str, name: str) -> None:
    """Opens one input tab (`Category`, `Timeline`, ...) of the emotion control `prefix`."""
    page.locator(f"#{prefix}-tabs").get_by_role("tab", name=name, exact=True).click()


def settled_box(page, locator, polls: int = 50) -> dict:
    """The element's bounding box once it is laid out and has stopped moving: a tab's
    content can be measured while it is still zero wide, and a click placed by that
    measure lands in the wrong spot."""
    previous = None
    for _ in range(polls):
        box = locator.bounding_box()
        if box and box["width"] > 0 and box == previous:
            return box
        previous = box
        page.wait_for_timeout(100)
    raise AssertionError(f"{locator} did not settle: last box {previous}")


def click_example(page, prefix: str, text: str) -> None:
    """Clicks the example `text` under the emotion control `prefix`."""
    page.locator(f"#{prefix}-value-examples").get_by_text(text, exact=True).click()


def click_form_example(page, tab: str, label: str) -> None:
    """Clicks the whole-form example labelled `label` on the tab `tab` ("speak", "animate")."""
    page.locator(f"#{tab}-examples").get_by_text(label, exact=True).click()


def animate_speech(page, wav: Path, timeout_ms: int = ANIMATE_TIMEOUT_MS, while_running=None):
    """On the Animate tab: uploads `wav`, clicks Animate and waits for the video; returns
    the video element, or raises with the message the page showed instead. The portrait and
    emotion are whatever the form holds; `while_running()`, when given, is called just after
    the click (to look at the page while the work runs)."""
    open_tab(page, "Animate")
    page.locator("#animate-audio input[type=file]").set_input_files(str(wav))
    # The upload is done when the player replaces the drop zone.
    page.locator('#animate-audio [data-testid^="audio-player"]').wait_for(state="attached")

    def start():
        page.locator("#animate-run").click()
        if while_running is not None:
            while_running()
    return run_and_wait(page, start, page.locator("#animate-video video"), "Animate", timeout_ms)


def convert_speech(page, wav: Path, timeout_ms: int = SPEAK_TIMEOUT_MS):
    """On the Convert tab: uploads `wav`, clicks Convert and waits for the converted speech;
    returns its audio element, or raises with the message the page showed instead."""
    open_tab(page, "Convert")
    page.locator("#convert-input input[type=file]").set_input_files(str(wav))
    page.locator('#convert-input [data-testid^="audio-player"]').wait_for(state="attached")
    return run_and_wait(page, "#convert-run", page.locator("#convert-output audio[src]").first, "Convert",
                        timeout_ms)


def set_best_of(page, prefix: str, n: int, calibrate: bool = False) -> None:
    """On the tab `prefix` ("speak", "animate", "convert"): opens its Best of N accordion and
    sets N (and Calibrate intensity)."""
    from ui.scoring import SCORING_TITLE

    box = page.locator(f"#{prefix}-best-of input[type=number]")
    if not box.is_visible():
        page.locator(f"#{prefix}-scoring").get_by_text(SCORING_TITLE, exact=True).click()
        box.wait_for(state="visible")
    # An accordion that has just opened may render its fields again and drop a value typed into
    # the first rendering (the Convert tab then ran with N = 1): type until it holds.
    for _ in range(10):
        box.fill(str(n))
        box.blur()
        page.wait_for_timeout(100)
        if box.input_value() == str(n):
            break
    page.locator(f"#{prefix}-calibrate input[type=checkbox]").set_checked(calibrate)


def candidates_shown(page, prefix: str) -> list[list[str]]:
    """The texts of the tab `prefix`'s candidates table, row by row."""
    return candidate_row_locator(page, prefix).evaluate_all(
        "rows => rows.map(row => Array.from(row.querySelectorAll('[role=gridcell]'), cell => cell.innerText.trim()))")


def candidate_row_locator(page, prefix: str):
    """The rows of the tab `prefix`'s candidates table (Gradio's grid rows; not its header, nor
    the hidden row it measures columns with)."""
    return page.locator(f"#{prefix}-candidates [role=row][data-index]")


def speak_text(page, text: str, timeout_ms: int = SPEAK_TIMEOUT_MS, shortcut: bool = False):
    """On the Speak tab: types `text`, clicks Speak (or presses Ctrl+Enter in the text, with
    `shortcut`) and waits for the speech; returns the audio element, or raises with the
    message the page showed instead. The voice, emotion and settings are whatever the form holds."""
    open_tab(page, "Speak")
    box = page.locator("#speak-text textarea")
    box.fill(text)
    # The player's waveform view holds the audio element that plays (its source is the
    # fetched file, as a blob); the standard player beside it stays hidden.
    audio = page.locator('#speak-audio [data-testid^="waveform"] audio')
    start = (lambda: box.press("Control+Enter")) if shortcut else page.locator("#speak-run").click
    return run_and_wait(page, start, audio, "Speak", timeout_ms)


def run_and_wait(page, start, result, what: str, timeout_ms: int):
    """Starts the work (`start()`, or a click on the button selector `start`) and waits for
    `result` to appear; whichever comes first, so an error names its problem at once instead
    of a long time-out."""
    start() if callable(start) else page.locator(start).click()
    error = page.locator(".toast-body")
    result.or_(error).first.wait_for(state="attached", timeout=timeout_ms)
    if result.count() == 0:
        raise AssertionError(f"{what} failed: {' '.join(error.first.inner_text().split())}")
    return result


def speech_wav(path: Path, text: str = "hello there, how are you today") -> Path:
    """A short spoken WAV made with flite (Debian package `flite`)."""
    flite = shutil.which("flite")
    if flite is None:
        raise FileNotFoundError("flite is missing (Debian package `flite`)")
    subprocess.run([flite, "-voice", "slt", "-t", text, "-o", str(path)], check=True, capture_output=True)
    return path


# The mixed load a second program sends the studio (tests/test_load.py, bench/bench_load.py):
# 5 speak and 3 animate requests, (text, emotion) each.
LOAD_SPEAK = (("The bus leaves at noon.", "sad:0.9"), ("Please close the window before you go.", "angry:0.8"),
              ("What a lovely surprise.", "happy:0.9"), ("I will call you tomorrow morning.", "calm:0.7"),
              ("Nobody told me the door was open.", "fearful:0.8"))
LOAD_ANIMATE = (("Good evening, everyone.", "surprised:0.9"), ("We lost the match again.", "sad:0.8"),
                ("That is simply not acceptable.", "angry:0.9"))


def request_speech(url: str, text: str, emotion: str):
    """The studio's /speak through gradio_client: joe, the engine decoder, default settings."""
    from gradio_client import Client

    return Client(url, verbose=False).predict(text, "joe", emotion, "engine", 10, 0, 0, 1.0, 0, 1.0, 1, False,
                                              api_name="/speak")


def request_animation(url: str, text: str, emotion: str):
    """The studio's /animate through gradio_client: the default portrait speaking `text`, 256 px."""
    from gradio_client import Client, handle_file

    from synth.face.portrait import default_portrait_path

    return Client(url, verbose=False).predict(handle_file(str(default_portrait_path())), False, 0, None, text, "joe",
                                              emotion, "256 px", 0, 8, 1, False, api_name="/animate")
