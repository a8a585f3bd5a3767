"""Training data for the mouth-motion model: corpus audio (16 kHz, the SER cache) in crops
aligned to 25 frames/s, mouth targets from the corpus phone times (visemes with
coarticulation, shaped by each item's emotion), and the item's emotion features.

Augmentation keeps timing (no tempo change) so audio and mouth stay in sync; the speaker
shift and channel effects make the model follow articulation, not one voice's timbre.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.utils.data import Dataset

from conditioning.features import target_features
from conditioning.target import EmotionTarget
from synth.face.motion import FPS
from synth.face.visemes import mouth_track
from train.audio_augment import AugmentConfig, augment
from train.ser.data import CorpusAudio

REST_MOUTH = np.array([0.0, 0.0, 1.0], dtype=np.float32)   # jaw closed, lips neutral and together
MOUTH_AUGMENT = AugmentConfig(tempo_probability=0.0, voice_shift_probability=0.5)


def item_target(record: dict) -> EmotionTarget:
    return EmotionTarget.from_dict(record["target"])


def mouth_targets(corpus: CorpusAudio, indices: list[int], fps: float = FPS) -> dict[int, np.ndarray]:
    """(frames, 3) viseme-derived mouth trajectory for each item, frames covering its audio."""
    targets = {}
    for index in indices:
        record = corpus.records[index]
        samples = corpus.offsets[index + 1] - corpus.offsets[index]
        frames = max(1, int(round(samples / corpus.sample_rate * fps)))
        targets[index] = mouth_track([tuple(p) for p in record["phones"]], frames, fps,
                                     emotion=item_target(record)).astype(np.float32)
    return targets


@dataclass(frozen=True)
class MouthCrop:
    frames: int = 75          # 3 s at 25 frames/s


class MouthDataset(Dataset):
    """(item, draw seed) -> (audio crop, mouth target crop, emotion features)."""

    def __init__(self, corpus: CorpusAudio, targets: dict[int, np.ndarray], crop: MouthCrop = MouthCrop(),
                 augment_config: AugmentConfig | None = MOUTH_AUGMENT, fps: float = FPS):
        self.corpus, self.targets, self.crop, self.augment_config = corpus, targets, crop, augment_config
        self.samples_per_frame = int(round(corpus.sample_rate / fps))
        self.features = {i: target_features(item_target(corpus.records[i])) for i in targets}

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, key: tuple[int, int]):
        index, seed = key
        rng = np.random.default_rng(seed)
        target, audio = self.targets[index], self.corpus.audio(index)
        start = int(rng.integers(0, max(1, len(target) - self.crop.frames + 1)))
        motion = np.tile(REST_MOUTH, (self.crop.frames, 1))
        piece = target[start:start + self.crop.frames]
        motion[: len(piece)] = piece
        clip = np.zeros(self.crop.frames * self.samples_per_frame, dtype=np.float32)
        sound = audio[start * self.samples_per_frame:(start + self.crop.frames) * self.samples_per_frame]
        clip[: len(sound)] = sound
        if self.augment_config is not None and np.abs(clip).max() > 0:
            clip, _ = augment(clip, self.corpus.sample_rate, rng, self.augment_config)
        return clip, motion, self.features[index]


def collate(batch) -> dict[str, torch.Tensor]:
    audio, motion, features = zip(*batch)
    return {"audio": torch.from_numpy(np.stack(audio)), "motion": torch.from_numpy(np.stack(motion)),
            "emotion": torch.from_numpy(np.stack(features))}
