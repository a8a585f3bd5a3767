"""What degree words, negation and voice cues do to an emotion.

One definition serves the description parser and the description-corpus generator in
`train/`, so the learned text head is trained on exactly the semantics the parser uses.
"""

from __future__ import annotations

import re

import numpy as np

from .space import categories_from_vad
from .target import EmotionTarget

# Multipliers on a word's nominal intensity.
DEGREE_FACTORS: dict[str, float] = {
    "barely": 0.25, "hardly": 0.25, "faintly": 0.35, "slightly": 0.45, "a little bit": 0.45,
    "a little": 0.5, "a bit": 0.5, "a touch": 0.5, "mildly": 0.5, "somewhat": 0.6,
    "kind of": 0.6, "sort of": 0.6, "moderately": 0.75, "fairly": 0.8, "rather": 0.85,
    "quite": 0.9, "pretty": 0.9, "very": 1.25, "really": 1.2, "so": 1.2, "truly": 1.25,
    "highly": 1.3, "deeply": 1.35, "terribly": 1.4, "intensely": 1.5, "extremely": 1.5,
    "incredibly": 1.5, "utterly": 1.5, "absolutely": 1.5, "completely": 1.45,
    "totally": 1.45, "overwhelmingly": 1.6,
}
NEGATIONS = ("not", "never", "no", "without", "isn't", "wasn't", "aren't", "don't",
             "doesn't", "didn't", "hardly any", "nor", "n't")
ABSOLUTE_NEGATION = re.compile(r"\b(at all|whatsoever|in the least|one bit)\b")

# Negating an emotion leaves a weak trace of its opposite ("not happy" leans sad),
# and "not ... at all" leaves almost none.
NEGATED_VAD_FACTOR = -0.25
NEGATED_INTENSITY = 0.15
ABSOLUTE_NEGATED_VAD_FACTOR = -0.08
ABSOLUTE_NEGATED_INTENSITY = 0.05
NEGATED_NEUTRAL_SHARE = 0.6


def with_degree(target: EmotionTarget, factor: float) -> EmotionTarget:
    """The target with its intensity (and VAD offset from neutral) scaled by `factor`."""
    if target.intensity <= 0:
        return target
    level = float(np.clip(target.intensity * factor, 0.05, 1.0))
    vad = np.clip(np.array(target.vad) * (level / target.intensity), -1, 1)
    return EmotionTarget(tuple(vad), target.categories, level, target.voice)


def negated(target: EmotionTarget, absolute: bool = False) -> EmotionTarget:
    vad = np.array(target.vad) * (ABSOLUTE_NEGATED_VAD_FACTOR if absolute else NEGATED_VAD_FACTOR)
    neutral = np.zeros(len(target.categories))
    neutral[0] = 1.0
    categories = NEGATED_NEUTRAL_SHARE * neutral + (1 - NEGATED_NEUTRAL_SHARE) * categories_from_vad(vad)
    intensity = ABSOLUTE_NEGATED_INTENSITY if absolute else NEGATED_INTENSITY
    return EmotionTarget(tuple(vad), tuple(categories), intensity, target.voice)


# Voice cues: a regular expression over lower-cased text -> descriptor settings.
# Order matters: "pitch variation" must be read before plain "pitch".
VOICE_CUES: tuple[tuple[str, dict[str, str]], ...] = (
    (r"\b(high|large|wide|lots of|much) pitch variation\b", {"pitch_variation": "expressive"}),
    (r"\b(low|little|small|narrow) pitch variation\b", {"pitch_variation": "monotone"}),
    (r"\b(normal|moderate|medium|average) pitch variation\b", {"pitch_variation": "normal"}),
    (r"\b(monotone|monotonous|flat intonation|flat voice)\b", {"pitch_variation": "monotone"}),
    (r"\b(expressive|animated|lively|sing-song|melodic)\b", {"pitch_variation": "expressive"}),
    (r"\b(high|very high) pitch(ed)?\b(?! variation)|\bhigh-pitched\b|\bshrill\b|\bsqueaky\b",
     {"pitch_level": "high"}),
    (r"\b(low|very low) pitch(ed)?\b(?! variation)|\blow-pitched\b|\bdeep voice\b|\bdeep-voiced\b",
     {"pitch_level": "low"}),
    (r"\b(normal|moderate|medium|average) pitch\b(?! variation)", {"pitch_level": "normal"}),
    (r"\b(whisper|whispers|whispered|whispering)\b", {"voice_quality": "whispered", "loudness": "quiet"}),
    (r"\b(loud|loudly|shout|shouts|shouting|shouted|yell|yells|yelling|booming)\b", {"loudness": "loud"}),
    (r"\b(quiet|quietly|soft|softly|hushed|murmur|murmurs|murmuring|mumbling)\b", {"loudness": "quiet"}),
    (r"\b(normal|moderate|medium) (volume|loudness)\b|\bnormal energy\b", {"loudness": "normal"}),
    (r"\b(fast|quickly|rapid|rapidly|hurried|hurriedly|rushed|quick)\b", {"rate": "fast"}),
    (r"\b(slow|slowly|drawn-out|leisurely|unhurried)\b", {"rate": "slow"}),
    (r"\b(normal|moderate|medium|average) (speed|pace|rate|tempo)\b", {"rate": "normal"}),
    (r"\b(breathy|airy|sighing|sigh)\b", {"voice_quality": "breathy"}),
    (r"\b(tense voice|strained|pressed voice|harsh|tight voice)\b", {"voice_quality": "tense"}),
    (r"\b(creaky|croaky|vocal fry|gravelly|raspy)\b", {"voice_quality": "creaky"}),
)
_COMPILED_CUES = tuple((re.compile(pattern), settings) for pattern, settings in VOICE_CUES)


def voice_settings(text: str) -> dict[str, str]:
    """Descriptor settings named in a lower-cased text; the first cue for a field wins."""
    settings: dict[str, str] = {}
    for pattern, cue in _COMPILED_CUES:
        if pattern.search(text):
            for field, value in cue.items():
                settings.setdefault(field, value)
    return settings
