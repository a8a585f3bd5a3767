"""Free-text descriptions of a feeling or a voice.

Two readings are fused. The lexical reading finds vocabulary words with their degree
words and negation, and voice cues ("a whisper", "high pitch"): exact and predictable.
The learned head (MiniLM embedding -> target) reads the whole sentence, so it also
understands phrasings without vocabulary words ("on the verge of tears").
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ..errors import EmotionInputError
from ..modifiers import ABSOLUTE_NEGATION, DEGREE_FACTORS, NEGATIONS, negated, voice_settings, with_degree
from ..target import EmotionTarget, mix_targets
from ..vocabulary import vocabulary
from ..voice import VoiceDescriptors

MAX_DESCRIPTION_CHARS = 500
# How far back (in tokens) a degree word or a negation reaches, within its clause.
MODIFIER_WINDOW = 4
CLAUSE_BREAKS = {",", ";", ".", "but", "and", "yet", "though", "although", "while", "with"}
# Weight of the lexical reading when it found emotion words; the head fills in nuance.
LEXICAL_WEIGHT = 0.8
# A voice descriptor from the head is used only where the text names none and the head is sure.
HEAD_VOICE_CONFIDENCE = 0.7
# How close (difflib ratio) an unknown word must be to a vocabulary word to read as its typo:
# 'anrgy' ~ 'angry' is 0.8, 'hapy' ~ 'happy' 0.89.
TYPO_SIMILARITY = 0.75

_TOKEN = re.compile(r"[a-z]+(?:[-'][a-z]+)*|[,;.]")
_DEGREE_PHRASES = sorted(DEGREE_FACTORS, key=len, reverse=True)


@dataclass(frozen=True)
class LexicalReading:
    emotions: tuple[EmotionTarget, ...]
    voice: VoiceDescriptors

    def target(self) -> EmotionTarget | None:
        if not self.emotions:
            return None
        weights = [max(t.intensity, 0.05) for t in self.emotions]
        return mix_targets(list(self.emotions), weights).with_voice(self.voice)


def _clause_before(tokens: list[str], index: int) -> list[str]:
    window = []
    for token in reversed(tokens[max(0, index - MODIFIER_WINDOW):index]):
        if token in CLAUSE_BREAKS:
            break
        window.insert(0, token)
    return window


def _degree_factor(window: list[str]) -> float | None:
    text = " ".join(window)
    for phrase in _DEGREE_PHRASES:
        if re.search(rf"\b{re.escape(phrase)}\b", text):
            return DEGREE_FACTORS[phrase]
    return None


def _is_negated(window: list[str]) -> bool:
    return any(token in NEGATIONS or token.endswith("n't") for token in window)


def _clause_after(tokens: list[str], index: int) -> str:
    after = []
    for token in tokens[index + 1:index + 5]:
        if token in CLAUSE_BREAKS:
            break
        after.append(token)
    return " ".join(after)


def read_lexically(text: str) -> LexicalReading:
    lowered = text.lower().replace("\u2019", "'")
    tokens = _TOKEN.findall(lowered)
    emotions = []
    for index, token in enumerate(tokens):
        entry = vocabulary().find(token)
        if entry is None or token in DEGREE_FACTORS:
            continue
        window = _clause_before(tokens, index)
        target = entry.target()
        factor = _degree_factor(window)
        if factor is not None:
            target = with_degree(target, factor)
        if _is_negated(window):
            absolute = bool(ABSOLUTE_NEGATION.search(_clause_after(tokens, index)))
            target = negated(target, absolute)
        emotions.append(target)
    return LexicalReading(tuple(emotions), VoiceDescriptors(**voice_settings(lowered)))


def validate_description(text: str) -> str:
    if not isinstance(text, str):
        raise EmotionInputError(f"a description must be text; got {type(text).__name__}")
    stripped = text.strip()
    if not stripped:
        raise EmotionInputError("the emotion description is empty")
    if len(stripped) > MAX_DESCRIPTION_CHARS:
        raise EmotionInputError(
            f"the emotion description has {len(stripped)} characters; the limit is {MAX_DESCRIPTION_CHARS}")
    if not re.search(r"[a-zA-Z]", stripped):
        raise EmotionInputError(f"the emotion description {stripped!r} has no words")
    return stripped


@dataclass(frozen=True)
class DescriptionReading:
    """A description's target and what the user should hear about how it was read."""
    target: EmotionTarget
    warnings: tuple[str, ...] = ()
    typos: tuple[tuple[str, tuple[str, ...]], ...] = ()


def holds_emotion_or_voice_word(lexical: LexicalReading) -> bool:
    """Whether the text names a vocabulary emotion word (or alias) or a voice cue."""
    return bool(lexical.emotions) or bool(lexical.voice.as_dict())


def suspected_typos(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Words that are neither known English words nor vocabulary words but lie close to
    vocabulary words: ('hapy', ('happy',)). Known words ('made' ~ 'mad') are never typos."""
    from ..sentence_encoder import known_words  # reads the encoder's word list, not the model

    typos = []
    for token in _TOKEN.findall(text.lower().replace("\u2019", "'")):
        if len(token) < 3 or not token.isalpha() or token in known_words() or vocabulary().find(token):
            continue
        close = difflib.get_close_matches(token, vocabulary().names, n=3, cutoff=TYPO_SIMILARITY)
        if close:
            typos.append((token, tuple(close)))
    return tuple(typos)


def _reading_warning(text: str, head_target: EmotionTarget, typos) -> str:
    shares = ", ".join(f"{name} {share:.0%}" for name, share in head_target.top_categories(2) if share >= 0.01)
    warning = (f"{text!r} holds no emotion or voice word the studio knows; the text head alone read it as "
               f"{head_target.category} at intensity {head_target.intensity:.2f} ({shares})")
    if typos:
        warning += "; did you mean " + ", ".join(f"{close[0]!r} for {word!r}" for word, close in typos) + "?"
    return warning


def read_description(text: str) -> DescriptionReading:
    """The fused reading, with a warning when only the learned head could read the text."""
    text = validate_description(text)
    lexical = read_lexically(text)
    from ..text_head import shipped_reader  # torch and the sentence encoder: only for free text

    head = shipped_reader().read([text])[0]
    lexical_target = lexical.target()
    if lexical_target is None:
        target = head.target
    else:
        target = mix_targets([lexical_target, head.target], [LEXICAL_WEIGHT, 1 - LEXICAL_WEIGHT])
    head_voice = {field: value for field, value in head.target.voice.as_dict().items()
                  if head.voice_confidence[field] >= HEAD_VOICE_CONFIDENCE}
    voice = lexical.voice.merged_over(VoiceDescriptors(**head_voice))
    target = target.with_voice(voice)
    if holds_emotion_or_voice_word(lexical):
        return DescriptionReading(target)
    typos = suspected_typos(text)
    return DescriptionReading(target, (_reading_warning(text, head.target, typos),), typos)


def parse_description(text: str) -> EmotionTarget:
    return read_description(text).target
