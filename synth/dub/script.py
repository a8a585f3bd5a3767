"""A dubbing script: timed cues, each with its text, emotion and voice, and the line of the
file it came from, so every later error can name that line.

The readers (subtitles.py for SRT/WebVTT, tables.py for CSV/JSONL) all return a `DubScript`;
`read_script` picks one by the file's suffix. Inline tags at a cue's start set its emotion
and voice in any format:

    [angry:0.7] I told you twice.
    [voice=slt; emotion=a tired sigh] Fine. Whatever.
    [emotion=0s calm; 1.2s angry:0.8] Calm at first, then not.
    [emotion=tired.emotionml] An EmotionML document next to the script.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

MAX_CUES = 20_000
MAX_CUE_TEXT = 1000          # characters: what one `speak` call accepts
TAG_KEYS = ("emotion", "voice")
# A bracketed tag at the very start of the cue's text.
_TAG = re.compile(r"^\s*\[([^\[\]]*)\]\s*")


class DubScriptError(ValueError):
    """A script that cannot be dubbed as written: the message names the file and line."""


@dataclass(frozen=True)
class Cue:
    """One line of dialogue: spoken from `start` to `end` (seconds on the track)."""
    index: int                    # 0-based position in the script
    start: float
    end: float
    text: str
    emotion: str | None = None    # any emotion form as written (None: the script's default)
    voice: str | None = None      # a voice name, or a speaker the voice map resolves
    line: int = 0                 # 1-based line of the file where the cue begins
    speaker: str | None = None    # a WebVTT <v Speaker> name, as written

    @property
    def slot_s(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class DubScript:
    cues: tuple[Cue, ...]
    source: str = "<script>"          # the file name errors mention
    folder: Path | None = None        # where referenced EmotionML documents are looked up
    extra: dict = field(default_factory=dict)

    def at_line(self, cue: Cue) -> str:
        return f"{self.source} line {cue.line}"


def split_tags(text: str, where: str) -> tuple[dict[str, str], str]:
    """The leading `[...]` tag's settings and the text after it. A tag without `key=` is the
    emotion; `;` separates settings, and a piece without `=` continues the setting before it
    (so a timeline's keyframes stay together)."""
    match = _TAG.match(text)
    if not match:
        return {}, text.strip()
    body, rest = match.group(1).strip(), text[match.end():].strip()
    if not body:
        raise DubScriptError(f"{where}: the tag [] is empty")
    if not re.match(r"^\s*(emotion|voice)\s*=", body, re.IGNORECASE):
        if re.match(r"^\s*\w+\s*=", body):
            key = body.split("=", 1)[0].strip()
            raise DubScriptError(f"{where}: unknown tag setting {key!r}; the settings are emotion and voice")
        return {"emotion": body}, rest
    settings: dict[str, str] = {}
    key = None
    for piece in body.split(";"):
        named = re.match(r"^\s*(\w+)\s*=(.*)$", piece)
        if named and named.group(1).lower() in TAG_KEYS:
            key = named.group(1).lower()
            if key in settings:
                raise DubScriptError(f"{where}: the tag sets {key} twice")
            settings[key] = named.group(2).strip()
        elif named:
            raise DubScriptError(f"{where}: unknown tag setting {named.group(1)!r}; the settings are emotion and voice")
        else:
            settings[key] = f"{settings[key]}; {piece.strip()}"
    for name, value in settings.items():
        if not value:
            raise DubScriptError(f"{where}: the tag's {name} is empty")
    return settings, rest


def make_cue(index: int, start: float, end: float, text: str, where: str, line: int,
             emotion: str | None = None, voice: str | None = None, speaker: str | None = None) -> Cue:
    """A checked cue: times finite, start before end; the text's leading tag read (a tag and
    a column both setting the emotion or voice is an error, not a silent choice)."""
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
            raise DubScriptError(f"{where}: the {name} time {value!r} is not a number of seconds")
    if start < 0:
        raise DubScriptError(f"{where}: the start time {start:g} s is negative")
    if end <= start:
        raise DubScriptError(f"{where}: the cue ends ({end:.3f} s) before it starts ({start:.3f} s)")
    tags, spoken = split_tags(text, where)
    if "emotion" in tags and emotion:
        raise DubScriptError(f"{where}: the emotion is given twice (a tag and a column)")
    if "voice" in tags and voice:
        raise DubScriptError(f"{where}: the voice is given twice (a tag and a column or <v> span)")
    spoken = " ".join(spoken.split())
    if not spoken:
        raise DubScriptError(f"{where}: the cue has no text to speak")
    if len(spoken) > MAX_CUE_TEXT:
        raise DubScriptError(f"{where}: the cue's text is {len(spoken)} characters; at most {MAX_CUE_TEXT}")
    return Cue(index, float(start), float(end), spoken, tags.get("emotion", emotion or None),
               tags.get("voice", voice or None), line, speaker)


def checked_script(cues: list[Cue], source: str, folder: Path | None) -> DubScript:
    """The cues in time order, none overlapping another (each error names both lines)."""
    if not cues:
        raise DubScriptError(f"{source} has no cues")
    if len(cues) > MAX_CUES:
        raise DubScriptError(f"{source} has {len(cues)} cues; at most {MAX_CUES}")
    ordered = sorted(cues, key=lambda cue: (cue.start, cue.line))
    for before, after in zip(ordered, ordered[1:]):
        if after.start < before.end - 1e-9:
            raise DubScriptError(f"{source} line {after.line}: the cue at {after.start:.3f} s overlaps the cue "
                                 f"of line {before.line}, which runs to {before.end:.3f} s")
    return DubScript(tuple(replace(cue, index=i) for i, cue in enumerate(ordered)), source, folder)


def read_script(path: str | Path, voices_config: str | Path | None = None) -> DubScript:
    """A script file by its suffix: .srt, .vtt, .csv, .jsonl; speakers mapped to voices by
    `voices_config` (a TOML file, see voices_config.py)."""
    from .voices_config import apply_voice_map, read_voice_map

    path = Path(path)
    if not path.is_file():
        raise DubScriptError(f"no script file at {path}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DubScriptError(f"{path} is not UTF-8 text") from None
    script = parse_script(text, path.suffix.lower().lstrip("."), str(path), path.parent)
    return apply_voice_map(script, read_voice_map(voices_config)) if voices_config else script


SCRIPT_FORMATS = ("srt", "vtt", "csv", "jsonl")


def parse_script(text: str, format: str, source: str = "<script>", folder: Path | None = None) -> DubScript:
    """A script from its text; `format` is one of SCRIPT_FORMATS."""
    from .subtitles import read_subtitles
    from .tables import read_table

    if format in ("srt", "vtt"):
        return read_subtitles(text, format, source, folder)
    if format in ("csv", "jsonl"):
        return read_table(text, format, source, folder)
    raise DubScriptError(f"{source}: a script must be .srt, .vtt, .csv or .jsonl; got {format!r}")


def guess_format(text: str) -> str:
    """The format of pasted text: WEBVTT header, JSON lines, an SRT timing line, else CSV."""
    stripped = text.lstrip("\ufeff").lstrip()
    if stripped.startswith("WEBVTT"):
        return "vtt"
    if stripped.startswith("{"):
        return "jsonl"
    if "-->" in stripped:
        return "srt"
    return "csv"
