"""Valence-arousal-dominance input: triples or valence-arousal pairs, as numbers or text."""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from ..errors import EmotionInputError
from ..space import target_from_vad
from ..target import EmotionTarget

# Every pattern here matches in one way only (no nested or adjacent free repeats), so
# hostile text ('9' * 400 + ' x') is rejected in linear time, not after minutes of backtracking.
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+|nan|inf)"
_NAMED = re.compile(rf"\b(v|val|valence|a|aro|arousal|d|dom|dominance)\s*(?:[=:]\s*)?({_NUMBER})",
                    re.IGNORECASE)
_PLAIN = re.compile(rf"^(?:[(\[]\s*)?{_NUMBER}(?:(?:\s*[,;]\s*|\s+){_NUMBER}){{1,2}}(?:\s*[)\]])?$",
                    re.IGNORECASE)


def looks_like_vad(text: str) -> bool:
    """`0.5, 0.2, -0.1`, `(0.5 0.2)`, or `v=0.5 a=0.2 d=0.1` / `valence 0.5 arousal 0.2`."""
    text = text.strip()
    if _PLAIN.match(text):
        return True
    names = {m[0][0].lower() for m in _NAMED.findall(text)}
    leftover = _NAMED.sub("", text).strip(" ,;()[]")
    return {"v", "a"} <= names and not leftover


def parse_vad_text(text: str) -> EmotionTarget:
    return parse_vad_values(vad_numbers(text))


def vad_numbers(text: str) -> list[float]:
    """The numbers VAD text holds, as written and not yet checked: (valence, arousal[,
    dominance]) in the plain form, (valence, arousal, dominance) in the named one (d=0 unless
    given). The studio's emotion control reads VAD text so."""
    text = text.strip()
    if _PLAIN.match(text):
        return [float(x) for x in re.findall(_NUMBER, text, re.IGNORECASE)]
    named = {name[0].lower(): float(value) for name, value in _NAMED.findall(text)}
    if not {"v", "a"} <= set(named):
        raise EmotionInputError(f"cannot read VAD from {text!r}; expected e.g. 'v=0.5 a=0.3 d=0.1'")
    return [named["v"], named["a"], named.get("d", 0.0)]


def parse_vad_values(values: Sequence[float] | Mapping[str, float]) -> EmotionTarget:
    """A (valence, arousal[, dominance]) sequence or mapping; dominance defaults to 0."""
    if isinstance(values, Mapping):
        missing = {"valence", "arousal"} - set(values)
        if missing:
            raise EmotionInputError(f"VAD mapping lacks {', '.join(sorted(missing))}")
        unknown = set(values) - {"valence", "arousal", "dominance"}
        if unknown:  # a misspelt 'dominance' must not silently become 0
            raise EmotionInputError(f"VAD mapping has unknown keys {sorted(map(str, unknown))}; "
                                    "the keys are valence, arousal, dominance")
        values = [values["valence"], values["arousal"], values.get("dominance", 0.0)]
    values = list(values)
    if len(values) == 2:
        values.append(0.0)
    if len(values) != 3:
        raise EmotionInputError(
            f"VAD needs 2 or 3 numbers (valence, arousal[, dominance]); got {len(values)}")
    return target_from_vad(values)
