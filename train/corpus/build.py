"""Build the emotional speech corpus: sentences x emotions x voices -> WAVs + a manifest.

    python -m train.corpus.build --size tiny --out data/corpus-tiny     # < 1 min, for tests
    python -m train.corpus.build --size full --out data/corpus          # what the models train on

What is rendered (see :class:`CorpusConfig`): every sentence of the chosen splits in each of
the 8 categories at every intensity of ``intensities`` (neutral once) plus
``vad_points_per_sentence`` points drawn across the valence-arousal-dominance space. Train
and validation sentences are spoken by the training voices (two per sentence, alternating
item by item); test sentences only by the held-out voice, which nothing trains on.

How one item is rendered (:func:`render_group`): the prosody prior turns its EmotionTarget
into ProsodyTargets; the engine's own controls take a coarse share of tempo and F0 (one of
up to nine presets, shared by the items of a sentence and voice so each preset is rendered
and WORLD-analysed once); WORLD then applies the rest: the remaining F0 level and range,
contour, timing, energy, spectral tilt, breathiness, jitter and shimmer. What the engine
actually did is measured (F0 median and spread, duration against the plain rendering), so
the WORLD share is exact rather than assumed.

Output layout (documented in docs/corpus.md)::

    OUT/audio/<item id>.wav      22.05 kHz mono 16-bit PCM
    OUT/groups/<group>.json      the items of one sentence and voice (written last: done marker)
    OUT/manifest.jsonl           one JSON object per item, in plan order
    OUT/corpus.json              config, counts, hours of audio, build time

Deterministic for a seed (same plan, same audio bytes), resumable (finished groups are
skipped; every file is written to a temporary name and renamed), parallel over ``--jobs``
processes, with a progress bar.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import json
import multiprocessing
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf
from tqdm import tqdm

from conditioning.categories import CATEGORIES
from common.atomic import atomic_write_bytes
from conditioning.prosody import ProsodyTargets, prosody_prior
from conditioning.space import target_from_vad
from conditioning.target import EmotionTarget
from conditioning.vocabulary import vocabulary

from .real_anchors import ANCHOR_SETS, build_anchors
from .sentences import Sentence, corpus_sentences
from synth.render.emotional import (ENGINE_F0_MEAN_FLOOR_HZ, ENGINE_F0_SEMITONES, ENGINE_F0_THRESHOLD, ENGINE_STRETCH,
                                    ENGINE_TEMPO_THRESHOLD, EngineRendering, contour_for, engine_preset,
                                    engine_renderings, limit_widening, world_share)
from synth.render.engines import PIPER_VOICES, VOICES, voice_spec
from synth.render.world_transform import OUTPUT_SAMPLE_RATE, apply_prosody_to_features

MANIFEST_VERSION = 1
HELD_OUT_VOICE = "kal16"


@dataclass(frozen=True)
class CorpusConfig:
    """What a corpus build renders. Saved in corpus.json; the same config and seed give
    the same corpus."""

    name: str
    sentence_count: int = 720                      # size of the sentence pool the splits come from
    splits: tuple[str, ...] = ("train", "validation", "test")
    sentences_per_split: int | None = None         # None: every sentence of each split
    intensities: tuple[float, ...] = (0.5, 0.75, 1.0)
    vad_points_per_sentence: int = 2
    voices_per_sentence: int = 2
    held_out_voice: str = HELD_OUT_VOICE
    seed: int = 0
    # Voices (e.g. the Piper voice joe, trained on a real speaker) that say every train and
    # validation sentence in every item, beside the drawn training voices.
    extra_voices: tuple[str, ...] = ()
    # Sentences of each split in ``splits`` order (overrides sentences_per_split where given).
    split_sentence_counts: tuple[int, ...] = ()
    # Real neutral recordings added as train items (train/corpus/real_anchors.py).
    real_anchors: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.held_out_voice not in VOICES:
            raise ValueError(f"unknown held-out voice {self.held_out_voice!r}; voices: {', '.join(VOICES)}")
        if not self.intensities or not all(0.0 < i <= 1.0 for i in self.intensities):
            raise ValueError(f"intensities must be in (0, 1]; got {self.intensities}")
        if not 1 <= self.voices_per_sentence <= len(self.training_voices):
            raise ValueError(f"voices_per_sentence must be 1..{len(self.training_voices)}")
        unknown = [v for v in self.extra_voices if v in VOICES or v not in PIPER_VOICES]
        if unknown:
            raise ValueError(f"extra voices must be Piper voices ({', '.join(PIPER_VOICES)}); got {unknown}")
        if self.split_sentence_counts and len(self.split_sentence_counts) != len(self.splits):
            raise ValueError(f"split_sentence_counts needs one count per split {self.splits}")
        missing = [a for a in self.real_anchors if a not in ANCHOR_SETS]
        if missing:
            raise ValueError(f"unknown real anchor sets {missing}; known: {', '.join(ANCHOR_SETS)}")

    @property
    def training_voices(self) -> tuple[str, ...]:
        return tuple(v for v in VOICES if v != self.held_out_voice)


SIZES = {
    "tiny": CorpusConfig(name="tiny", sentences_per_split=2, intensities=(1.0,), vad_points_per_sentence=1),
    "full": CorpusConfig(name="full"),
    # Issue 34: a fine-tuning corpus closer to people. joe says 80 train and 4 validation
    # sentences in every item; one of the six Debian voices says each beside it, so they
    # are not forgotten; the held-out voice says 6 test sentences; real neutral anchors.
    "people": CorpusConfig(name="people", split_sentence_counts=(80, 4, 6), voices_per_sentence=1,
                           extra_voices=("joe",), real_anchors=("asterisk_allison",)),
    "people-tiny": CorpusConfig(name="people-tiny", sentences_per_split=1, intensities=(1.0,),
                                vad_points_per_sentence=0, voices_per_sentence=1, extra_voices=("joe",),
                                real_anchors=("asterisk_allison",)),
}


@dataclass(frozen=True)
class ItemPlan:
    id: str
    sentence: Sentence
    voice: str
    target: EmotionTarget
    source: dict
    seed: int


@dataclass(frozen=True)
class GroupPlan:
    """The items one worker renders together: one sentence, one voice."""

    id: str
    items: tuple[ItemPlan, ...] = field(default_factory=tuple)


# ------------------------------------------------------------------------------ plan

def _seed_for(*parts: object) -> int:
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "little")


def _category_items(intensities: tuple[float, ...]) -> list[tuple[str, EmotionTarget, dict]]:
    words = vocabulary()
    items = [("neutral", words.lookup("neutral").target(0.0), {"kind": "category", "category": "neutral",
                                                                 "intensity": 0.0})]
    for category in CATEGORIES:
        if category == "neutral":
            continue
        for intensity in intensities:
            label = f"{category}-{round(intensity * 100):03d}"
            source = {"kind": "category", "category": category, "intensity": intensity}
            items.append((label, words.lookup(category).target(intensity), source))
    return items


def sample_vad_point(rng: np.random.Generator) -> np.ndarray:
    """A point in the VAD cube: uniform direction, radius uniform in [0.15, 1] (clipped to
    the cube), so weak and strong emotions are both common."""
    direction = rng.normal(size=3)
    direction /= max(np.linalg.norm(direction), 1e-9)
    return np.clip(direction * rng.uniform(0.15, 1.0), -1.0, 1.0)


def _vad_items(sentence: Sentence, count: int, seed: int) -> list[tuple[str, EmotionTarget, dict]]:
    rng = np.random.default_rng(_seed_for(seed, sentence.id, "vad"))
    items = []
    for k in range(count):
        vad = sample_vad_point(rng)
        items.append((f"vad{k + 1}", target_from_vad(vad), {"kind": "vad", "vad": [round(float(x), 6) for x in vad]}))
    return items


def plan_corpus(config: CorpusConfig) -> list[GroupPlan]:
    """Every group and item of a build, deterministically from the config."""
    groups: dict[tuple[str, str], list[ItemPlan]] = {}
    categories = _category_items(config.intensities)
    for sentence in _sentences(config):
        if sentence.split == "test":
            voices = [config.held_out_voice]
        else:
            order = np.random.default_rng(_seed_for(config.seed, sentence.id, "voices")).permutation(
                len(config.training_voices))
            voices = [config.training_voices[i] for i in order[: config.voices_per_sentence]]
            voices += [v for v in config.extra_voices if v not in voices]
        # Every voice says the sentence neutrally once (the reference a synthesizer and a
        # listener compare the others with); the emotional items alternate between voices.
        neutral, emotional = categories[0], categories[1:] + _vad_items(sentence, config.vad_points_per_sentence,
                                                                         config.seed)
        drawn = [v for v in voices if v not in config.extra_voices]
        assignments = [(voice, neutral) for voice in voices] + [
            (drawn[k % len(drawn)], emotion) for k, emotion in enumerate(emotional)] + [
            (voice, emotion) for voice in voices if voice in config.extra_voices for emotion in emotional]
        for voice, (label, target, source) in assignments:
            item_id = f"{sentence.id}-{voice}-{label}"
            item = ItemPlan(item_id, sentence, voice, target, source, _seed_for(config.seed, item_id))
            groups.setdefault((sentence.id, voice), []).append(item)
    return [GroupPlan(f"{sid}-{voice}", tuple(items)) for (sid, voice), items in groups.items()]


def _sentences(config: CorpusConfig) -> list[Sentence]:
    chosen = []
    for k, split in enumerate(config.splits):
        in_split = [s for s in corpus_sentences(config.sentence_count) if s.split == split]
        count = config.split_sentence_counts[k] if config.split_sentence_counts else config.sentences_per_split
        chosen += in_split[:count] if count else in_split
    return chosen


# ------------------------------------------------------------------------------ rendering

def _wav_bytes(audio: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, audio, OUTPUT_SAMPLE_RATE, subtype="PCM_16", format="WAV")
    return buffer.getvalue()


def render_group(group: GroupPlan, out_dir: Path) -> list[dict]:
    """Render, write and describe every item of one group; returns the manifest records."""
    prosody = {item.id: prosody_prior(item.target) for item in group.items}
    presets = {item.id: engine_preset(prosody[item.id], item.voice) for item in group.items}
    first = group.items[0]
    engine = engine_renderings(first.sentence.text, first.voice, set(presets.values()))
    records = []
    for item in group.items:
        rendering = engine[presets[item.id]]
        targets = prosody[item.id]
        if item.voice in PIPER_VOICES:   # as the studio speaks a lively neural voice (synth/render/synthesizer.py)
            targets = limit_widening(targets, rendering.plain_f0_std_semitones)
            contour = contour_for(item.target, item.voice)
        else:
            contour = contour_for(item.target)
        result = apply_prosody_to_features(rendering.features, rendering.phones,
                                           world_share(targets, rendering.measured),
                                           seed=item.seed, contour=contour)
        relative = f"audio/{item.id}.wav"
        atomic_write_bytes(out_dir / relative, _wav_bytes(result.audio))
        records.append(_record(item, relative, result, prosody[item.id], rendering))
    return records


def _record(item: ItemPlan, relative: str, result, prosody: ProsodyTargets, rendering: EngineRendering) -> dict:
    controls = rendering.controls
    return {
        "id": item.id,
        "audio": relative,
        "sample_rate": OUTPUT_SAMPLE_RATE,
        "duration_s": round(result.duration, 6),
        "text": item.sentence.text,
        "sentence_id": item.sentence.id,
        "sentence_kind": item.sentence.kind,
        "split": item.sentence.split,
        "voice": item.voice,
        "speaker_sex": voice_spec(item.voice).sex,
        "phones": [[p, round(s, 6), round(e, 6)] for p, s, e in result.phones],
        "target": item.target.to_dict(),
        "source": item.source,
        "rendering": {
            "prosody_targets": prosody.to_dict(),
            "engine_controls": {"duration_stretch": controls.duration_stretch, "f0_mean_hz": controls.f0_mean_hz,
                                "f0_std_hz": controls.f0_std_hz},
            "engine_measured": {k: round(v, 4) for k, v in rendering.measured.items()},
            "world": result.applied,
        },
    }


def _build_one(args: tuple[GroupPlan, str]) -> tuple[str, float, int]:
    group, out = args
    out_dir = Path(out)
    started = time.perf_counter()
    records = render_group(group, out_dir)
    payload = json.dumps({"group": group.id, "items": records}, sort_keys=True).encode()
    atomic_write_bytes(_group_path(out_dir, group.id), payload)
    return group.id, time.perf_counter() - started, len(records)


def _group_done(out_dir: Path, group: GroupPlan) -> bool:
    """Its record file exists and so does every audio file it lists."""
    return _group_path(out_dir, group.id).exists() and all(
        (out_dir / "audio" / f"{item.id}.wav").exists() for item in group.items)


def _group_path(out_dir: Path, group_id: str) -> Path:
    return out_dir / "groups" / f"{group_id}.json"


# ------------------------------------------------------------------------------ build

def build_corpus(config: CorpusConfig, out_dir: Path, jobs: int = 2, progress: bool = True) -> dict:
    """Render what is missing, then (re)write manifest.jsonl and corpus.json. Returns the summary."""
    out_dir = Path(out_dir)
    _check_out_dir(out_dir, config)
    (out_dir / "audio").mkdir(parents=True, exist_ok=True)
    (out_dir / "groups").mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out_dir / "config.json", json.dumps(_config_dict(config), indent=2).encode())
    groups = plan_corpus(config)
    todo = [g for g in groups if not _group_done(out_dir, g)]
    started = time.perf_counter()
    worker_seconds = 0.0
    bar = tqdm(total=sum(len(g.items) for g in groups), initial=sum(len(g.items) for g in groups) - sum(
        len(g.items) for g in todo), unit="item", desc=f"corpus {config.name}", disable=not progress)
    with bar:
        if jobs <= 1:
            results = map(_build_one, [(g, str(out_dir)) for g in todo])
            worker_seconds = _drain(results, bar)
        else:
            context = multiprocessing.get_context("spawn")
            with context.Pool(jobs) as pool:
                worker_seconds = _drain(pool.imap_unordered(_build_one, [(g, str(out_dir)) for g in todo]), bar)
    anchors = build_anchors(config.real_anchors, out_dir)
    return _write_manifest(config, out_dir, groups, anchors, run_seconds=time.perf_counter() - started,
                           worker_seconds=worker_seconds, groups_built=len(todo))


def _drain(results, bar) -> float:
    total = 0.0
    for _, seconds, count in results:
        total += seconds
        bar.update(count)
    return total


def rendering_fingerprint() -> str:
    """A digest of what the prosody prior and the contour choice make of every category and
    a spread of VAD points, and of the engine's share: a corpus rendered under another prior
    or engine split is not resumed or mixed."""
    words = vocabulary()
    targets = [words.lookup(c).target(i) for c in CATEGORIES for i in (0.25, 0.5, 1.0)]
    targets += [target_from_vad(sample_vad_point(np.random.default_rng(k))) for k in range(8)]
    rendered = [[prosody_prior(t).to_dict(), contour_for(t)] for t in targets]
    rendered.append({"engine_share": [sorted(ENGINE_STRETCH.items()), ENGINE_TEMPO_THRESHOLD, ENGINE_F0_SEMITONES,
                                      ENGINE_F0_THRESHOLD, round(ENGINE_F0_MEAN_FLOOR_HZ, 3)]})
    return hashlib.sha256(json.dumps(rendered, sort_keys=True).encode()).hexdigest()[:16]


# Fields added after corpora were built: left out of config.json at their defaults, so those
# corpora still resume.
_LATER_FIELDS = ("extra_voices", "split_sentence_counts", "real_anchors")


def _config_dict(config: CorpusConfig) -> dict:
    fields = {k: v for k, v in dataclasses.asdict(config).items() if k not in _LATER_FIELDS or v}
    return {"manifest_version": MANIFEST_VERSION, "rendering": rendering_fingerprint(), **fields}


def _check_out_dir(out_dir: Path, config: CorpusConfig) -> None:
    existing = out_dir / "config.json"
    if existing.exists():
        previous = json.loads(existing.read_text())
        if previous != json.loads(json.dumps(_config_dict(config))):
            raise ValueError(f"{out_dir} holds a corpus built with another config or prosody prior "
                             f"({previous.get('name')!r}, seed {previous.get('seed')}, rendering "
                             f"{previous.get('rendering', 'unrecorded')}); choose another --out or delete it")


def _write_manifest(config: CorpusConfig, out_dir: Path, groups: list[GroupPlan], anchors: list[dict],
                    **run) -> dict:
    lines, hours = [], {}
    for records in [json.loads(_group_path(out_dir, g.id).read_text())["items"] for g in groups] + [anchors]:
        for record in records:
            lines.append(json.dumps(record, sort_keys=True))
            key = (record["split"], record["voice"])
            hours[key] = hours.get(key, 0.0) + record["duration_s"] / 3600.0
    atomic_write_bytes(out_dir / "manifest.jsonl", ("\n".join(lines) + "\n").encode())
    summary_path = out_dir / "corpus.json"
    previous_runs = json.loads(summary_path.read_text())["build_runs"] if summary_path.exists() else []
    runs = previous_runs + [{k: (round(v, 1) if isinstance(v, float) else v) for k, v in run.items()}]
    summary = {
        **_config_dict(config),
        "items": len(lines),
        "hours": round(sum(hours.values()), 3),
        "hours_by_split": {s: round(sum(h for (sp, _), h in hours.items() if sp == s), 3) for s in config.splits},
        "hours_by_voice": {v: round(sum(h for (_, vo), h in hours.items() if vo == v), 3)
                           for v in sorted({v for _, v in hours})},
        "build_runs": runs,
        "build_seconds_total": round(sum(r["run_seconds"] for r in runs), 1),
    }
    atomic_write_bytes(summary_path, json.dumps(summary, indent=2).encode())
    return summary


def read_manifest(corpus_dir: Path) -> list[dict]:
    """The items of a built corpus (manifest.jsonl), with ``audio`` as an absolute path."""
    corpus_dir = Path(corpus_dir)
    path = corpus_dir / "manifest.jsonl"
    if not path.exists():
        raise FileNotFoundError(f"no corpus manifest at {path}; build one with python -m train.corpus.build")
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    for record in records:
        record["audio"] = str(corpus_dir / record["audio"])
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--out", type=Path, required=True, help="corpus folder (resumed if it exists)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    config = dataclasses.replace(SIZES[args.size], seed=args.seed)
    try:
        summary = build_corpus(config, args.out, jobs=max(1, args.jobs))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps({k: summary[k] for k in ("name", "items", "hours", "hours_by_split", "build_seconds_total")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
