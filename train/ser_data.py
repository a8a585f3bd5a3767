"""Training data for the speech emotion recognizer: corpus audio at the model's rate, labels,
random crops with augmentation, and padded batches.

The corpus is resampled once to 16 kHz and cached beside it (``ser-audio-16000.npz``), so
epochs read from memory; crops and augmentation are drawn from a seed, the epoch and the
item, so a run repeats exactly.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
from torch.utils.data import Dataset, Sampler

from conditioning.audio import resample
from conditioning.categories import CATEGORIES
from train.audio_augment import AugmentConfig, augment
from train.corpus.build import read_manifest

AUDIO_SCALE = 32767.0


@dataclass
class CorpusAudio:
    """All items of a corpus at one rate, concatenated as int16 with offsets, plus labels."""

    sample_rate: int
    samples: np.ndarray            # int16, all items end to end
    offsets: np.ndarray            # (items + 1,)
    records: list[dict]
    categories: np.ndarray         # (items, 8) target distribution
    vad: np.ndarray                # (items, 3)
    intensity: np.ndarray          # (items,)

    def audio(self, index: int) -> np.ndarray:
        return self.samples[self.offsets[index]:self.offsets[index + 1]].astype(np.float32) / AUDIO_SCALE

    def indices(self, split: str) -> list[int]:
        return [i for i, r in enumerate(self.records) if r["split"] == split]


def _load_resampled(args: tuple[str, int]) -> np.ndarray:
    path, rate = args
    audio, source_rate = sf.read(path, dtype="float32")
    return np.round(np.clip(resample(audio, source_rate, rate), -1, 1) * AUDIO_SCALE).astype(np.int16)


def load_corpus_audio(corpus_dir: Path, sample_rate: int = 16000, jobs: int = 2) -> CorpusAudio:
    corpus_dir = Path(corpus_dir)
    records = read_manifest(corpus_dir)
    cache = corpus_dir / f"ser-audio-{sample_rate}.npz"
    ids = np.array([r["id"] for r in records])
    if cache.exists():
        stored = np.load(cache)
        if np.array_equal(stored["ids"], ids):
            return _corpus_audio(sample_rate, stored["samples"], stored["offsets"], records)
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        clips = pool.map(_load_resampled, [(r["audio"], sample_rate) for r in records], chunksize=64)
    offsets = np.concatenate([[0], np.cumsum([len(c) for c in clips])])
    samples = np.concatenate(clips)
    temporary = cache.with_suffix(".tmp.npz")
    np.savez(temporary, ids=ids, samples=samples, offsets=offsets)
    temporary.replace(cache)
    return _corpus_audio(sample_rate, samples, offsets, records)


def _corpus_audio(sample_rate: int, samples: np.ndarray, offsets: np.ndarray, records: list[dict]) -> CorpusAudio:
    categories = np.array([[r["target"]["categories"][c] for c in CATEGORIES] for r in records], dtype=np.float32)
    vad = np.array([[r["target"]["vad"][k] for k in ("valence", "arousal", "dominance")] for r in records],
                   dtype=np.float32)
    intensity = np.array([r["target"]["intensity"] for r in records], dtype=np.float32)
    return CorpusAudio(sample_rate, samples, offsets, records, categories, vad, intensity)


class EpochSampler(Sampler):
    """Shuffled (item, draw seed) pairs; call ``set_epoch`` so each epoch draws anew."""

    def __init__(self, indices: list[int], seed: int, shuffle: bool = True):
        self.indices, self.seed, self.shuffle, self.epoch = list(indices), seed, shuffle, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.indices)

    def __iter__(self):
        rng = np.random.default_rng([self.seed, self.epoch])
        order = rng.permutation(len(self.indices)) if self.shuffle else np.arange(len(self.indices))
        draws = rng.integers(0, 2 ** 31, size=len(order))
        return iter([(self.indices[k], int(d)) for k, d in zip(order, draws)])


@dataclass(frozen=True)
class CropConfig:
    min_s: float = 1.0
    max_s: float = 3.0


class SERDataset(Dataset):
    """(item, draw seed) -> (audio crop, labels); augmented when ``augment_config`` is given."""

    def __init__(self, corpus: CorpusAudio, crop: CropConfig | None = CropConfig(),
                 augment_config: AugmentConfig | None = AugmentConfig()):
        self.corpus, self.crop, self.augment_config = corpus, crop, augment_config

    def __len__(self) -> int:
        return len(self.corpus.records)

    def __getitem__(self, key: tuple[int, int]):
        index, seed = key
        rng = np.random.default_rng(seed)
        audio = self.corpus.audio(index)
        if self.crop is not None:
            audio = random_crop(audio, self.corpus.sample_rate, self.crop, rng)
        if self.augment_config is not None:
            audio, _ = augment(audio, self.corpus.sample_rate, rng, self.augment_config)
        return (np.asarray(audio, dtype=np.float32), self.corpus.categories[index], self.corpus.vad[index],
                self.corpus.intensity[index])


def random_crop(audio: np.ndarray, sample_rate: int, crop: CropConfig, rng: np.random.Generator) -> np.ndarray:
    length = int(rng.uniform(crop.min_s, crop.max_s) * sample_rate)
    if len(audio) <= length:
        return audio
    start = int(rng.integers(0, len(audio) - length + 1))
    return audio[start:start + length]


def collate(batch) -> dict[str, torch.Tensor]:
    """Zero-pads audio (silence) to the longest item; ``lengths`` keeps the true lengths."""
    lengths = torch.tensor([len(item[0]) for item in batch])
    audio = torch.zeros(len(batch), int(lengths.max()))
    for i, item in enumerate(batch):
        audio[i, : len(item[0])] = torch.from_numpy(item[0])
    return {"audio": audio, "lengths": lengths,
            "categories": torch.from_numpy(np.stack([b[1] for b in batch])),
            "vad": torch.from_numpy(np.stack([b[2] for b in batch])),
            "intensity": torch.tensor(np.array([b[3] for b in batch]))}
