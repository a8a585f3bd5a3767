"""`parse_emotion`: any input form -> an `EmotionTarget` (or an `EmotionTimeline`).

Forms, tried in this order for text:
  EmotionML (starts with `<`)          -> target, or timeline when <emotion>s carry times
  VAD       (`0.6, 0.4, 0.1`, `[0.6, 0.4]`, `v=0.6 a=0.4`)
  JSON timeline (`[{"time": 0, ...}]`)  -> timeline
  timeline  (`0s happy; 2s angry:0.8`)  -> timeline; text that looks like one is read strictly
  labels    (`angry`, `angry:0.4`, `0.7 happy + 0.3 surprised`): words must be known
  description (anything else with several words); one without any emotion or voice word
              comes back with a warning (`parse_emotion_with_warnings`)
Non-text: EmotionTarget/EmotionTimeline (as is), numbers (VAD), mappings
(`{"valence": ..}`, `{"happy": 0.7, "surprised": 0.3}`, `{"emotion": .., "intensity": ..}`),
and lists of (time, emotion) pairs (timeline).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from .categories import CATEGORIES
from .emotionml import parse_emotionml
from .errors import EmotionInputError, UnknownEmotionError
from .parsers.description import read_description, validate_description
from .parsers.labels import looks_like_label_expression, parse_label_expression
from .parsers.timeline_syntax import (looks_like_json_timeline, looks_like_timeline,
                                      parse_timeline_items, parse_timeline_text)
from .parsers.vad import looks_like_vad, parse_vad_text, parse_vad_values
from .target import EmotionTarget, check_unit_interval, mix_targets
from .timeline import EmotionSource, EmotionTimeline
from .vocabulary import vocabulary

EmotionInput = Any
# Text forms (not EmotionML or JSON) longer than this are refused before any pattern runs:
# enough for a few hundred keyframes, and it bounds every parser's time.
MAX_EMOTION_TEXT_CHARS = 20_000


@dataclass(frozen=True)
class ParsedEmotion:
    """What an emotion input resolved to, and what the user should be told about the reading
    (e.g. a description read by the learned head alone, without any emotion word)."""
    source: EmotionSource
    warnings: tuple[str, ...] = ()


def parse_emotion(emotion: EmotionInput) -> EmotionTarget | EmotionTimeline:
    return parse_emotion_with_warnings(emotion).source


def parse_emotion_with_warnings(emotion: EmotionInput) -> ParsedEmotion:
    """Like parse_emotion, and the warnings about the reading, for the CLI and the studio to show."""
    warnings: list[str] = []
    source = _parse(emotion, warnings, in_keyframe=False)
    return ParsedEmotion(source, tuple(dict.fromkeys(warnings)))


def parse_static_emotion(emotion: EmotionInput) -> EmotionTarget:
    """Like parse_emotion, but a timeline is an error (used for keyframes)."""
    return _parse_static(emotion, [], in_keyframe=False)


def _parse_static(emotion: EmotionInput, warnings: list[str], in_keyframe: bool) -> EmotionTarget:
    result = _parse(emotion, warnings, in_keyframe)
    if isinstance(result, EmotionTimeline):
        raise EmotionInputError("a timeline cannot be nested inside a keyframe")
    return result


def _keyframe_parser(warnings: list[str]):
    # Warnings are gathered in the caller's own list, so concurrent parses never share them.
    return lambda emotion: _parse_static(emotion, warnings, in_keyframe=True)


def _parse(emotion: EmotionInput, warnings: list[str], in_keyframe: bool) -> EmotionTarget | EmotionTimeline:
    if isinstance(emotion, (EmotionTarget, EmotionTimeline)):
        return emotion
    if isinstance(emotion, str):
        return _parse_text(emotion, warnings, in_keyframe)
    if isinstance(emotion, Mapping):
        return _parse_mapping(emotion, warnings)
    if isinstance(emotion, Sequence) and emotion and all(isinstance(x, numbers.Real) for x in emotion):
        return parse_vad_values(list(emotion))
    if isinstance(emotion, Sequence) and emotion:
        return parse_timeline_items(emotion, _keyframe_parser(warnings))
    raise EmotionInputError(f"cannot read an emotion from {type(emotion).__name__} {emotion!r}")


def _parse_text(text: str, warnings: list[str], in_keyframe: bool) -> EmotionTarget | EmotionTimeline:
    stripped = text.strip()
    if stripped.startswith("<"):
        return parse_emotionml(stripped)
    if not stripped:
        raise EmotionInputError("the emotion is empty")
    if len(stripped) > MAX_EMOTION_TEXT_CHARS and not looks_like_json_timeline(stripped):
        raise EmotionInputError(f"the emotion text has {len(stripped)} characters; the limit is "
                                f"{MAX_EMOTION_TEXT_CHARS} (longer timelines: a JSON list or EmotionML)")
    if looks_like_vad(stripped):  # before JSON: `[0.5, 0.2]` is VAD, not a list of keyframes
        return parse_vad_text(stripped)
    if looks_like_json_timeline(stripped):
        return parse_timeline_items(stripped, _keyframe_parser(warnings))
    if looks_like_timeline(stripped):
        return parse_timeline_text(stripped, _keyframe_parser(warnings))
    if looks_like_label_expression(stripped):
        return parse_label_expression(stripped)
    reading = read_description(validate_description(stripped))
    if in_keyframe and reading.typos:
        # Within a timeline a misspelt emotion is a mistake to fix, not free text to guess at.
        word, close = reading.typos[0]
        raise UnknownEmotionError(word, list(close))
    warnings.extend(reading.warnings)
    return reading.target


def _parse_mapping(mapping: Mapping, warnings: list[str]) -> EmotionTarget | EmotionTimeline:
    keys = set(mapping)
    if "keyframes" in keys:
        return parse_timeline_items(mapping, _keyframe_parser(warnings))
    if {"vad", "categories", "intensity"} <= keys:
        return EmotionTarget.from_dict(mapping)
    if {"valence", "arousal"} <= keys:
        return parse_vad_values(mapping)
    if "emotion" in keys:
        if keys - {"emotion", "intensity"}:  # e.g. a misspelt 'intensity' must not be ignored
            raise EmotionInputError("an emotion mapping takes the keys emotion and intensity; "
                                    f"got {sorted(map(str, keys))}")
        target = _parse_static(mapping["emotion"], warnings, in_keyframe=False)
        if "intensity" in keys:
            entry = vocabulary().find(str(mapping["emotion"]))
            level = check_unit_interval("intensity", mapping["intensity"])
            target = entry.target(level) if entry else target
        return target
    if keys and keys <= set(vocabulary().names):
        return mix_targets([vocabulary().lookup(name).target() for name in mapping],
                           [_weight(name, w) for name, w in mapping.items()])
    raise EmotionInputError(
        f"cannot read an emotion from a mapping with keys {sorted(map(str, keys))}; use valence/arousal"
        f"[/dominance], category weights ({', '.join(CATEGORIES)}), or emotion/intensity")


def _weight(name: str, weight: Any) -> float:
    try:
        return float(weight)
    except (TypeError, ValueError):
        raise EmotionInputError(f"the weight of {name!r} must be a number; got {weight!r}") from None
