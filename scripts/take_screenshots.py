"""Writes docs/screenshots/<tab>.png: each tab of the web studio in use, as headless
Chromium shows it (the README shows them).

Run from the repository root: `.venv/bin/python scripts/take_screenshots.py` (or
`make screenshots`). Needs Debian's `chromium` and the dev extra (playwright). The Animate
screenshot shows a finished animation when the talking-head checkpoints exist, else the
tab's message naming what to train.
"""

from __future__ import annotations

import argparse
import io
import tempfile
from pathlib import Path

from PIL import Image

from conditioning.checkpoints import checkpoint_path
from synth.tts.synthesizer import CHECKPOINT_NAMES
from ui.animate import missing_models_notice
from ui.testing import (animate_speech, chromium_missing, click_example, headless_chromium, open_studio,
                        open_tab, served_studio, speak_text, speech_wav)

WIDTH = 1280
# Downscaled and reduced to a 256-colour palette: UI pictures stay sharp at a fraction of the bytes.
SAVED_WIDTH = 1000


def save_small(png: bytes, path: Path) -> None:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    height = round(image.height * SAVED_WIDTH / image.width)
    image = image.resize((SAVED_WIDTH, height), Image.LANCZOS).quantize(256, method=Image.Quantize.MEDIANCUT)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, optimize=True)
    print(f"wrote {path} ({SAVED_WIDTH}x{height}, {path.stat().st_size / 1024:.0f} KB)")


def explorer(page, out: Path) -> None:
    """The explorer with a timeline example picked: the table, its path on the plane."""
    open_tab(page, "Emotion explorer")
    click_example(page, "explorer-emotion", "0s calm; 1.5s fearful:0.6; 3s furious | smooth")
    page.locator("#explorer-heading").get_by_text("calm").first.wait_for()
    page.wait_for_timeout(1500)   # the plot image is swapped in after the text
    save_small(page.screenshot(full_page=True), out / "explorer.png")


def speak(page, out: Path) -> None:
    """The Speak tab after speaking a sentence with a timeline emotion."""
    if not checkpoint_path(CHECKPOINT_NAMES["flow"]).exists():
        print(f"skipping the Speak screenshot: checkpoints/{CHECKPOINT_NAMES['flow']} is not trained yet")
        return
    open_tab(page, "Speak")
    click_example(page, "speak-emotion", "0s calm; 1.5s fearful:0.6; 3s angry:0.9 | smooth")
    speak_text(page, "I can't believe we finally made it here after all this time.")
    page.locator("#speak-history img").first.wait_for()
    page.wait_for_timeout(1500)   # the plots are swapped in after the audio
    save_small(page.screenshot(full_page=True), out / "speak.png")


def animate(page, out: Path) -> None:
    """The Animate tab after animating the default portrait with a short flite sentence."""
    if missing_models_notice():
        open_tab(page, "Animate")
        print("talking-head checkpoints missing: the Animate screenshot shows the message instead")
    else:
        open_tab(page, "Animate")
        click_example(page, "animate-emotion", "0s calm; 1.5s surprised:0.9; 3s sad:0.6 | smooth")
        with tempfile.TemporaryDirectory() as scratch:
            animate_speech(page, speech_wav(Path(scratch) / "speech.wav", "Hello there. I did not expect "
                                                                          "to see you here today."))
        page.locator("#animate-history img").first.wait_for()
        page.wait_for_timeout(1500)
    save_small(page.screenshot(full_page=True), out / "animate.png")


TABS = {"explorer": explorer, "speak": speak, "animate": animate}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--tabs", nargs="+", choices=sorted(TABS), default=list(TABS),
                        help="which tabs to take (default: all)")
    args = parser.parse_args(argv)
    problem = chromium_missing()
    if problem:
        raise SystemExit(f"cannot take screenshots: {problem}")
    with served_studio() as url, headless_chromium() as browser:
        page = open_studio(browser, url, width=WIDTH)
        for tab in args.tabs:
            TABS[tab](page, args.out)


if __name__ == "__main__":
    main()
