"""A corpus of English emotion/voice descriptions with their targets, made from the vocabulary.

Labels come from the same modifier semantics the parser uses (conditioning.modifiers),
plus a table of idioms without vocabulary words, which only the learned head can read.
The split is deterministic: held-out templates, words and idioms never appear in
training, so the test split measures generalisation, not memory.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

from conditioning.categories import CATEGORIES
from conditioning.modifiers import DEGREE_FACTORS, negated, with_degree
from conditioning.target import EmotionTarget, mix_targets, normalized_distribution
from conditioning.vocabulary import vocabulary
from conditioning.voice import VoiceDescriptors

# Phrasings without vocabulary words: (phrase, category weights, intensity, VAD).
IDIOMS: tuple[tuple[str, dict[str, float], float, tuple[float, float, float]], ...] = (
    ("on the verge of tears", {"sad": 1.0}, 0.8, (-0.7, -0.1, -0.5)),
    ("choking back tears", {"sad": 1.0}, 0.85, (-0.75, 0.1, -0.5)),
    ("heavy-hearted", {"sad": 1.0}, 0.6, (-0.6, -0.3, -0.3)),
    ("down in the dumps", {"sad": 1.0}, 0.55, (-0.55, -0.4, -0.3)),
    ("feeling blue", {"sad": 1.0}, 0.5, (-0.5, -0.35, -0.3)),
    ("crushed", {"sad": 1.0}, 0.85, (-0.8, -0.1, -0.6)),
    ("over the moon", {"happy": 1.0}, 0.9, (0.9, 0.6, 0.4)),
    ("on cloud nine", {"happy": 1.0}, 0.9, (0.9, 0.5, 0.4)),
    ("beaming", {"happy": 1.0}, 0.75, (0.8, 0.5, 0.4)),
    ("can't stop smiling", {"happy": 1.0}, 0.75, (0.8, 0.5, 0.3)),
    ("walking on air", {"happy": 1.0}, 0.8, (0.85, 0.5, 0.4)),
    ("in high spirits", {"happy": 1.0}, 0.7, (0.75, 0.5, 0.4)),
    ("shaking with rage", {"angry": 1.0}, 0.95, (-0.8, 0.9, 0.5)),
    ("seething", {"angry": 1.0}, 0.85, (-0.7, 0.7, 0.4)),
    ("fuming", {"angry": 1.0}, 0.85, (-0.7, 0.75, 0.4)),
    ("boiling over", {"angry": 1.0}, 0.9, (-0.75, 0.85, 0.4)),
    ("fed up", {"angry": 0.7, "sad": 0.3}, 0.55, (-0.6, 0.2, 0.1)),
    ("at the end of their tether", {"angry": 0.6, "sad": 0.4}, 0.7, (-0.65, 0.4, -0.2)),
    ("trembling with fear", {"fearful": 1.0}, 0.9, (-0.75, 0.8, -0.6)),
    ("on edge", {"fearful": 1.0}, 0.55, (-0.45, 0.5, -0.3)),
    ("jumpy", {"fearful": 1.0}, 0.5, (-0.35, 0.55, -0.3)),
    ("scared stiff", {"fearful": 1.0}, 0.9, (-0.75, 0.7, -0.7)),
    ("heart pounding with dread", {"fearful": 1.0}, 0.85, (-0.7, 0.8, -0.6)),
    ("butterflies in the stomach", {"fearful": 0.7, "happy": 0.3}, 0.4, (-0.1, 0.5, -0.2)),
    ("grossed out", {"disgusted": 1.0}, 0.7, (-0.65, 0.3, 0.1)),
    ("sickened", {"disgusted": 1.0}, 0.8, (-0.7, 0.35, 0.0)),
    ("nauseated by it", {"disgusted": 1.0}, 0.8, (-0.7, 0.3, -0.1)),
    ("turning up their nose", {"disgusted": 0.8, "angry": 0.2}, 0.5, (-0.45, 0.1, 0.4)),
    ("taken aback", {"surprised": 1.0}, 0.6, (0.0, 0.55, -0.2)),
    ("caught off guard", {"surprised": 1.0}, 0.6, (-0.05, 0.55, -0.3)),
    ("jaw-dropping disbelief", {"surprised": 1.0}, 0.9, (0.1, 0.8, -0.2)),
    ("couldn't believe their ears", {"surprised": 1.0}, 0.75, (0.05, 0.7, -0.2)),
    ("at ease", {"calm": 1.0}, 0.6, (0.5, -0.6, 0.3)),
    ("laid-back", {"calm": 1.0}, 0.55, (0.45, -0.55, 0.3)),
    ("cool and collected", {"calm": 1.0}, 0.6, (0.4, -0.5, 0.5)),
    ("unruffled", {"calm": 1.0}, 0.55, (0.35, -0.5, 0.4)),
    ("matter-of-fact", {"neutral": 1.0}, 0.1, (0.0, -0.05, 0.1)),
    ("plain and factual", {"neutral": 1.0}, 0.05, (0.0, -0.1, 0.05)),
    ("like reading the news", {"neutral": 1.0}, 0.1, (0.0, 0.0, 0.15)),
    ("without any emotion", {"neutral": 1.0}, 0.0, (0.0, -0.1, 0.0)),
)

# {emotion} is an emotion phrase; {voice} a voice phrase (may be empty).
TEMPLATES: tuple[str, ...] = (
    "{emotion}", "a {emotion} voice", "{emotion} voice{voice}", "sounding {emotion}{voice}",
    "she sounds {emotion}{voice}", "he speaks in a {emotion} tone{voice}", "read it as if {emotion}",
    "the narrator is {emotion}{voice}", "a {emotion} delivery{voice}", "speak like someone {emotion}",
    "they are {emotion}{voice}", "my character feels {emotion}", "tone: {emotion}{voice}",
    "a person who is {emotion}{voice}", "say this {emotion}{voice}", "in a {emotion} mood{voice}",
    "somebody {emotion} talking{voice}", "voice of a {emotion} teenager", "a {emotion} old man{voice}",
    "the speaker feels {emotion}{voice}", "an announcer who is {emotion}", "{emotion}, {voice_bare}",
    "speaker has {voice_caption} and emotion is {emotion}", "a {emotion} whisper", "a {emotion} shout",
    "reads the line {emotion}{voice}",
)
VOICE_PHRASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("pitch_level", "high"): ("a high pitch", "a high-pitched voice", "high pitched"),
    ("pitch_level", "low"): ("a low pitch", "a deep voice", "low pitched"),
    ("pitch_level", "normal"): ("a normal pitch", "a medium pitch"),
    ("pitch_variation", "expressive"): ("a high pitch variation", "expressive intonation", "lively intonation"),
    ("pitch_variation", "monotone"): ("a low pitch variation", "a monotone delivery", "flat intonation"),
    ("pitch_variation", "normal"): ("a normal pitch variation",),
    ("loudness", "loud"): ("loud", "shouting", "loudly"),
    ("loudness", "quiet"): ("quiet", "softly", "hushed"),
    ("loudness", "normal"): ("at normal volume", "normal volume"),
    ("rate", "fast"): ("fast", "speaking quickly", "rapidly"),
    ("rate", "slow"): ("slow", "speaking slowly", "unhurried"),
    ("rate", "normal"): ("at a normal speed", "normal pace"),
    ("voice_quality", "breathy"): ("breathy", "airy"),
    ("voice_quality", "whispered"): ("whispering", "whispered"),
    ("voice_quality", "tense"): ("strained", "harsh"),
    ("voice_quality", "creaky"): ("creaky", "raspy"),
}
HELD_OUT_SHARE = 0.2


@dataclass(frozen=True)
class DescriptionExample:
    text: str
    target: EmotionTarget
    split: str  # "train", "test_template" (unseen template) or "test_words" (unseen words)


def _held_out(name: str, salt: str) -> bool:
    """A stable pseudo-random choice of what is held out, independent of the seed.
    The core category words are always trained on."""
    if salt == "word" and name in CATEGORIES:
        return False
    digest = hashlib.sha256(f"{salt}:{name}".encode()).digest()
    return digest[0] / 255.0 < HELD_OUT_SHARE


def _idiom_target(idiom) -> EmotionTarget:
    _, weights, intensity, vad = idiom
    return EmotionTarget(vad, normalized_distribution(weights), intensity)


def _emotion_phrase(rng: random.Random, test_words: bool) -> tuple[str, EmotionTarget]:
    """A (possibly degree-modified or negated) word or an idiom."""
    words = [e for e in vocabulary().entries if _held_out(e.word, "word") == test_words]
    idioms = [i for i in IDIOMS if _held_out(i[0], "idiom") == test_words]
    if rng.random() < 0.25 and idioms:
        idiom = rng.choice(idioms)
        return idiom[0], _idiom_target(idiom)
    entry = rng.choice(words)
    surface = rng.choice([entry.word, *entry.aliases]) if entry.aliases and rng.random() < 0.2 else entry.word
    target = entry.target()
    roll = rng.random()
    if roll < 0.12:
        absolute = rng.random() < 0.4
        return f"not {surface}{' at all' if absolute else ''}", negated(target, absolute)
    if roll < 0.6:
        degree = rng.choice(list(DEGREE_FACTORS))
        return f"{degree} {surface}", with_degree(target, DEGREE_FACTORS[degree])
    return surface, target


def _mixed_phrase(rng: random.Random, test_words: bool) -> tuple[str, EmotionTarget]:
    first_text, first = _emotion_phrase(rng, test_words)
    if rng.random() > 0.2:
        return first_text, first
    second_text, second = _emotion_phrase(rng, test_words)
    joiner = rng.choice((" but ", " and ", ", yet "))
    weights = [max(first.intensity, 0.05), max(second.intensity, 0.05)]
    return first_text + joiner + second_text, mix_targets([first, second], weights)


def _voice(rng: random.Random) -> tuple[dict[str, str], list[str]]:
    chosen: dict[str, str] = {}
    phrases = []
    for field in ("pitch_level", "pitch_variation", "loudness", "rate", "voice_quality"):
        if rng.random() < 0.2:
            options = [key for key in VOICE_PHRASES if key[0] == field]
            key = rng.choice(options)
            chosen[field] = key[1]
            phrases.append(rng.choice(VOICE_PHRASES[key]))
    return chosen, phrases


def _render(template: str, emotion: str, rng: random.Random) -> tuple[str, dict[str, str]]:
    voice, phrases = _voice(rng) if "{voice" in template else ({}, [])
    if "{voice_caption}" in template or "{voice_bare}" in template:
        if not phrases:
            key = rng.choice(list(VOICE_PHRASES))
            voice, phrases = {key[0]: key[1]}, [rng.choice(VOICE_PHRASES[key])]
    if "whisper" in template:
        voice = {**voice, "voice_quality": "whispered", "loudness": "quiet"}
    if "shout" in template:
        voice = {**voice, "loudness": "loud"}
    text = template.format(
        emotion=emotion,
        voice=(", " + " and ".join(phrases)) if phrases else "",
        voice_bare=" and ".join(phrases),
        voice_caption=" and ".join(phrases),
    )
    return text, voice


def generate_descriptions(count: int, seed: int, split: str) -> list[DescriptionExample]:
    """`count` examples of one split: "train", "test_template" or "test_words"."""
    rng = random.Random(f"{seed}:{split}")
    held_templates = split == "test_template"
    test_words = split == "test_words"
    templates = [t for t in TEMPLATES if _held_out(t, "template") == held_templates]
    if test_words:
        templates = list(TEMPLATES)
    examples = []
    for _ in range(count):
        emotion_text, target = _mixed_phrase(rng, test_words)
        text, voice = _render(rng.choice(templates), emotion_text, rng)
        examples.append(DescriptionExample(text, target.with_voice(VoiceDescriptors(**voice)), split))
    return examples
