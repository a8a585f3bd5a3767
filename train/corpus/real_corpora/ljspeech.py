"""LJSpeech-style corpora: ``metadata.csv`` (``id|text|normalized_text``) with ``wavs/<id>.wav``,
one speaker and one emotion named by the caller."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from conditioning import EmotionTarget, parse_emotion

from .common import CorpusItem, CorpusLayoutError, SkippedFile, audio_files, check_folder, read_text_file, skip


def read_ljspeech(root: str | os.PathLike, *, speaker: str = "ljspeech",
                  emotion: object = "neutral",
                  skipped: list[SkippedFile] | None = None) -> Iterator[CorpusItem]:
    """``metadata.csv`` (``id|text|normalized_text``) + ``wavs/<id>.wav``, one speaker.

    The normalised text is used where the line has one; ``emotion`` is anything
    ``parse_emotion`` reads (a timeline is refused: a corpus label is one emotion).
    """
    folder = check_folder(root)
    if not (folder / "metadata.csv").is_file():
        raise CorpusLayoutError(f"{str(folder)!r} has no metadata.csv (LJSpeech layout: "
                                "metadata.csv with id|text|normalized_text lines and wavs/ID.wav)")
    if not isinstance(speaker, str) or not speaker.strip():
        raise ValueError("speaker must be a non-empty name")
    target = parse_emotion(emotion)
    if not isinstance(target, EmotionTarget):
        raise ValueError("a corpus emotion must be one emotion, not a timeline")
    label = emotion if isinstance(emotion, str) else str(target)
    return _ljspeech_items(folder, speaker.strip(), target, label, skipped)


def _ljspeech_items(root: Path, speaker: str, target: EmotionTarget, label: str,
                    skipped) -> Iterator[CorpusItem]:
    metadata = root / "metadata.csv"
    wavs = root / "wavs"
    listed: set[str] = set()
    for number, line in enumerate(read_text_file(metadata).splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("|")
        utterance = fields[0].strip()
        texts = [field.strip() for field in fields[1:3] if field.strip()]
        if not utterance or not texts:
            skip(skipped, metadata, f"line {number}: expected id|text|normalized_text")
            continue
        listed.add(utterance)
        audio = wavs / f"{utterance}.wav"
        if not audio.is_file():
            skip(skipped, audio, f"listed on line {number} of metadata.csv but missing")
            continue
        yield CorpusItem(
            audio_path=audio,
            text=texts[-1],
            speaker=speaker,
            emotion=target,
            source="ljspeech",
            original_label=label,
        )
    if wavs.is_dir():
        for path in audio_files(wavs):
            if path.stem not in listed:
                skip(skipped, path, "not listed in metadata.csv")


def looks_ljspeech(root: Path) -> bool:
    return (root / "metadata.csv").is_file()
