"""The emotion vocabulary: English words with VAD norms, categories and EmotionML names.

Data: `data/vocabulary.csv` (its header names the sources). VAD values there are the
published 1-9 ratings; they are rescaled to [-1, 1] here.
"""

from __future__ import annotations

import csv
import difflib
import functools
from dataclasses import dataclass
from importlib import resources

import numpy as np

from .categories import CATEGORIES
from .errors import UnknownEmotionError
from .target import EmotionTarget, normalized_distribution
from .voice import VoiceDescriptors


def rescale_norm(rating: float) -> float:
    """A 1-9 rating scale to [-1, 1] (5 is the scale's neutral midpoint)."""
    return (rating - 5.0) / 4.0


@dataclass(frozen=True)
class VocabularyEntry:
    word: str
    norm_vad: tuple[float, float, float]
    categories: tuple[float, ...]
    intensity: float
    aliases: tuple[str, ...]
    emotionml_big6: str | None
    emotionml_everyday: str | None

    def target(self, intensity: float | None = None,
               voice: VoiceDescriptors = VoiceDescriptors()) -> EmotionTarget:
        """This word's point in the space, moved along its direction to `intensity`.

        The norms rate a word as typically meant, so they sit at the word's own nominal
        intensity; other intensities scale the VAD offset from neutral proportionally.
        """
        level = self.intensity if intensity is None else intensity
        scale = level / self.intensity if self.intensity > 0 else 0.0
        vad = np.clip(np.array(self.norm_vad) * scale, -1.0, 1.0)
        return EmotionTarget(tuple(vad), self.categories, level, voice)


def _parse_categories(text: str) -> tuple[float, ...]:
    weights: dict[str, float] = {}
    for part in text.split("|"):
        name, _, weight = part.partition(":")
        weights[name.strip()] = float(weight) if weight else 1.0
    return normalized_distribution(weights)


def _read_entries() -> list[VocabularyEntry]:
    source = resources.files("conditioning") / "data" / "vocabulary.csv"
    lines = [line for line in source.read_text().splitlines() if not line.startswith("#")]
    entries = []
    for row in csv.DictReader(lines):
        entries.append(VocabularyEntry(
            word=row["word"],
            norm_vad=tuple(rescale_norm(float(row[k])) for k in ("valence", "arousal", "dominance")),
            categories=_parse_categories(row["categories"]),
            intensity=float(row["intensity"]),
            aliases=tuple(a for a in row["aliases"].split("|") if a),
            emotionml_big6=row["emotionml_big6"] or None,
            emotionml_everyday=row["emotionml_everyday"] or None,
        ))
    return entries


class Vocabulary:
    """Word lookup (words and aliases), suggestions for unknown words, nearest words."""

    def __init__(self, entries: list[VocabularyEntry]):
        self.entries = entries
        self._by_name: dict[str, VocabularyEntry] = {}
        for entry in entries:
            for name in (entry.word, *entry.aliases, entry.emotionml_big6, entry.emotionml_everyday):
                if name:
                    self._by_name.setdefault(name.lower(), entry)
        self._targets = [entry.target() for entry in entries]
        self._vad = np.array([t.vad for t in self._targets])
        self._intensity = np.array([t.intensity for t in self._targets])
        self._categories = np.array([t.categories for t in self._targets])

    @property
    def names(self) -> list[str]:
        """Every word and alias the vocabulary understands."""
        return sorted(self._by_name)

    def find(self, name: str) -> VocabularyEntry | None:
        return self._by_name.get(name.strip().lower())

    def lookup(self, name: str) -> VocabularyEntry:
        entry = self.find(name)
        if entry is None:
            raise UnknownEmotionError(name, self.suggest(name))
        return entry

    def suggest(self, name: str, count: int = 3) -> list[str]:
        return difflib.get_close_matches(name.strip().lower(), self.names, n=count, cutoff=0.6)

    def nearest(self, target: EmotionTarget, count: int = 3) -> list[tuple[str, float]]:
        """Vocabulary words closest to a target in VAD, intensity and category mix."""
        distance = (
            ((self._vad - np.array(target.vad)) ** 2).sum(axis=1)
            + (self._intensity - target.intensity) ** 2
            + 0.5 * ((self._categories - np.array(target.categories)) ** 2).sum(axis=1)
        )
        order = np.argsort(distance, kind="stable")[:count]
        return [(self.entries[i].word, float(np.sqrt(distance[i]))) for i in order]


@functools.cache
def vocabulary() -> Vocabulary:
    """The shipped vocabulary, read once."""
    entries = _read_entries()
    missing = [c for c in CATEGORIES if c not in {e.word for e in entries}]
    if missing:
        raise RuntimeError(f"vocabulary.csv lacks the core categories {missing}")
    return Vocabulary(entries)
