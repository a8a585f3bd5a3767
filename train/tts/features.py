"""Acoustic features of a built corpus, for TTS training: `python -m train.tts.features --corpus data/corpus`.

Analyses every item once (WORLD at 10 ms, coded; `synth/tts/acoustic.py`) into shards of
SHARD_ITEMS items under `<corpus>/tts-acoustic-<N>d/` (N: the coded envelope's dimensions,
`--envelope-dims`, so two sizes can be trained side by side), in parallel, with progress. A
shard is written to a temporary file and renamed, so an interrupted run resumes where it
stopped; the config is stored beside the shards and a different one is refused.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
from tqdm import tqdm

from common.atomic import atomic_path, atomic_write_bytes
from synth.tts.acoustic import AcousticConfig, analyze_audio
from train.corpus.build import read_manifest

SHARD_ITEMS = 256
FOLDER = "tts-acoustic"
FIELDS = ("log_f0", "voiced", "envelope", "aperiodicity", "energy_db")


@dataclass
class AcousticCorpus:
    """Every item's features end to end, with frame offsets; records from the manifest."""

    config: AcousticConfig
    records: list[dict]
    offsets: np.ndarray                 # (items + 1,)
    arrays: dict[str, np.ndarray]       # FIELDS, concatenated over items

    def item(self, index: int) -> dict[str, np.ndarray]:
        start, end = self.offsets[index], self.offsets[index + 1]
        return {name: values[start:end] for name, values in self.arrays.items()}


def _analyse(args: tuple[str, AcousticConfig]) -> dict[str, np.ndarray]:
    path, config = args
    audio, rate = sf.read(path, dtype="float64")
    features = analyze_audio(audio, rate, config)
    return {name: np.asarray(getattr(features, name)) for name in FIELDS}


def feature_folder(corpus_dir: Path, config: AcousticConfig) -> Path:
    return Path(corpus_dir) / f"{FOLDER}-{config.envelope_dims}d"


def _shard_path(folder: Path, number: int) -> Path:
    return folder / f"shard-{number:04d}.npz"


def _check_config(folder: Path, config: AcousticConfig) -> None:
    stored = folder / "config.json"
    wanted = dataclasses.asdict(config)
    if stored.exists():
        if json.loads(stored.read_text()) != wanted:
            raise SystemExit(f"{folder} holds features of another config ({stored.read_text().strip()}); "
                             f"delete the folder to rebuild with {wanted}")
        return
    atomic_write_bytes(stored, json.dumps(wanted).encode("utf-8"))


def build_features(corpus_dir: Path, config: AcousticConfig = AcousticConfig(), jobs: int = 2,
                   progress: bool = True) -> Path:
    corpus_dir = Path(corpus_dir)
    records = read_manifest(corpus_dir)
    folder = feature_folder(corpus_dir, config)
    _check_config(folder, config)
    shards = range(-(-len(records) // SHARD_ITEMS))
    missing = [n for n in shards if not _shard_path(folder, n).exists()]
    bar = tqdm(total=len(records), initial=len(records) - sum(
        len(records[n * SHARD_ITEMS:(n + 1) * SHARD_ITEMS]) for n in missing), unit="item",
        desc="acoustic features", disable=not progress)
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        for number in missing:
            chunk = records[number * SHARD_ITEMS:(number + 1) * SHARD_ITEMS]
            items = pool.map(_analyse, [(r["audio"], config) for r in chunk], chunksize=8)
            lengths = np.array([len(item["log_f0"]) for item in items])
            payload = {name: np.concatenate([item[name] for item in items]) for name in FIELDS}
            with atomic_path(_shard_path(folder, number), suffix=".npz") as temporary:
                np.savez(temporary, ids=np.array([r["id"] for r in chunk]), lengths=lengths, **payload)
            bar.update(len(chunk))
    bar.close()
    return folder


def load_features(corpus_dir: Path, config: AcousticConfig = AcousticConfig()) -> AcousticCorpus:
    """The built features, checked against the manifest (every item, in order)."""
    corpus_dir = Path(corpus_dir)
    records = read_manifest(corpus_dir)
    folder = feature_folder(corpus_dir, config)
    build = f"python -m train.tts.features --corpus {corpus_dir} --envelope-dims {config.envelope_dims}"
    if not (folder / "config.json").exists():
        raise FileNotFoundError(f"no acoustic features of {config.envelope_dims} envelope dimensions in "
                                f"{corpus_dir}; run `{build}`")
    _check_config(folder, config)
    ids, lengths, parts = [], [], {name: [] for name in FIELDS}
    for number in range(-(-len(records) // SHARD_ITEMS)):
        path = _shard_path(folder, number)
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing; finish it with `{build}`")
        with np.load(path) as shard:
            ids.extend(shard["ids"].tolist())
            lengths.extend(shard["lengths"].tolist())
            for name in FIELDS:
                parts[name].append(shard[name])
    if ids != [r["id"] for r in records]:
        raise ValueError(f"the features in {folder} are of another corpus build; delete the folder and rebuild")
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    return AcousticCorpus(config, records, offsets, {name: np.concatenate(parts[name]) for name in FIELDS})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--envelope-dims", type=int, default=AcousticConfig.envelope_dims,
                        help="dimensions of the coded spectral envelope")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    config = AcousticConfig(envelope_dims=args.envelope_dims)
    folder = build_features(args.corpus, config, args.jobs)
    corpus = load_features(args.corpus, config)
    frames = int(corpus.offsets[-1])
    print(f"{len(corpus.records)} items, {frames} frames ({frames / config.frames_per_second / 3600:.2f} h) "
          f"in {folder}, {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
