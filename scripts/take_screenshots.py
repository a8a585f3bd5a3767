"""Writes docs/screenshots/: the web studio in use, as headless Chromium shows it (the README
shows them). For each tab, `<tab>.png` is the first screen at 1280x800 (what a creator sees
before scrolling, the tab's main button included) and `<tab>_phone.png` the first screen on a
390x844 phone; `speak_full.png` is the whole Speak page at 1280 px wide.

Run from the repository root: `.venv/bin/python scripts/take_screenshots.py` (or
`make screenshots`). Needs Debian's `chromium` and the dev extra (playwright). It runs the
models (speech and, when the talking-head checkpoints exist, an animation): run it alone.
Without the talking-head checkpoints the Animate screenshots show the tab's message naming
what to train.
"""

from __future__ import annotations

import argparse
import io
import time
from pathlib import Path

from PIL import Image

from ui.animate import missing_models_notice
from ui.speak import EXAMPLES as SPEAK_EXAMPLES
from ui.testing import (ANIMATE_TIMEOUT_MS, chromium_missing, click_example, click_form_example, headless_chromium,
                        open_studio, open_tab, run_and_wait, served_studio, speak_text)

DESKTOP = (1280, 800)
PHONE = (390, 844)
# Full pages are downscaled to this width; every picture is reduced to a 256-colour palette:
# UI pictures stay sharp at a fraction of the bytes.
FULL_PAGE_WIDTH = 1000
SPEAK_EXAMPLE = "A timeline: calm, then fearful, then angry"
ANIMATE_EXAMPLE = "A timeline: calm, surprised, then sad"


def save_small(png: bytes, path: Path, width: int | None = None) -> None:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if width and image.width > width:
        image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
    image = image.quantize(256, method=Image.Quantize.MEDIANCUT)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, optimize=True)
    print(f"wrote {path} ({image.width}x{image.height}, {path.stat().st_size / 1024:.0f} KB)")


def first_screen(page, path: Path) -> None:
    page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_timeout(300)
    save_small(page.screenshot(full_page=False), path)


def explorer(page, out: Path, suffix: str) -> None:
    """The explorer with a timeline example picked: the table, its path on the plane."""
    open_tab(page, "Emotion explorer")
    click_example(page, "explorer-emotion", "0s calm; 1.5s fearful:0.6; 3s furious | smooth")
    page.locator("#explorer-heading").get_by_text("calm").first.wait_for()
    page.wait_for_timeout(1500)   # the plot image is swapped in after the text
    first_screen(page, out / f"explorer{suffix}.png")


def speak(page, out: Path, suffix: str) -> None:
    """The Speak tab after speaking the timeline example (filled by its example button)."""
    open_tab(page, "Speak")
    click_form_example(page, "speak", SPEAK_EXAMPLE)
    text = next(sample_text for label, sample_text, *_ in SPEAK_EXAMPLES if label == SPEAK_EXAMPLE)
    page.locator("#speak-emotion-summary").get_by_text("timeline").first.wait_for()
    speak_text(page, text)
    page.locator("#speak-history img").first.wait_for()
    page.wait_for_timeout(1500)   # the plots are swapped in after the audio
    first_screen(page, out / f"speak{suffix}.png")
    if not suffix:
        save_small(page.screenshot(full_page=True), out / "speak_full.png", FULL_PAGE_WIDTH)


def animate(page, out: Path, suffix: str) -> None:
    """The Animate tab after animating the default portrait with the timeline example (its
    text spoken by the TTS)."""
    open_tab(page, "Animate")
    if missing_models_notice():
        print("talking-head checkpoints missing: the Animate screenshot shows the message instead")
    else:
        click_form_example(page, "animate", ANIMATE_EXAMPLE)
        page.locator("#animate-emotion-summary").get_by_text("timeline").first.wait_for()
        run_and_wait(page, "#animate-run", page.locator("#animate-video video"), "Animate", ANIMATE_TIMEOUT_MS)
        page.locator("#animate-history img").first.wait_for()
        page.wait_for_timeout(1500)
    first_screen(page, out / f"animate{suffix}.png")


TABS = {"speak": speak, "animate": animate, "explorer": explorer}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--tabs", nargs="+", choices=sorted(TABS), default=list(TABS),
                        help="which tabs to take (default: all)")
    parser.add_argument("--no-phone", action="store_true", help="only the 1280x800 screenshots")
    args = parser.parse_args(argv)
    problem = chromium_missing()
    if problem:
        raise SystemExit(f"cannot take screenshots: {problem}")
    started = time.monotonic()
    viewports = [(DESKTOP, "")] + ([] if args.no_phone else [(PHONE, "_phone")])
    with served_studio() as url, headless_chromium() as browser:
        for (width, height), suffix in viewports:
            page = open_studio(browser, url, width=width, height=height)
            for tab in args.tabs:
                TABS[tab](page, args.out, suffix)
            page.close()
    print(f"took {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
