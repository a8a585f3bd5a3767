"""EmoV-DB: ``bea/amused/amused_1-15_0001.wav``, ``bea/amused_1-15_0001.wav`` or flat
``bea_amused_1-15_0001.wav``; the text from ``cmuarctic.data`` when present."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from .common import (UNSPECIFIED_INTENSITY, CorpusItem, SkippedFile, any_audio_named, as_sentence, audio_files,
                     check_folder, corpus_emotion, peek, read_text_file, skip)

EMOV_DB_EMOTIONS: dict[str, str] = {
    "neutral": "neutral", "amused": "amused", "amusement": "amused", "angry": "angry",
    "anger": "angry", "sleepy": "sleepy", "sleepiness": "sleepy", "disgust": "disgust",
    "disgusted": "disgust",
}
EMOV_DB_GENDERS: dict[str, str] = {"bea": "female", "jenie": "female", "josh": "male", "sam": "male"}
_EMOV_RE = re.compile(
    r"^(?:(?P<speaker>[A-Za-z]+)_)?(?P<emotion>[A-Za-z]+)_(?P<range>\d+-\d+)_(?P<number>\d{4})$"
)
_ARCTIC_LINE_RE = re.compile(r'^\(\s*(\S+)\s+"(.*)"\s*\)\s*$')


def read_emov_db(root: str | os.PathLike, *,
                 skipped: list[SkippedFile] | None = None) -> Iterator[CorpusItem]:
    """EmoV-DB recordings below ``root`` (speaker folders, or flat speaker-prefixed files)."""
    return _emov_items(check_folder(root), skipped)


def _arctic_prompts(root: Path) -> dict[int, str]:
    """Prompt number (1-based position in cmuarctic.data, arctic_a0001 = 1) -> text."""
    table = root / "cmuarctic.data"
    if not table.is_file():
        return {}
    prompts: dict[int, str] = {}
    for line in read_text_file(table).splitlines():
        match = _ARCTIC_LINE_RE.match(line.strip())
        if match:
            prompts[len(prompts) + 1] = match.group(2).strip()
    return prompts


def _emov_speaker(path: Path, root: Path) -> str | None:
    """The speaker from the folders between root and the file (``bea``, ``bea_Amused``)."""
    for part in path.relative_to(root).parts[:-1]:
        name = part.split("_", 1)[0].lower()
        if name and name not in EMOV_DB_EMOTIONS:
            return name
    # Pointed at one speaker's folder: only a known speaker's name is trusted.
    return root.name.lower() if root.name.lower() in EMOV_DB_GENDERS else None


def _emov_items(root: Path, skipped) -> Iterator[CorpusItem]:
    prompts = _arctic_prompts(root)
    for path in audio_files(root):
        match = _EMOV_RE.match(path.stem)
        if not match:
            skip(skipped, path, "not an EmoV-DB name (expected EMOTION_RANGE_NNNN like "
                                 "amused_1-15_0001, optionally SPEAKER_ first)")
            continue
        label = match["emotion"]
        word = EMOV_DB_EMOTIONS.get(label.lower())
        if word is None:
            skip(skipped, path, f"unknown EmoV-DB emotion {label!r}")
            continue
        speaker = (match["speaker"] or "").lower() or _emov_speaker(path, root)
        if not speaker:
            skip(skipped, path, "no speaker: put the file in a speaker folder (bea/, jenie/, "
                                 "josh/, sam/) or name it SPEAKER_EMOTION_RANGE_NNNN")
            continue
        text = prompts.get(int(match["number"]))
        yield CorpusItem(
            audio_path=path,
            text=as_sentence(text) if text else None,
            speaker=f"emovdb_{speaker}",
            emotion=corpus_emotion(word, UNSPECIFIED_INTENSITY),
            source="emov-db",
            original_label=label,
            gender=EMOV_DB_GENDERS.get(speaker),
        )


def looks_emov_db(root: Path) -> bool:
    if any_audio_named(root, _EMOV_RE):
        return True
    for child in peek(root):
        if not child.is_dir():
            continue
        if any_audio_named(child, _EMOV_RE):
            return True
        if any(g.is_dir() and any_audio_named(g, _EMOV_RE) for g in peek(child)):
            return True
    return False
