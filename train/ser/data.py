"""Training data for the speech emotion recognizer: corpus audio at the model's rate, labels,
random crops with augmentation, and padded batches.

The corpus is resampled once to 16 kHz and cached beside it (``ser-audio-16000.npz``), so
epochs read from memory; crops and augmentation are drawn from a seed, the epoch and the
item, so a run repeats exactly.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
from torch.utils.data import Dataset, Sampler

from common.atomic import atomic_path
from common.audio_io import resample
from conditioning.categories import CATEGORIES
from train.audio_augment import AugmentConfig, augment, replay
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


REHEARSAL_SPLIT = "rehearsal"


def with_rehearsal(primary: CorpusAudio, rehearsal: CorpusAudio, items: int | None, seed: int) -> CorpusAudio:
    """``primary`` plus up to ``items`` of ``rehearsal``'s training items (a seeded draw), in a
    split of their own (REHEARSAL_SPLIT): a fine-tune on new speech keeps rehearsing what the
    initial network learnt, while validation and test stay the primary corpus's. Their sentence
    ids are prefixed, so a reference is never taken for "another sentence" by id alone."""
    if primary.sample_rate != rehearsal.sample_rate:
        raise ValueError(f"corpora at {primary.sample_rate} and {rehearsal.sample_rate} Hz cannot be merged")
    chosen = rehearsal.indices("train")
    if not chosen:
        raise ValueError("the rehearsal corpus has no training items")
    if items is not None and items < len(chosen):
        chosen = sorted(np.random.default_rng(seed).choice(chosen, size=items, replace=False).tolist())
    clips = [rehearsal.samples[rehearsal.offsets[i]:rehearsal.offsets[i + 1]] for i in chosen]
    offsets = np.concatenate([primary.offsets, primary.offsets[-1] + np.cumsum([len(c) for c in clips])])
    records = primary.records + [{**rehearsal.records[i], "split": REHEARSAL_SPLIT,
                                  "sentence_id": f"rehearsal-{rehearsal.records[i]['sentence_id']}"} for i in chosen]
    return CorpusAudio(primary.sample_rate, np.concatenate([primary.samples, *clips]), offsets, records,
                       np.concatenate([primary.categories, rehearsal.categories[chosen]]),
                       np.concatenate([primary.vad, rehearsal.vad[chosen]]),
                       np.concatenate([primary.intensity, rehearsal.intensity[chosen]]))


def _load_resampled(args: tuple[str, int]) -> np.ndarray:
    path, rate = args
    audio, source_rate = sf.read(path, dtype="float32")
    return np.round(np.clip(resample(audio, source_rate, rate), -1, 1) * AUDIO_SCALE).astype(np.int16)


def load_corpus_audio(corpus_dir: Path, sample_rate: int = 16000, jobs: int = 2) -> CorpusAudio:
    corpus_dir = Path(corpus_dir)
    records = read_manifest(corpus_dir)
    cache = corpus_dir / f"ser-audio-{sample_rate}.npz"
    ids = np.array([r["id"] for r in records])
    # The manifest records each item's rendering, so a rebuilt item changes it even under the same id.
    manifest_digest = hashlib.sha256((corpus_dir / "manifest.jsonl").read_bytes()).hexdigest()
    if cache.exists():
        stored = np.load(cache)
        if "manifest_digest" in stored and str(stored["manifest_digest"]) == manifest_digest:
            return _corpus_audio(sample_rate, stored["samples"], stored["offsets"], records)
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        clips = pool.map(_load_resampled, [(r["audio"], sample_rate) for r in records], chunksize=64)
    offsets = np.concatenate([[0], np.cumsum([len(c) for c in clips])])
    samples = np.concatenate(clips)
    with atomic_path(cache, suffix=".npz") as temporary:   # numpy adds .npz to a name without it
        np.savez(temporary, ids=ids, samples=samples, offsets=offsets, manifest_digest=manifest_digest)
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


class ReferencePicker:
    """Which neutral recordings of the same speaker (other sentences where there are some) an
    item is judged against: the recognizer averages their encodings, as it does for a user's
    clips. Drawn at random, 1 to ``clips`` of them, and none for a ``dropout`` share of items
    so the recognizer also learns to work without; or ``fixed``: the neutral renderings of the
    next ``clips`` sentences in order, for evaluations that must repeat."""

    def __init__(self, corpus: CorpusAudio, pool: list[int], dropout: float = 0.0, fixed: bool = False,
                 clips: int = 1):
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"reference dropout must be in [0, 1); got {dropout}")
        if clips < 1:
            raise ValueError(f"a reference needs at least one clip; got {clips}")
        self.corpus, self.dropout, self.fixed, self.clips = corpus, dropout, fixed, clips
        self.neutral_by_voice: dict[str, list[int]] = {}
        for i in sorted(pool, key=lambda i: corpus.records[i]["sentence_id"]):
            if corpus.records[i]["source"].get("category") == "neutral":
                self.neutral_by_voice.setdefault(corpus.records[i]["voice"], []).append(i)

    def pick(self, index: int, rng: np.random.Generator | None = None) -> list[int]:
        record = self.corpus.records[index]
        neutral = [i for i in self.neutral_by_voice.get(record["voice"], []) if i != index]
        # Other words where the split has them; in a tiny corpus, the same words said plainly.
        candidates = [i for i in neutral if self.corpus.records[i]["sentence_id"] != record["sentence_id"]] or neutral
        if not candidates:
            return []  # a voice with no other neutral item here is judged without one
        if self.fixed:
            later = [i for i in candidates if self.corpus.records[i]["sentence_id"] > record["sentence_id"]]
            earlier = [i for i in candidates if i not in later]
            return (later + earlier)[: self.clips]
        if rng.random() < self.dropout:
            return []
        count = min(int(rng.integers(1, self.clips + 1)), len(candidates))
        return [candidates[int(k)] for k in rng.choice(len(candidates), size=count, replace=False)]


class SERDataset(Dataset):
    """(item, draw seed) -> (audio crop, reference clips (possibly none), labels); augmented
    when ``augment_config`` is given, the reference clips through the same speaker and
    channel transforms as their item."""

    def __init__(self, corpus: CorpusAudio, crop: CropConfig | None = CropConfig(),
                 augment_config: AugmentConfig | None = AugmentConfig(), references: ReferencePicker | None = None,
                 reference_crop: CropConfig | None = None):
        self.corpus, self.crop, self.augment_config = corpus, crop, augment_config
        self.references, self.reference_crop = references, reference_crop

    def __len__(self) -> int:
        return len(self.corpus.records)

    def __getitem__(self, key: tuple[int, int]):
        index, seed = key
        rng = np.random.default_rng(seed)
        rate = self.corpus.sample_rate
        audio = self.corpus.audio(index)
        if self.crop is not None:
            audio = random_crop(audio, rate, self.crop, rng)
        chosen = self.references.pick(index, rng) if self.references is not None else []
        references = [self.corpus.audio(i) for i in chosen]
        if self.reference_crop is not None:
            references = [random_crop(clip, rate, self.reference_crop, rng) for clip in references]
        if self.augment_config is not None:
            audio, applied = augment(audio, rate, rng, self.augment_config)
            references = [replay(clip, rate, applied, rng) for clip in references]
        return (np.asarray(audio, dtype=np.float32), references, self.corpus.categories[index],
                self.corpus.vad[index], self.corpus.intensity[index])


class EncodedItems(Dataset):
    """(item, draw seed) -> what the heads read of an item a frozen recognizer has encoded:
    its encoding, and beside it its difference from the mean encoding of the reference clips
    ``references`` draws (the network's no-reference encoding where it draws none), with the
    item's labels. ``references`` None: a recognizer without the reference branch."""

    def __init__(self, corpus: CorpusAudio, encodings: dict[int, torch.Tensor],
                 references: ReferencePicker | None, no_reference: torch.Tensor | None = None):
        self.corpus, self.encodings, self.references, self.no_reference = corpus, encodings, references, no_reference

    def __getitem__(self, key: tuple[int, int]) -> dict[str, torch.Tensor]:
        index, seed = key
        encoding = self.encodings[index]
        if self.references is not None:
            chosen = self.references.pick(index, np.random.default_rng(seed))
            reference = torch.stack([self.encodings[i] for i in chosen]).mean(0) if chosen else self.no_reference
            encoding = torch.cat([encoding, encoding - reference])
        return {"heads_input": encoding, "categories": torch.from_numpy(self.corpus.categories[index]),
                "vad": torch.from_numpy(self.corpus.vad[index]),
                "intensity": torch.tensor(self.corpus.intensity[index])}


def random_crop(audio: np.ndarray, sample_rate: int, crop: CropConfig, rng: np.random.Generator) -> np.ndarray:
    length = int(rng.uniform(crop.min_s, crop.max_s) * sample_rate)
    if len(audio) <= length:
        return audio
    start = int(rng.integers(0, len(audio) - length + 1))
    return audio[start:start + length]


def pad_clips(clips: list[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    """Zero-pads audio (silence) to the longest clip: (batch, samples) and the true lengths."""
    lengths = torch.tensor([len(clip) for clip in clips], dtype=torch.long)
    audio = torch.zeros(len(clips), int(lengths.max()) if clips else 1)
    for i, clip in enumerate(clips):
        audio[i, : len(clip)] = torch.from_numpy(np.asarray(clip, dtype=np.float32))
    return audio, lengths


def collate(batch) -> dict[str, torch.Tensor]:
    """Padded audio and its lengths; every reference clip, in item order, with
    ``reference_owner`` the item each belongs to and ``has_reference`` marking the items with any."""
    audio, lengths = pad_clips([item[0] for item in batch])
    has_reference = torch.tensor([len(item[1]) > 0 for item in batch])
    reference_audio, reference_lengths = pad_clips([clip for item in batch for clip in item[1]])
    owner = torch.tensor([i for i, item in enumerate(batch) for _ in item[1]], dtype=torch.long)
    return {"audio": audio, "lengths": lengths, "reference_audio": reference_audio,
            "reference_lengths": reference_lengths, "reference_owner": owner, "has_reference": has_reference,
            "categories": torch.from_numpy(np.stack([b[2] for b in batch])),
            "vad": torch.from_numpy(np.stack([b[3] for b in batch])),
            "intensity": torch.tensor(np.array([b[4] for b in batch]))}
