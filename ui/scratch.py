"""Folders for the files the studio's handlers hand to the browser (speech, videos, recipes,
thumbnails). Gradio serves copies from its own cache, but the originals would otherwise pile
up in the system's temp folder for as long as the machine runs: they live under one root,
folders older than Gradio's own cache lifetime are removed whenever a new one is made, and
the ones a server made are removed when it exits."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import time
from pathlib import Path

# As long as Gradio keeps its copy (ui/app.py: delete_cache), so the session's history lasts
# exactly as long in both places.
MAX_AGE_S = 86400.0

_made_here: set[Path] = set()


def scratch_root() -> Path:
    return Path(tempfile.gettempdir()) / "emostudio-ui"


def new_run_folder(prefix: str) -> Path:
    """A fresh, empty folder for one run's files; stale folders of earlier runs go first."""
    root = scratch_root()
    root.mkdir(parents=True, exist_ok=True)
    remove_stale(root, MAX_AGE_S, time.time())
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=root))
    _made_here.add(folder)
    return folder


def remove_stale(root: Path, max_age_s: float, now: float) -> list[Path]:
    """Removes the folders under ``root`` last changed more than ``max_age_s`` before ``now``."""
    removed = []
    for folder in root.iterdir():
        try:
            stale = folder.is_dir() and now - folder.stat().st_mtime > max_age_s
        except FileNotFoundError:   # another server removed it a moment ago
            continue
        if stale:
            shutil.rmtree(folder, ignore_errors=True)
            _made_here.discard(folder)
            removed.append(folder)
    return removed


def discard(folder: Path) -> None:
    """Removes a run's folder at once (a failed or cancelled run leaves nothing behind)."""
    shutil.rmtree(folder, ignore_errors=True)
    _made_here.discard(folder)


@atexit.register
def _remove_made_here() -> None:
    for folder in list(_made_here):
        discard(folder)
