"""SRT and WebVTT scripts in, SRT out (pysubs2), with the line of each cue kept.

pysubs2 reads the cue times and writes the achieved script; the block scan beside it keeps
what pysubs2 drops and a dubber needs: the line each cue starts on (for errors), WebVTT voice
spans (`<v Anna>`), and strictness: a malformed timing line is an error naming its line, where
pysubs2 would fold it silently into the text of the cue before.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

import pysubs2

from .script import Cue, DubScript, DubScriptError, checked_script, make_cue

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[,.](\d{3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(\s+.*)?$")
_VOICE_SPAN = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_MARKUP = re.compile(r"</?[a-zA-Z][^>]*>|\{\\[^}]*\}")   # WebVTT/SRT tags, ASS override codes
_VTT_BLOCKS = ("NOTE", "STYLE", "REGION", "WEBVTT")


def _seconds(hours, minutes, seconds, millis, where: str) -> float:
    if int(minutes) > 59 or int(seconds) > 59:
        raise DubScriptError(f"{where}: minutes and seconds must be below 60")
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _blocks(text: str) -> Iterable[list[tuple[int, str]]]:
    """Runs of non-blank lines, each line with its 1-based number."""
    block: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            block.append((number, line.rstrip()))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _cue_from_block(block: list[tuple[int, str]], index: int, format: str, source: str) -> Cue | None:
    timing_at = next((i for i, (_, line) in enumerate(block) if "-->" in line), None)
    first_line, first_text = block[0]
    if timing_at is None:
        if format == "vtt" and first_text.split(" ")[0].split("\t")[0] in _VTT_BLOCKS:
            return None
        raise DubScriptError(f"{source} line {first_line}: expected a cue's times "
                             f"('00:00:01,000 --> 00:00:02,500'); got {first_text.strip()!r}")
    if timing_at > 1:  # one identifier line (SRT's number, a WebVTT cue id) may come before the times
        raise DubScriptError(f"{source} line {block[1][0]}: text before the cue's times")
    number, timing = block[timing_at]
    where = f"{source} line {number}"
    match = _TIMING.match(timing)
    if not match:
        raise DubScriptError(f"{where}: bad cue times {timing.strip()!r}; write '00:00:01,000 --> 00:00:02,500'")
    groups = match.groups()
    start, end = _seconds(*groups[0:4], where), _seconds(*groups[4:8], where)
    raw = " ".join(line for _, line in block[timing_at + 1:])
    speakers = _VOICE_SPAN.findall(raw)
    if len(set(s.strip() for s in speakers)) > 1:
        raise DubScriptError(f"{where}: one cue has several voices ({', '.join(speakers)}); split it into cues")
    speaker = speakers[0].strip() if speakers else None
    text = _MARKUP.sub("", raw).replace("\\N", " ")
    return make_cue(index, start, end, text, where, number, voice=speaker, speaker=speaker)


def read_subtitles(text: str, format: str, source: str = "<script>", folder: Path | None = None) -> DubScript:
    """An SRT or WebVTT script; each cue's leading tag sets its emotion and voice."""
    text = text.lstrip("\ufeff")
    if format == "vtt" and not text.lstrip().startswith("WEBVTT"):
        raise DubScriptError(f"{source} line 1: a WebVTT file starts with 'WEBVTT'")
    cues = []
    for block in _blocks(text):
        cue = _cue_from_block(block, len(cues), format, source)
        if cue is not None:
            cues.append(cue)
    _check_against_pysubs2(text, format, cues, source)
    return checked_script(cues, source, folder)


def _check_against_pysubs2(text: str, format: str, cues: list[Cue], source: str) -> None:
    """The maintained reader must see the same cue times: a disagreement means the file
    uses a construction the block scan misreads, which must not pass silently."""
    try:
        events = [event for event in pysubs2.SSAFile.from_string(text, format_=format) if not event.is_comment]
    except Exception as error:  # pysubs2 raises its own and plain exceptions for broken files
        raise DubScriptError(f"{source}: not a readable {format.upper()} file ({error})") from None
    read = [(event.start, event.end) for event in events]
    scanned = [(round(cue.start * 1000), round(cue.end * 1000)) for cue in cues]
    if read != scanned:
        first = next((i for i, (a, b) in enumerate(zip(read, scanned)) if a != b), min(len(read), len(scanned)))
        line = cues[first].line if first < len(cues) else cues[-1].line if cues else 1
        raise DubScriptError(f"{source} line {line}: the cue times read ambiguously (pysubs2 reads "
                             f"{len(read)} cues, the line scan {len(scanned)}); check this cue's layout")


def tagged_text(cue: Cue) -> str:
    """The cue's text with its emotion and voice as a leading tag, so it reads back the same."""
    settings = [f"{name}={value}" for name, value in (("voice", cue.voice), ("emotion", cue.emotion)) if value]
    return f"[{'; '.join(settings)}] {cue.text}" if settings else cue.text


def srt_text(cues: Iterable[tuple[Cue, float, float]]) -> str:
    """An SRT document of (cue, start_s, end_s): the achieved times, the cue's tags kept."""
    subtitles = pysubs2.SSAFile()
    for cue, start, end in cues:
        subtitles.append(pysubs2.SSAEvent(start=round(start * 1000), end=round(end * 1000), text=tagged_text(cue)))
    return subtitles.to_string("srt")
