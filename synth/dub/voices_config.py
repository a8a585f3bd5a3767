"""Speakers to voices: a small TOML file maps the names a script uses (WebVTT `<v Anna>`,
a CSV `voice` column, a `[voice=Anna]` tag) to the studio's voices.

    [voices]
    Anna = "slt"
    Ben = "joe"
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

from .script import DubScript, DubScriptError


def read_voice_map(path: str | Path) -> dict[str, str]:
    path = Path(path)
    if not path.is_file():
        raise DubScriptError(f"no voice map at {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DubScriptError(f"{path} is not UTF-8 text") from None
    return parse_voice_map(text, str(path))


def parse_voice_map(text: str, path: str = "the voice map") -> dict[str, str]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DubScriptError(f"{path} is not a TOML voice map: {error}") from None
    unknown = sorted(set(document) - {"voices"})
    if unknown or not isinstance(document.get("voices"), dict):
        raise DubScriptError(f"{path}: a voice map has one table, [voices], of speaker = \"voice\" lines"
                             + (f"; unknown {', '.join(unknown)}" if unknown else ""))
    mapping = document["voices"]
    bad = [name for name, voice in mapping.items() if not isinstance(voice, str) or not voice.strip()]
    if bad:
        raise DubScriptError(f"{path}: the voice of {', '.join(map(repr, bad))} must be a voice name in quotes")
    return {name: voice.strip() for name, voice in mapping.items()}


def apply_voice_map(script: DubScript, mapping: dict[str, str]) -> DubScript:
    """Each cue's speaker name replaced by its mapped voice (names not in the map stay, and
    must then be voices themselves)."""
    return replace(script, cues=tuple(replace(cue, voice=mapping.get(cue.voice, cue.voice)) for cue in script.cues))
