"""File names for generated outputs, made from what was asked (the text and the emotion), so a
folder of downloads or CLI outputs reads like a list of takes rather than `speech.wav` ×10."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

MAX_STEM_CHARS = 60


def slug(text: str, max_chars: int = MAX_STEM_CHARS) -> str:
    """Lower-case ASCII words joined by '-', cut at a word boundary; 'untitled' when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+(?:\.[0-9]+)?", ascii_text.lower())
    stem = ""
    for word in words:
        candidate = f"{stem}-{word}" if stem else word
        if len(candidate) > max_chars:
            break
        stem = candidate
    return stem or (words[0][:max_chars] if words else "untitled")


def output_stem(text: str, emotion: object) -> str:
    """'hello-there_happy-0.8' for ("Hello there!", "happy:0.8")."""
    emotion_part = slug(emotion if isinstance(emotion, str) else "custom-emotion", max_chars=30)
    return f"{slug(text, max_chars=40)}_{emotion_part}"


def unused_path(path: Path) -> Path:
    """`path`, or `stem-2.ext`, `stem-3.ext`, ... : the first that does not exist."""
    if not path.exists():
        return path
    number = 2
    while (candidate := path.with_name(f"{path.stem}-{number}{path.suffix}")).exists():
        number += 1
    return candidate
