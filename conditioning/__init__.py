"""The shared emotion space: every input form -> one EmotionTarget -> one embedding.

    >>> from conditioning import parse_emotion
    >>> parse_emotion("angry:0.4").category
    'angry'
"""

from __future__ import annotations

import importlib

# Names load on first use (PEP 562): `from conditioning import parse_emotion` does not pull in
# torch, so the CLI's light commands start fast.
_EXPORTS = {
    "CATEGORIES": "categories",
    "describe": "describe",
    "nearest_words": "describe",
    "parse_emotionml": "emotionml",
    "to_emotionml": "emotionml",
    "EmotionEncoder": "encoder",
    "EmotionEncoderConfig": "encoder",
    "EmotionInputError": "errors",
    "UnknownEmotionError": "errors",
    "FEATURE_DIM": "features",
    "source_features": "features",
    "target_features": "features",
    "parse_emotion": "parse",
    "parse_emotion_with_warnings": "parse",
    "ParsedEmotion": "parse",
    "TimelineInputError": "errors",
    "parse_static_emotion": "parse",
    "ProsodyTargets": "prosody",
    "prosody_prior": "prosody",
    "target_from_vad": "space",
    "NEUTRAL": "target",
    "EmotionTarget": "target",
    "mix_targets": "target",
    "EmotionSource": "timeline",
    "EmotionTimeline": "timeline",
    "Keyframe": "timeline",
    "vocabulary": "vocabulary",
    "VoiceDescriptors": "voice",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


# `describe` and `vocabulary` are also the names of submodules: once either submodule is
# imported, Python binds the module to that attribute and __getattr__ is never asked, so
# `from conditioning import vocabulary` gave the module. Both are light (no torch): bind the
# functions now.
from .describe import describe  # noqa: E402, F401
from .vocabulary import vocabulary  # noqa: E402, F401
