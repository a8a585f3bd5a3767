"""Timelines written as text or as lists: `0s happy; 1.5s angry:0.8; 3s calm`."""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Mapping, Sequence

from ..errors import EmotionInputError
from ..target import EmotionTarget
from ..timeline import EmotionTimeline, Keyframe

_KEYFRAME = re.compile(r"^\s*(?P<time>\d+(?:\.\d+)?)\s*(?P<unit>ms|s)\s+(?P<emotion>\S.*?)\s*$", re.IGNORECASE)
_INTERPOLATION = re.compile(r"\s*\|\s*(linear|smooth|step)\s*$", re.IGNORECASE)

StaticParser = Callable[[Any], EmotionTarget]


def looks_like_timeline(text: str) -> bool:
    body = _INTERPOLATION.sub("", text)
    return all(_KEYFRAME.match(part) for part in body.split(";") if part.strip()) and bool(body.strip())


def parse_timeline_text(text: str, parse_static: StaticParser) -> EmotionTimeline:
    """Keyframes separated by `;`, each `<time>s <emotion>`; `| smooth` picks the easing."""
    interpolation = "linear"
    match = _INTERPOLATION.search(text)
    if match:
        interpolation = match[1].lower()
        text = text[:match.start()]
    keyframes = []
    for part in filter(str.strip, text.split(";")):
        frame = _KEYFRAME.match(part)
        if not frame:
            raise EmotionInputError(f"cannot read keyframe {part.strip()!r}; expected e.g. '1.5s angry:0.8'")
        seconds = float(frame["time"]) / (1000.0 if frame["unit"].lower() == "ms" else 1.0)
        keyframes.append(Keyframe(seconds, parse_static(frame["emotion"])))
    return EmotionTimeline(keyframes, interpolation)


def looks_like_json_timeline(text: str) -> bool:
    return text.lstrip().startswith(("[", "{\"keyframes\"", "{ \"keyframes\""))


def parse_timeline_items(items: Sequence | Mapping | str, parse_static: StaticParser) -> EmotionTimeline:
    """[(time, emotion), ...], [{"time": t, "emotion": e}, ...], or {"keyframes": [...],
    "interpolation": ...}, also as a JSON string."""
    if isinstance(items, str):
        try:
            items = json.loads(items)
        except json.JSONDecodeError as error:
            raise EmotionInputError(f"timeline JSON is malformed: {error}") from None
    interpolation = "linear"
    if isinstance(items, Mapping):
        interpolation = items.get("interpolation", "linear")
        items = items.get("keyframes", [])
    keyframes = []
    for item in items:
        if isinstance(item, Mapping):
            if "time" not in item or "emotion" not in item:
                raise EmotionInputError(f"a keyframe needs 'time' and 'emotion'; got {dict(item)}")
            time, emotion = item["time"], item["emotion"]
        elif isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2:
            time, emotion = item
        else:
            raise EmotionInputError(f"a keyframe must be (time, emotion) or a mapping; got {item!r}")
        try:
            time = float(time)
        except (TypeError, ValueError):
            raise EmotionInputError(f"keyframe time {time!r} is not a number") from None
        keyframes.append(Keyframe(time, parse_static(emotion)))
    return EmotionTimeline(keyframes, interpolation)
