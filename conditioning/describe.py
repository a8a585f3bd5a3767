"""The way back: a target -> nearest vocabulary words and a short English description."""

from __future__ import annotations

from .prosody import prosody_prior
from .target import EmotionTarget
from .timeline import EmotionSource
from .vocabulary import vocabulary

# Upper bounds of intensity bands and the degree word each band reads as.
_DEGREE_BANDS = ((0.15, "barely"), (0.35, "slightly"), (0.55, "moderately"),
                 (0.75, "clearly"), (0.9, "very"), (1.01, "extremely"))
SECONDARY_SHARE = 0.25


def nearest_words(target: EmotionTarget, count: int = 3) -> list[str]:
    return [word for word, _ in vocabulary().nearest(target, count)]


def degree_word(intensity: float) -> str:
    return next(word for bound, word in _DEGREE_BANDS if intensity < bound)


def describe(target: EmotionTarget) -> str:
    """e.g. 'slightly fearful (nervous), with a touch of sad; whispered, quiet voice'."""
    (first, _), (second, second_share) = target.top_categories(2)
    if first == "neutral" and target.intensity < 0.15:
        text = "neutral"
    else:
        word = nearest_words(target, 1)[0]
        text = f"{degree_word(target.intensity)} {first}"
        if word != first:
            text += f" ({word})"
        if second != "neutral" and second_share >= SECONDARY_SHARE:
            text += f", with a touch of {second}"
    voice = target.voice.as_dict()
    if voice:
        text += "; " + ", ".join(voice[k] for k in sorted(voice)) + " voice"
    return text


def summarize(source: EmotionSource) -> dict:
    """Everything there is to say about a resolved emotion, as JSON-ready values."""
    target = source.first
    summary = {
        "description": describe(target),
        "nearest_words": nearest_words(target, 5),
        "target": target.to_dict(),
        "prosody_prior": prosody_prior(target).to_dict(),
    }
    if source.varies_over_time:
        summary["timeline"] = source.to_dict()
    return summary
