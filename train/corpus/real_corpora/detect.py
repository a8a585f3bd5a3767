"""Which corpus layout a folder holds, and reading whatever it holds."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from .common import CorpusItem, CorpusLayoutError, SkippedFile, check_folder, is_audio, peek, subdirs
from .crema_d import looks_crema_d, read_crema_d
from .emov_db import looks_emov_db, read_emov_db
from .esd import looks_esd, read_esd
from .ljspeech import looks_ljspeech, read_ljspeech
from .ravdess import looks_ravdess, read_ravdess

LAYOUT_EXAMPLES: dict[str, str] = {
    "ravdess": "RAVDESS: Actor_01/03-01-05-02-01-01-01.wav",
    "crema-d": "CREMA-D: AudioWAV/1001_DFA_ANG_XX.wav",
    "esd": "ESD: 0011/Angry/0011_000351.wav with 0011/0011.txt",
    "emov-db": "EmoV-DB: bea/amused/amused_1-15_0001.wav or bea_amused_1-15_0001.wav",
    "ljspeech": "LJSpeech-style: metadata.csv (id|text|normalized_text) with wavs/ID.wav",
}

_DETECTORS: tuple[tuple[str, Callable[[Path], bool]], ...] = (
    ("ljspeech", looks_ljspeech),
    ("ravdess", looks_ravdess),
    ("crema-d", looks_crema_d),
    ("esd", looks_esd),
    ("emov-db", looks_emov_db),
)


def _expected() -> str:
    return "; ".join(LAYOUT_EXAMPLES.values())


def _resolve(root: str | os.PathLike) -> tuple[str, Path]:
    """(layout, folder to read): descends through up to two lone wrapper folders."""
    folder = check_folder(root)
    candidate = folder
    for _ in range(3):
        matches = [name for name, looks in _DETECTORS if looks(candidate)]
        if len(matches) > 1:
            raise CorpusLayoutError(
                f"{str(candidate)!r} matches several corpus layouts ({', '.join(matches)}); "
                "point at the folder of one corpus")
        if matches:
            return matches[0], candidate
        children = subdirs(candidate)
        files = [p for p in peek(candidate) if p.is_file()]
        if len(children) != 1 or any(is_audio(p) for p in files):
            break
        candidate = children[0]
    raise CorpusLayoutError(
        f"{str(folder)!r} is not a corpus folder this reader knows; expected one of: "
        f"{_expected()}")


def detect_corpus(root: str | os.PathLike) -> str:
    """The layout of the corpus at ``root``: one of ``LAYOUT_EXAMPLES``' keys."""
    return _resolve(root)[0]


def read_corpus(root: str | os.PathLike, *, speaker: str | None = None,
                skipped: list[SkippedFile] | None = None,
                include_song: bool = False) -> Iterator[CorpusItem]:
    """Detect the layout of ``root`` and read it (errors at call time, not first use).

    ``speaker`` names the speaker of an LJSpeech-style corpus (default: the folder name);
    ``include_song`` reads RAVDESS song files too.
    """
    layout, folder = _resolve(root)
    if layout == "ljspeech":
        return read_ljspeech(folder, speaker=speaker or folder.name or "ljspeech",
                             skipped=skipped)
    if layout == "ravdess":
        return read_ravdess(folder, skipped=skipped, include_song=include_song)
    return READERS[layout](folder, skipped=skipped)


READERS: dict[str, Callable[..., Iterator[CorpusItem]]] = {
    "ravdess": read_ravdess,
    "crema-d": read_crema_d,
    "esd": read_esd,
    "emov-db": read_emov_db,
    "ljspeech": read_ljspeech,
}
