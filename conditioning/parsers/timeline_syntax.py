"""Timelines written as text or as lists: `0s happy; 1.5s angry:0.8; 3s calm | smooth`.

Text that looks like a timeline (it starts with a time and unit, it has a `|` interpolation
clause, or it has `;`-separated parts that start with a number) is read strictly: a
negative time, a missing unit, commas between keyframes, an unknown interpolation or a
keyframe emotion that does not parse is an error naming the problem and the keyframes read
before it, never a silent reading as some other form.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any, Callable, Mapping, Sequence

from ..errors import EmotionInputError, TimelineInputError
from ..target import EmotionTarget
from ..timeline import INTERPOLATIONS, EmotionTimeline, Keyframe

_TIME = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_SECONDS_PER_UNIT = {"s": 1.0, "ms": 0.001}
_UNIT = r"(?:ms|s)(?![a-z0-9])"
# Units people write that the syntax does not take: named in the error with the fix.
_OTHER_UNITS = {"sec", "secs", "second", "seconds", "msec", "msecs", "millisecond", "milliseconds",
                "min", "mins", "minute", "minutes", "m", "h", "hr", "hrs", "hour", "hours", "us", "ns"}

_STARTS_WITH_TIME_AND_UNIT = re.compile(rf"^\s*{_TIME}\s*{_UNIT}", re.IGNORECASE)
_STARTS_WITH_NUMBER_AND_WORD = re.compile(rf"^\s*{_TIME}\s*[a-z]", re.IGNORECASE)
# Applied to stripped parts; no free repeats around `rest`, so long text is read in linear time.
_TIME_AT_START = re.compile(rf"^(?P<time>{_TIME})\s*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
_UNIT_AT_START = re.compile(rf"^(?P<unit>{_UNIT})\s*", re.IGNORECASE)
_WORD_AT_START = re.compile(r"^[a-z]+", re.IGNORECASE)
_COMMA_BEFORE_TIME = re.compile(rf",(\s*{_TIME}\s*{_UNIT})", re.IGNORECASE)

StaticParser = Callable[[Any], EmotionTarget]


def looks_like_timeline(text: str) -> bool:
    """True for text meant as a timeline, valid or not (then parsing it says what is wrong)."""
    if _STARTS_WITH_TIME_AND_UNIT.match(text) or "|" in text:
        return True
    # `0 happy; 1 sad`: keyframes without units; VAD such as `0.5; 0.2` has no word.
    return ";" in text and bool(_STARTS_WITH_NUMBER_AND_WORD.match(text))


def parse_timeline_text(text: str, parse_static: StaticParser) -> EmotionTimeline:
    """Keyframes separated by `;`, each `<time>s <emotion>` or `<time>ms <emotion>`;
    a final `| smooth` (or linear, step) picks the easing."""
    body, clause = _split_interpolation(text)
    parts = [part for part in body.split(";") if part.strip()]
    if not parts:
        raise TimelineInputError(f"{text.strip()!r} has an interpolation clause but no keyframes before it; "
                                 "write e.g. '0s calm; 2s angry | smooth'")
    keyframes: list[Keyframe] = []
    for number, part in enumerate(parts, 1):
        seconds, emotion = _read_keyframe(part.strip(), number, keyframes)
        try:
            target = parse_static(emotion)
        except TimelineInputError:
            raise
        except EmotionInputError as error:
            raise TimelineInputError(f"keyframe {number} ({_shown(part.strip())!r}): {error}", keyframes) from error
        keyframes.append(Keyframe(seconds, target))
    interpolation = _interpolation(clause, keyframes)
    try:
        return EmotionTimeline(keyframes, interpolation)
    except EmotionInputError as error:
        raise TimelineInputError(str(error), keyframes) from error


def timeline_text_parts(text: str) -> tuple[list[tuple[float, str]], str]:
    """`0s calm; 1500ms fearful | smooth` -> ([(0.0, 'calm'), (1.5, 'fearful')], 'smooth'): each
    keyframe's time in seconds and its emotion as written (not parsed), and the interpolation,
    read as strictly as `parse_timeline_text` reads them (the studio's timeline table shows these)."""
    body, clause = _split_interpolation(text)
    parts = [part.strip() for part in body.split(";") if part.strip()]
    keyframes = [_read_keyframe(part, number, []) for number, part in enumerate(parts, 1)]
    return keyframes, _interpolation(clause, [])


def _split_interpolation(text: str) -> tuple[str, str | None]:
    body, bar, clause = text.partition("|")
    if not bar:
        return text, None
    if "|" in clause:
        raise TimelineInputError(f"{text.strip()!r} has several '|'; a timeline takes one "
                                 "'| linear', '| smooth' or '| step', at its end")
    return body, clause


def _interpolation(clause: str | None, understood: list[Keyframe]) -> str:
    if clause is None:
        return "linear"
    name = clause.strip().lower()
    if name in INTERPOLATIONS:
        return name
    if ";" in clause:
        problem = f"the interpolation clause '| {clause.strip()}' must come last, after every keyframe"
    elif not name:
        problem = f"'|' must be followed by an interpolation: one of {', '.join(INTERPOLATIONS)}"
    else:
        close = difflib.get_close_matches(name, INTERPOLATIONS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        problem = (f"unknown interpolation {clause.strip()!r}: the interpolations are "
                   f"{', '.join(INTERPOLATIONS)}{hint}")
    raise TimelineInputError(problem, understood)


def _read_keyframe(part: str, number: int, understood: list[Keyframe]) -> tuple[float, str]:
    """`1.5s angry:0.8` -> (1.5, 'angry:0.8'), or an error saying what is wrong with it."""
    where = f"keyframe {number} ({_shown(part)!r})"
    match = _TIME_AT_START.match(part)
    if not match:
        raise TimelineInputError(f"{where} does not start with a time; write e.g. '1.5s angry:0.8'", understood)
    time, rest = match["time"], match["rest"]
    value = float(time)
    if value < 0:
        raise TimelineInputError(f"{where} has a negative time; times count from 0s, the start", understood)
    unit = _UNIT_AT_START.match(rest)
    if not unit:
        word = _WORD_AT_START.match(rest)
        if word and word[0].lower() in _OTHER_UNITS:
            raise TimelineInputError(f"{where}: {word[0]!r} is not a unit a timeline takes; use s (seconds) "
                                     "or ms (milliseconds)", understood)
        raise TimelineInputError(f"{where} has no time unit; write '{time}s {rest}' (seconds) or "
                                 f"'{time}ms {rest}' (milliseconds)", understood)
    emotion = rest[unit.end():]
    if not emotion:
        raise TimelineInputError(f"{where} has a time but no emotion; write e.g. '{time}s calm'", understood)
    if _COMMA_BEFORE_TIME.search(emotion):
        fixed = _COMMA_BEFORE_TIME.sub(r";\1", part)
        raise TimelineInputError(f"{where} holds another time after a comma; keyframes are separated by ';', "
                                 f"not ',': write {fixed!r}", understood)
    seconds = value * _SECONDS_PER_UNIT[unit["unit"].lower()]
    return seconds + 0.0, emotion  # + 0.0 turns -0.0 into 0.0


def _shown(part: str, limit: int = 60) -> str:
    return part if len(part) <= limit else part[:limit - 3] + "..."


def looks_like_json_timeline(text: str) -> bool:
    return text.lstrip().startswith(("[", "{\"keyframes\"", "{ \"keyframes\""))


def parse_timeline_items(items: Sequence | Mapping | str, parse_static: StaticParser) -> EmotionTimeline:
    """[(time, emotion), ...], [{"time": t, "emotion": e}, ...], or {"keyframes": [...],
    "interpolation": ...}, also as a JSON string."""
    if isinstance(items, str):
        try:
            items = json.loads(items)
        except (json.JSONDecodeError, RecursionError) as error:
            raise EmotionInputError(f"timeline JSON is malformed: {error}") from None
    interpolation = "linear"
    if isinstance(items, Mapping):
        interpolation = items.get("interpolation", "linear")
        items = items.get("keyframes", [])
    if isinstance(items, (str, bytes)) or not isinstance(items, Sequence):
        raise EmotionInputError(f"timeline keyframes must be a list; got {type(items).__name__}")
    keyframes: list[Keyframe] = []
    for number, item in enumerate(items, 1):
        time, emotion = _item_time_and_emotion(item)
        try:
            keyframes.append(Keyframe(time, parse_static(emotion)))
        except EmotionInputError as error:
            raise TimelineInputError(f"keyframe {number} (time {time:g}): {error}", keyframes) from error
    if not isinstance(interpolation, str):
        raise EmotionInputError(f"interpolation must be one of {', '.join(INTERPOLATIONS)}; got {interpolation!r}")
    return EmotionTimeline(keyframes, interpolation)


def _item_time_and_emotion(item: Any) -> tuple[float, Any]:
    if isinstance(item, Mapping):
        if "time" not in item or "emotion" not in item:
            raise EmotionInputError(f"a keyframe needs 'time' and 'emotion'; got {dict(item)}")
        time, emotion = item["time"], item["emotion"]
    elif isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2:
        time, emotion = item
    else:
        raise EmotionInputError(f"a keyframe must be (time, emotion) or a mapping; got {item!r}")
    try:
        return float(time), emotion
    except (TypeError, ValueError, OverflowError):
        raise EmotionInputError(f"keyframe time {time!r} is not a number") from None
