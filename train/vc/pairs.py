"""The corpus's parallel pairs for the learned conversion planner.

Every group of the corpus is one sentence said by one voice in several emotions, so any two of
its items are a source and a target of a conversion with the words and the voice held. For each
pair the planner learns the change between them:

- measured on the audio, with the measures the converter takes of a user's recording
  (synth.vc.measures): F0 level, loudness, spectral balance, F0 range, tempo;
- as the corpus rendered it (each item's recorded prosody targets), where the audio measures
  cannot see it in one sentence: pause length (most sentences have no inner pause),
  breathiness, jitter and shimmer.

Measures are taken once per item and cached beside the corpus (``vc-measures.json``).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
from tqdm import tqdm

from common.atomic import atomic_write_bytes
from conditioning.features import target_features
from conditioning.target import EmotionTarget
from synth.vc.measures import UtteranceMeasures, change_between, measure_utterance
from synth.vc.planner import ADDITIVE, FACTORS
from train.corpus.build import HELD_OUT_VOICE, read_manifest

MEASURE_CACHE = "vc-measures.json"
RENDERED = ("breathiness", "jitter", "shimmer", "pause_factor")
CHANGE_NAMES = ADDITIVE + FACTORS


@dataclass
class PairSet:
    """Arrays of one split's pairs: voice (N, 4), source and target features (N, F), change (N, 9)."""

    voice: np.ndarray
    source: np.ndarray
    target: np.ndarray
    change: np.ndarray
    source_emotions: list[EmotionTarget]
    target_emotions: list[EmotionTarget]

    def __len__(self) -> int:
        return len(self.change)


def _measure(path: str) -> dict:
    audio, rate = sf.read(path, dtype="float64", always_2d=True)
    return asdict(measure_utterance(audio.mean(axis=1), rate))


def item_measures(corpus_dir: Path, records: list[dict], jobs: int = 2) -> dict[str, UtteranceMeasures]:
    """Each record's measures by id, from the cache where it has them."""
    cache_path = Path(corpus_dir) / MEASURE_CACHE
    cached = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    missing = [r for r in records if r["id"] not in cached]
    if missing:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            measured = list(tqdm(pool.map(_measure, [r["audio"] for r in missing], chunksize=16),
                                 total=len(missing), desc="measuring items", mininterval=10))
        cached.update({r["id"]: m for r, m in zip(missing, measured)})
        atomic_write_bytes(cache_path, json.dumps(cached).encode())
    return {r["id"]: UtteranceMeasures(**cached[r["id"]]) for r in records}


def change_vector(source: dict, target: dict, measured: dict[str, float]) -> np.ndarray:
    """The 9 changes in CHANGE_NAMES order (factors in log)."""
    rendered_source, rendered_target = source["rendering"]["prosody_targets"], target["rendering"]["prosody_targets"]
    values = dict(measured)
    for name in RENDERED:
        if name in FACTORS:
            values[name] = rendered_target[name] / rendered_source[name]
        else:
            values[name] = rendered_target[name] - rendered_source[name]
    return np.array([values[n] if n in ADDITIVE else math.log(max(values[n], 1e-3)) for n in CHANGE_NAMES])


def groups_of(records: list[dict], split: str, include_held_out: bool) -> list[list[dict]]:
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for record in records:
        if record["split"] == split and (include_held_out or record["voice"] != HELD_OUT_VOICE):
            groups[(record["sentence_id"], record["voice"])].append(record)
    return [groups[key] for key in sorted(groups) if len(groups[key]) > 1]


def chosen_records(corpus_dir: Path, split: str, group_count: int | None, seed: int,
                   include_held_out: bool = False) -> list[list[dict]]:
    groups = groups_of(read_manifest(corpus_dir), split, include_held_out)
    if group_count is not None and group_count < len(groups):
        order = np.random.default_rng(seed).permutation(len(groups))[:group_count]
        groups = [groups[i] for i in sorted(order)]
    return groups


def make_pairs(groups: list[list[dict]], measures: dict[str, UtteranceMeasures], seed: int,
               others_per_group: int = 12) -> PairSet:
    """Per group: neutral to every other item and back, and ``others_per_group`` pairs of two
    emotional items (a source is not always neutral)."""
    rng = np.random.default_rng(seed)
    voice, source, target, change, emotions = [], [], [], [], []
    for group in groups:
        neutral = [r for r in group if r["source"].get("category") == "neutral"]
        emotional = [r for r in group if r not in neutral]
        pairs = [(n, e) for n in neutral for e in emotional] + [(e, n) for n in neutral for e in emotional]
        if len(emotional) > 1:
            for _ in range(others_per_group):
                a, b = rng.choice(len(emotional), size=2, replace=False)
                pairs.append((emotional[a], emotional[b]))
        for a, b in pairs:
            before, after = measures[a["id"]], measures[b["id"]]
            pair = EmotionTarget.from_dict(a["target"]), EmotionTarget.from_dict(b["target"])
            voice.append(before.voice_vector)
            source.append(target_features(pair[0]))
            target.append(target_features(pair[1]))
            change.append(change_vector(a, b, change_between(before, after)))
            emotions.append(pair)
    return PairSet(np.array(voice, dtype=np.float32), np.array(source, dtype=np.float32),
                   np.array(target, dtype=np.float32), np.array(change, dtype=np.float32),
                   [e[0] for e in emotions], [e[1] for e in emotions])


def statistics(pairs: PairSet) -> dict[str, tuple[float, ...]]:
    """The normalisation the model keeps in its config."""
    def rounded(values):
        return tuple(round(float(v), 5) for v in values)

    return {"voice_mean": rounded(pairs.voice.mean(0)), "voice_std": rounded(pairs.voice.std(0).clip(1e-3)),
            "change_mean": rounded(pairs.change.mean(0)), "change_std": rounded(pairs.change.std(0).clip(1e-3))}
