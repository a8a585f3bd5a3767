"""CSV and JSONL scripts: one cue per row, with `start, end, text` and optional `emotion`,
`voice` columns. Times are seconds (`1.5`) or timestamps (`00:00:01.500`, `00:01,5`)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from .script import Cue, DubScript, DubScriptError, checked_script, make_cue

COLUMNS = ("start", "end", "text", "emotion", "voice")
REQUIRED = ("start", "end", "text")
_TIMESTAMP = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:[.,]\d+)?)$")


def parse_time(value, name: str, where: str) -> float:
    """Seconds from a number or an `[HH:]MM:SS[.mmm]` timestamp."""
    if isinstance(value, bool):
        raise DubScriptError(f"{where}: the {name} time {value!r} is not a time")
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    match = _TIMESTAMP.match(text)
    if match:
        hours, minutes, seconds = match.groups()
        if int(minutes) > 59 or float(seconds.replace(",", ".")) >= 60:
            raise DubScriptError(f"{where}: the {name} time {text!r} has minutes or seconds of 60 or more")
        return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds.replace(",", "."))
    try:
        return float(text)
    except ValueError:
        raise DubScriptError(f"{where}: the {name} time {text!r} is not seconds or HH:MM:SS.mmm") from None


def _cue_from_row(row: dict, index: int, line: int, source: str) -> Cue:
    where = f"{source} line {line}"
    unknown = sorted(name for name in row if name not in COLUMNS)
    if unknown:
        raise DubScriptError(f"{where}: unknown column {', '.join(map(repr, unknown))}; the columns are "
                             f"{', '.join(COLUMNS)}")
    missing = [name for name in REQUIRED if row.get(name) in (None, "")]
    if missing:
        raise DubScriptError(f"{where}: the cue has no {' or '.join(missing)}")
    emotion, voice = row.get("emotion"), row.get("voice")
    for name, value in (("emotion", emotion), ("voice", voice)):
        if value is not None and not isinstance(value, str):
            if name == "emotion" and isinstance(value, (dict, list)):
                continue  # JSONL may give an emotion as a mapping or VAD list
            raise DubScriptError(f"{where}: the {name} must be text; got {value!r}")
    if not isinstance(row["text"], str):
        raise DubScriptError(f"{where}: the text must be a string; got {row['text']!r}")
    if isinstance(emotion, (dict, list)):
        emotion = json.dumps(emotion)  # read back by parse_emotion as the same form
    return make_cue(index, parse_time(row["start"], "start", where), parse_time(row["end"], "end", where),
                    row["text"], where, line, emotion=(emotion or "").strip() or None,
                    voice=(voice or "").strip() or None)


def read_table(text: str, format: str, source: str = "<script>", folder: Path | None = None) -> DubScript:
    rows = _jsonl_rows(text, source) if format == "jsonl" else _csv_rows(text, source)
    return checked_script([_cue_from_row(row, i, line, source) for i, (line, row) in enumerate(rows)], source, folder)


def _jsonl_rows(text: str, source: str) -> list[tuple[int, dict]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise DubScriptError(f"{source} line {number} is not JSON: {error.msg}") from None
        except (ValueError, RecursionError):   # numbers of over 4,300 digits; nesting too deep
            raise DubScriptError(f"{source} line {number} is not a JSON object a script can hold "
                                 f"(nested too deeply, or a number too long)") from None
        if not isinstance(row, dict):
            raise DubScriptError(f"{source} line {number}: each line must be a JSON object with {', '.join(REQUIRED)}")
        rows.append((number, row))
    return rows


def _csv_rows(text: str, source: str) -> list[tuple[int, dict]]:
    # newline="": the csv module reads \r, \n and \r\n line ends itself, quoted ones too.
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""), skipinitialspace=True)
    try:
        header = [name.strip() for name in reader.fieldnames or []]
    except csv.Error as error:
        raise DubScriptError(f"{source} line 1: {error}") from None
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise DubScriptError(f"{source} line 1: the header needs the columns {', '.join(REQUIRED)} "
                             f"(and may have emotion, voice); missing {', '.join(missing)}")
    reader.fieldnames = header
    rows = []
    try:
        for row in reader:
            if None in row:
                raise DubScriptError(f"{source} line {reader.line_num}: more fields than the header's "
                                     f"{len(header)} (quote text that holds commas)")
            if any((value or "").strip() for value in row.values()):
                rows.append((reader.line_num, {name: value for name, value in row.items() if value is not None}))
    except csv.Error as error:
        raise DubScriptError(f"{source} line {reader.line_num}: {error}") from None
    return rows
