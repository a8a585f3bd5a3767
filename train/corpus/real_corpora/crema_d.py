"""CREMA-D: ``AudioWAV/1001_DFA_ANG_XX.wav`` (actor, sentence, emotion, level), with the actors'
sex from ``VideoDemographics.csv`` when present."""

from __future__ import annotations

import csv
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

from .common import (UNSPECIFIED_INTENSITY, CorpusItem, SkippedFile, any_audio_named, audio_files, check_folder,
                     corpus_emotion, read_text_file, skip)

logger = logging.getLogger(__name__)

CREMA_D_SENTENCES: dict[str, str] = {
    "IEO": "It's eleven o'clock.",
    "TIE": "That is exactly what happened.",
    "IOM": "I'm on my way to the meeting.",
    "IWW": "I wonder what this is about.",
    "TAI": "The airplane is almost full.",
    "MTI": "Maybe tomorrow it will be cold.",
    "IWL": "I would like a new alarm clock.",
    "ITH": "I think I have a doctor's appointment.",
    "DFA": "Don't forget a jacket.",
    "ITS": "I think I've seen this before.",
    "TSI": "The surface is slick.",
    "WSI": "We'll stop in a couple of minutes.",
}
CREMA_D_EMOTIONS: dict[str, str] = {
    "ANG": "angry", "DIS": "disgust", "FEA": "fear", "HAP": "happy", "NEU": "neutral", "SAD": "sad",
}
CREMA_D_LEVELS: dict[str, float] = {"LO": 0.3, "MD": 0.6, "HI": 0.9, "XX": UNSPECIFIED_INTENSITY}
_CREMA_RE = re.compile(r"^(\d{4})_([A-Za-z]{3})_([A-Za-z]{3})_([A-Za-z]{2})$")


def read_crema_d(root: str | os.PathLike, *,
                 skipped: list[SkippedFile] | None = None) -> Iterator[CorpusItem]:
    """CREMA-D recordings: ``root`` holds ``AudioWAV/`` (or is that folder itself)."""
    return _crema_items(check_folder(root), skipped)


def _crema_demographics(root: Path) -> dict[str, str]:
    for folder in (root, root.parent):
        table = folder / "VideoDemographics.csv"
        if table.is_file():
            try:
                rows = csv.DictReader(read_text_file(table).splitlines())
                return {row["ActorID"].strip(): row["Sex"].strip().lower()
                        for row in rows if row.get("ActorID") and row.get("Sex")}
            except (KeyError, csv.Error, OSError) as error:
                logger.warning("ignoring %s: %s", table, error)
    return {}


def _crema_items(root: Path, skipped) -> Iterator[CorpusItem]:
    audio_root = root / "AudioWAV" if (root / "AudioWAV").is_dir() else root
    sexes = _crema_demographics(root)
    for path in audio_files(audio_root):
        match = _CREMA_RE.match(path.stem)
        if not match:
            skip(skipped, path, "not a CREMA-D name (expected ACTOR_SENTENCE_EMOTION_LEVEL "
                                 "like 1001_DFA_ANG_XX)")
            continue
        actor, sentence, emotion, level = (g.upper() for g in match.groups())
        if sentence not in CREMA_D_SENTENCES:
            skip(skipped, path, f"unknown CREMA-D sentence code {sentence}")
            continue
        if emotion not in CREMA_D_EMOTIONS:
            skip(skipped, path, f"unknown CREMA-D emotion code {emotion}")
            continue
        if level not in CREMA_D_LEVELS:
            skip(skipped, path, f"unknown CREMA-D level {level}")
            continue
        yield CorpusItem(
            audio_path=path,
            text=CREMA_D_SENTENCES[sentence],
            speaker=f"cremad_{actor}",
            emotion=corpus_emotion(CREMA_D_EMOTIONS[emotion], CREMA_D_LEVELS[level]),
            source="crema-d",
            original_label=f"{emotion}_{level}",
            gender=sexes.get(actor),
        )


def looks_crema_d(root: Path) -> bool:
    return (root / "AudioWAV").is_dir() or any_audio_named(root, _CREMA_RE)
