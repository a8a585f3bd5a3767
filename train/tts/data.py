"""Training data for the TTS: per item, the text front end's tokens with frame durations
(`tts_alignment.py`), the item's voice and emotion, and its acoustic features
(`tts_features.py`), padded into batches.

Tokens are prepared once for the whole corpus and cached beside it (`tts-tokens.npz`),
checked against the manifest and the feature frame counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset
from tqdm import tqdm

from common.atomic import atomic_path
from conditioning.features import target_features
from conditioning.target import EmotionTarget
from synth.text import text_to_sequence
from synth.text.frontend import SHORT_PAUSE, symbols_to_ids
from synth.render.engines import VOICES
from train.tts.alignment import timed_tokens
from train.tts.features import AcousticCorpus

TOKEN_CACHE = "tts-tokens.npz"
VOICE_INDEX: dict[str, int] = {name: index for index, name in enumerate(VOICES)}
SHORT_PAUSE_ID = symbols_to_ids([SHORT_PAUSE])[0]


@dataclass(frozen=True)
class TimedText:
    ids: np.ndarray          # (tokens,) PHONE_SYMBOLS ids
    stress: np.ndarray       # (tokens,) 0/1/2
    durations: np.ndarray    # (tokens,) frames, summing to the item's frame count


def timed_text(record: dict, total_frames: int, fps: float) -> TimedText:
    result = text_to_sequence(record["text"])
    ids, stress = result.ids, result.stresses
    timed = timed_tokens(result.symbols, record["phones"], fps, total_frames)
    return TimedText(np.array([SHORT_PAUSE_ID if i is None else ids[i] for i, _ in timed]),
                     np.array([0 if i is None else stress[i] for i, _ in timed]),
                     np.array([frames for _, frames in timed]))


@dataclass
class CorpusTokens:
    offsets: np.ndarray
    ids: np.ndarray
    stress: np.ndarray
    durations: np.ndarray

    def item(self, index: int) -> TimedText:
        start, end = self.offsets[index], self.offsets[index + 1]
        return TimedText(self.ids[start:end], self.stress[start:end], self.durations[start:end])


def load_tokens(corpus_dir: Path, acoustic: AcousticCorpus, progress: bool = True) -> CorpusTokens:
    """Every item's timed tokens, from the cache when it matches, else prepared and cached."""
    cache = Path(corpus_dir) / TOKEN_CACHE
    item_ids = np.array([r["id"] for r in acoustic.records])
    frames = np.diff(acoustic.offsets)
    if cache.exists():
        with np.load(cache) as stored:
            if np.array_equal(stored["item_ids"], item_ids) and np.array_equal(stored["frames"], frames):
                return CorpusTokens(stored["offsets"], stored["ids"], stored["stress"], stored["durations"])
    fps = acoustic.config.frames_per_second
    timed = [timed_text(record, int(count), fps) for record, count in
             tqdm(list(zip(acoustic.records, frames)), desc="timing tokens", unit="item", disable=not progress)]
    offsets = np.concatenate([[0], np.cumsum([len(t.ids) for t in timed])])
    tokens = CorpusTokens(offsets, *(np.concatenate([getattr(t, name) for t in timed]).astype(np.int32)
                                     for name in ("ids", "stress", "durations")))
    with atomic_path(cache, suffix=".npz") as temporary:   # numpy adds .npz to a name without it
        np.savez(temporary, item_ids=item_ids, frames=frames, offsets=offsets, ids=tokens.ids, stress=tokens.stress,
                 durations=tokens.durations)
    return tokens


class TTSDataset(Dataset):
    """Item index -> one utterance's arrays (whole utterances: the corpus's are under 10 s)."""

    def __init__(self, acoustic: AcousticCorpus, tokens: CorpusTokens, indices: list[int]):
        self.acoustic, self.tokens, self.indices = acoustic, tokens, list(indices)

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, position: int) -> dict[str, np.ndarray]:
        index = self.indices[position]
        record, features, timed = self.acoustic.records[index], self.acoustic.item(index), self.tokens.item(index)
        emotion = target_features(EmotionTarget.from_dict(record["target"]))
        return {"tokens": timed.ids, "stress": timed.stress, "durations": timed.durations,
                "token_emotion": np.repeat(emotion[None], len(timed.ids), axis=0),
                "voice": np.array(VOICE_INDEX[record["voice"]]),
                "log_f0": features["log_f0"], "voiced": features["voiced"], "energy": features["energy_db"],
                "acoustic": np.concatenate([features["envelope"], features["aperiodicity"]], axis=1).T}


def collate(items: list[dict[str, np.ndarray]]) -> dict[str, torch.Tensor]:
    """Zero-padded batch with token_mask and frame_mask (True where real)."""
    token_lengths = [len(item["tokens"]) for item in items]
    frame_lengths = [len(item["log_f0"]) for item in items]
    batch = {"voice": torch.tensor(np.stack([item["voice"] for item in items]), dtype=torch.long),
             "token_mask": _mask(token_lengths), "frame_mask": _mask(frame_lengths)}
    for name, dtype in (("tokens", torch.long), ("stress", torch.long), ("durations", torch.long),
                        ("token_emotion", torch.float32)):
        batch[name] = _pad([torch.as_tensor(item[name], dtype=dtype) for item in items], 0)
    for name, dtype in (("log_f0", torch.float32), ("voiced", torch.bool), ("energy", torch.float32)):
        batch[name] = _pad([torch.as_tensor(item[name], dtype=dtype) for item in items], 0)
    batch["acoustic"] = _pad([torch.as_tensor(item["acoustic"], dtype=torch.float32) for item in items], -1)
    return batch


def _mask(lengths: list[int]) -> torch.Tensor:
    return torch.arange(max(lengths))[None, :] < torch.tensor(lengths)[:, None]


def _pad(tensors: list[torch.Tensor], axis: int) -> torch.Tensor:
    """Pads along `axis` (0 or -1) to the longest, with zeros."""
    longest = max(t.shape[axis] for t in tensors)
    padded = []
    for t in tensors:
        missing = longest - t.shape[axis]
        if axis == 0:
            t = torch.cat([t, t.new_zeros((missing,) + t.shape[1:])])
        else:
            t = torch.cat([t, t.new_zeros(t.shape[:-1] + (missing,))], dim=-1)
        padded.append(t)
    return torch.stack(padded)


class LengthBatches(torch.utils.data.Sampler):
    """Batches of dataset positions with similar frame counts (less padding), in an order
    drawn from the seed and the epoch: shuffle, sort within pools of `pool` batches, cut
    into batches, shuffle the batches."""

    def __init__(self, lengths: list[int], batch_size: int, seed: int, pool: int = 50):
        self.lengths, self.batch_size, self.seed, self.pool, self.epoch = list(lengths), batch_size, seed, pool, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return -(-len(self.lengths) // self.batch_size)

    def __iter__(self):
        rng = np.random.default_rng([self.seed, self.epoch])
        order = rng.permutation(len(self.lengths))
        span = self.batch_size * self.pool
        batches = []
        for start in range(0, len(order), span):
            pooled = sorted(order[start:start + span], key=lambda i: self.lengths[i])
            batches.extend(pooled[k:k + self.batch_size] for k in range(0, len(pooled), self.batch_size))
        return iter([[int(i) for i in batches[k]] for k in rng.permutation(len(batches))])
