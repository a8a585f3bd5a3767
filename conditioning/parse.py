"""`parse_emotion`: any input form -> an `EmotionTarget` (or an `EmotionTimeline`).

Forms, tried in this order for text:
  EmotionML (starts with `<`)          -> target, or timeline when <emotion>s carry times
  timeline  (`0s happy; 2s angry:0.8`)  -> timeline
  JSON timeline (`[{"time": 0, ...}]`)  -> timeline
  VAD       (`0.6, 0.4, 0.1`, `v=0.6 a=0.4`)
  labels    (`angry`, `angry:0.4`, `0.7 happy + 0.3 surprised`): words must be known
  description (anything else with several words)
Non-text: EmotionTarget/EmotionTimeline (as is), numbers (VAD), mappings
(`{"valence": ..}`, `{"happy": 0.7, "surprised": 0.3}`, `{"emotion": .., "intensity": ..}`),
and lists of (time, emotion) pairs (timeline).
"""

from __future__ import annotations

import numbers
from typing import Any, Mapping, Sequence

from .categories import CATEGORIES
from .emotionml import parse_emotionml
from .errors import EmotionInputError
from .parsers.description import parse_description, validate_description
from .parsers.labels import looks_like_label_expression, parse_label_expression
from .parsers.timeline_syntax import (looks_like_json_timeline, looks_like_timeline,
                                      parse_timeline_items, parse_timeline_text)
from .parsers.vad import looks_like_vad, parse_vad_text, parse_vad_values
from .target import EmotionTarget, check_unit_interval, mix_targets
from .timeline import EmotionTimeline
from .vocabulary import vocabulary

EmotionInput = Any


def parse_emotion(emotion: EmotionInput) -> EmotionTarget | EmotionTimeline:
    if isinstance(emotion, (EmotionTarget, EmotionTimeline)):
        return emotion
    if isinstance(emotion, str):
        return _parse_text(emotion)
    if isinstance(emotion, Mapping):
        return _parse_mapping(emotion)
    if isinstance(emotion, Sequence) and emotion and all(isinstance(x, numbers.Real) for x in emotion):
        return parse_vad_values(list(emotion))
    if isinstance(emotion, Sequence) and emotion:
        return parse_timeline_items(emotion, parse_static_emotion)
    raise EmotionInputError(f"cannot read an emotion from {type(emotion).__name__} {emotion!r}")


def parse_static_emotion(emotion: EmotionInput) -> EmotionTarget:
    """Like parse_emotion, but a timeline is an error (used for keyframes)."""
    result = parse_emotion(emotion)
    if isinstance(result, EmotionTimeline):
        raise EmotionInputError("a timeline cannot be nested inside a keyframe")
    return result


def _parse_text(text: str) -> EmotionTarget | EmotionTimeline:
    stripped = text.strip()
    if stripped.startswith("<"):
        return parse_emotionml(stripped)
    if not stripped:
        raise EmotionInputError("the emotion is empty")
    if looks_like_timeline(stripped):
        return parse_timeline_text(stripped, parse_static_emotion)
    if looks_like_json_timeline(stripped):
        return parse_timeline_items(stripped, parse_static_emotion)
    if looks_like_vad(stripped):
        return parse_vad_text(stripped)
    if looks_like_label_expression(stripped):
        return parse_label_expression(stripped)
    return parse_description(validate_description(stripped))


def _parse_mapping(mapping: Mapping) -> EmotionTarget | EmotionTimeline:
    keys = set(mapping)
    if "keyframes" in keys:
        return parse_timeline_items(mapping, parse_static_emotion)
    if {"vad", "categories", "intensity"} <= keys:
        return EmotionTarget.from_dict(mapping)
    if {"valence", "arousal"} <= keys:
        return parse_vad_values(mapping)
    if "emotion" in keys:
        target = parse_static_emotion(mapping["emotion"])
        if "intensity" in keys:
            entry = vocabulary().find(str(mapping["emotion"]))
            level = check_unit_interval("intensity", mapping["intensity"])
            target = entry.target(level) if entry else target
        return target
    if keys and keys <= set(vocabulary().names):
        return mix_targets([vocabulary().lookup(name).target() for name in mapping],
                           [float(w) for w in mapping.values()])
    raise EmotionInputError(
        f"cannot read an emotion from a mapping with keys {sorted(keys)}; use valence/arousal"
        f"[/dominance], category weights ({', '.join(CATEGORIES)}), or emotion/intensity")
