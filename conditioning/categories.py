"""The 8 core categories every distribution in the emotion space is expressed over."""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = (
    "neutral", "calm", "happy", "sad", "angry", "fearful", "disgusted", "surprised",
)
CATEGORY_INDEX: dict[str, int] = {name: i for i, name in enumerate(CATEGORIES)}

# W3C "Vocabularies for EmotionML" (2014): the big6 set has no neutral or calm.
BIG6_OF_CATEGORY: dict[str, str] = {
    "happy": "happiness", "sad": "sadness", "angry": "anger",
    "fearful": "fear", "disgusted": "disgust", "surprised": "surprise",
}
