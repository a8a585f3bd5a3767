"""ESD: ``0011/Angry/0011_000351.wav`` with per-speaker transcripts ``0011/0011.txt``."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from .common import (UNSPECIFIED_INTENSITY, CorpusItem, SkippedFile, as_sentence, audio_files, check_folder,
                     corpus_emotion, peek, read_text_file, skip, subdirs)

ESD_EMOTIONS: dict[str, str] = {
    "neutral": "neutral", "angry": "angry", "happy": "happy", "sad": "sad", "surprise": "surprise",
}
# From the corpus README: 0001-0010 Mandarin, 0011-0020 English.
ESD_GENDERS: dict[str, str] = {
    **{s: "female" for s in ("0001", "0002", "0003", "0007", "0009",
                             "0015", "0016", "0017", "0018", "0019")},
    **{s: "male" for s in ("0004", "0005", "0006", "0008", "0010",
                           "0011", "0012", "0013", "0014", "0020")},
}
_ESD_SPEAKER_RE = re.compile(r"^\d{4}$")


def read_esd(root: str | os.PathLike, *,
             skipped: list[SkippedFile] | None = None) -> Iterator[CorpusItem]:
    """ESD recordings: ``root`` holds the speaker folders ``0011`` ... ``0020``."""
    return _esd_items(check_folder(root), skipped)


def _esd_transcript(speaker_dir: Path) -> dict[str, str]:
    table = speaker_dir / f"{speaker_dir.name}.txt"
    if not table.is_file():
        return {}
    texts = {}
    for line in read_text_file(table).splitlines():
        fields = [field.strip() for field in line.split("\t")]
        if len(fields) < 2 or not fields[0] or not fields[1]:
            continue
        texts[fields[0]] = fields[1]
    return texts


def _esd_items(root: Path, skipped) -> Iterator[CorpusItem]:
    for speaker_dir in subdirs(root):
        if not _ESD_SPEAKER_RE.match(speaker_dir.name):
            continue
        speaker = speaker_dir.name
        texts = _esd_transcript(speaker_dir)
        file_re = re.compile(rf"^{speaker}_\d{{6}}$")
        for path in audio_files(speaker_dir):
            parts = path.relative_to(speaker_dir).parts
            if len(parts) < 2:
                skip(skipped, path, "ESD audio must sit in an emotion folder (Angry, Happy, "
                                     "Neutral, Sad, Surprise)")
                continue
            emotion_folder = parts[0]
            word = ESD_EMOTIONS.get(emotion_folder.lower())
            if word is None:
                skip(skipped, path, f"unknown ESD emotion folder {emotion_folder!r}")
                continue
            if not file_re.match(path.stem):
                skip(skipped, path, f"not an ESD name (expected {speaker}_NNNNNN)")
                continue
            text = texts.get(path.stem)
            yield CorpusItem(
                audio_path=path,
                text=as_sentence(text) if text else None,
                speaker=f"esd_{speaker}",
                emotion=corpus_emotion(word, UNSPECIFIED_INTENSITY),
                source="esd",
                original_label=emotion_folder,
                gender=ESD_GENDERS.get(speaker),
            )


def looks_esd(root: Path) -> bool:
    for speaker in peek(root):
        if speaker.is_dir() and _ESD_SPEAKER_RE.match(speaker.name):
            if any(p.is_dir() and p.name.lower() in ESD_EMOTIONS for p in peek(speaker)):
                return True
    return False
