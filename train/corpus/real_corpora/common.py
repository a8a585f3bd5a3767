"""What every real-corpus reader shares: the item it yields, the skip record, the layout
error, and the file-walking and text-reading helpers."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path

from conditioning import EmotionTarget, parse_emotion

logger = logging.getLogger(__name__)

AUDIO_SUFFIXES: frozenset[str] = frozenset({".wav", ".flac"})
UNSPECIFIED_INTENSITY = 0.6


class CorpusLayoutError(ValueError):
    """A corpus folder is missing or matches none of the supported layouts."""


@dataclass(frozen=True)
class CorpusItem:
    audio_path: Path
    text: str | None
    speaker: str
    emotion: EmotionTarget
    source: str
    original_label: str
    gender: str | None = None  # "female" / "male" where the corpus documents it


@dataclass(frozen=True)
class SkippedFile:
    path: Path
    reason: str


@lru_cache(maxsize=None)
def corpus_emotion(word: str, intensity: float) -> EmotionTarget:
    """A target from an emotion word of the shared vocabulary; neutral has no intensity."""
    if word == "neutral":
        return parse_emotion("neutral")
    return parse_emotion(f"{word}:{intensity:g}")


def skip(skipped: list[SkippedFile] | None, path: Path, reason: str) -> None:
    logger.warning("skipping %s: %s", path, reason)
    if skipped is not None:
        skipped.append(SkippedFile(Path(path), reason))


def check_folder(root: str | os.PathLike) -> Path:
    if root is None or str(root) == "":
        raise CorpusLayoutError("no corpus folder given")
    path = Path(root).expanduser()
    if not path.exists():
        raise CorpusLayoutError(f"corpus folder {str(path)!r} does not exist")
    if not path.is_dir():
        raise CorpusLayoutError(f"corpus path {str(path)!r} is a file, not a folder")
    return path


def is_audio(path: Path) -> bool:
    return path.suffix.lower() in AUDIO_SUFFIXES and not path.name.startswith(".")


def audio_files(folder: Path) -> list[Path]:
    """Every audio file below ``folder``, sorted, hidden folders left out."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(Path(dirpath) / name for name in filenames if is_audio(Path(name)))
    return sorted(found)


def subdirs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def read_text_file(path: Path) -> str:
    """Text files of released corpora are not all UTF-8; try the likely encodings."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def as_sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text[-1:] in ".?!" else text + "."


PEEK = 64  # directory entries looked at per folder while detecting


def peek(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as entries:
            return [Path(entry.path) for entry in islice(
                (e for e in entries if not e.name.startswith(".")), PEEK)]
    except OSError:
        return []


def any_audio_named(folder: Path, pattern: re.Pattern) -> bool:
    return any(is_audio(p) and p.is_file() and pattern.match(p.stem) for p in peek(folder))
