"""RAVDESS: ``Actor_01/03-01-05-02-01-01-01.wav``, seven two-digit fields per name (see the
package docstring)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from .common import CorpusItem, SkippedFile, any_audio_named, audio_files, check_folder, corpus_emotion, peek, skip

RAVDESS_EMOTIONS: dict[str, str] = {
    "01": "neutral", "02": "calm", "03": "happy", "04": "sad",
    "05": "angry", "06": "fearful", "07": "disgust", "08": "surprised",
}
RAVDESS_INTENSITIES: dict[str, tuple[str, float]] = {"01": ("normal", 0.5), "02": ("strong", 0.9)}
RAVDESS_STATEMENTS: dict[str, str] = {
    "01": "Kids are talking by the door.",
    "02": "Dogs are sitting by the door.",
}
_RAVDESS_RE = re.compile(r"^(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})$")
_RAVDESS_ACTOR_DIR_RE = re.compile(r"^Actor_\d+$", re.IGNORECASE)


def read_ravdess(root: str | os.PathLike, *, skipped: list[SkippedFile] | None = None,
                 include_song: bool = False) -> Iterator[CorpusItem]:
    """RAVDESS recordings below ``root`` (the folder holding ``Actor_XX`` folders)."""
    return _ravdess_items(check_folder(root), skipped, include_song)


def _ravdess_items(root: Path, skipped, include_song: bool) -> Iterator[CorpusItem]:
    for path in audio_files(root):
        match = _RAVDESS_RE.match(path.stem)
        if not match:
            skip(skipped, path, "not a RAVDESS name (expected 7 two-digit fields like "
                                 "03-01-05-02-01-01-12)")
            continue
        modality, channel, emotion, intensity, statement, _repetition, actor = match.groups()
        problem = None
        if modality not in ("01", "02", "03"):
            problem = f"unknown modality {modality}"
        elif channel not in ("01", "02"):
            problem = f"unknown vocal channel {channel}"
        elif emotion not in RAVDESS_EMOTIONS:
            problem = f"unknown emotion code {emotion}"
        elif intensity not in RAVDESS_INTENSITIES:
            problem = f"unknown intensity code {intensity}"
        elif statement not in RAVDESS_STATEMENTS:
            problem = f"unknown statement code {statement}"
        elif int(actor) == 0:
            problem = "actor 00"
        if problem:
            skip(skipped, path, f"RAVDESS name with {problem}")
            continue
        if channel == "02" and not include_song:
            skip(skipped, path, "sung, not spoken (vocal channel 02); include_song=True reads it")
            continue
        word = RAVDESS_EMOTIONS[emotion]
        level, value = RAVDESS_INTENSITIES[intensity]
        yield CorpusItem(
            audio_path=path,
            text=RAVDESS_STATEMENTS[statement],
            speaker=f"ravdess_{actor}",
            emotion=corpus_emotion(word, value),
            source="ravdess",
            original_label=f"{word}/{level}",
            gender="male" if int(actor) % 2 else "female",
        )


def looks_ravdess(root: Path) -> bool:
    return (any(p.is_dir() and _RAVDESS_ACTOR_DIR_RE.match(p.name) for p in peek(root))
            or any_audio_named(root, _RAVDESS_RE))
