"""Face expression recognition from the shipped checkpoint: face images (with their 68
landmarks, or found by dlib) -> EmotionTargets, one per image or per video frame."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from common.face_detection import detect_face
from conditioning.checkpoints import load_shipped
from conditioning.heads import targets_from_outputs
from conditioning.target import EmotionTarget

from .alignment import AlignmentConfig, aligned_face
from .model import FaceExpressionNet, FERConfig

BATCH = 256


class FaceExpressionRecognizer:
    def __init__(self, net: FaceExpressionNet):
        self.net = net.eval()
        self.alignment = AlignmentConfig(size=net.config.crop_size)

    @classmethod
    def from_checkpoint(cls, path: Path | None = None) -> "FaceExpressionRecognizer":
        config, state, _ = load_shipped("face_expression", FERConfig, path)
        net = FaceExpressionNet(config)
        net.load_state_dict(state)
        return cls(net)

    def crops(self, images: Sequence[np.ndarray], landmarks: Sequence[np.ndarray]) -> torch.Tensor:
        if len(images) != len(landmarks):
            raise ValueError(f"{len(images)} images but {len(landmarks)} landmark sets")
        crops = np.stack([aligned_face(image, points[:68], self.alignment) for image, points in zip(images, landmarks)])
        return torch.from_numpy(crops)[:, None]

    @torch.inference_mode()
    def recognize_faces(self, images: Sequence[np.ndarray], landmarks: Sequence[np.ndarray]) -> list[EmotionTarget]:
        """One target per (image, its face's 68 landmarks in pixels)."""
        crops = self.crops(images, landmarks)
        return [target for start in range(0, len(crops), BATCH)
                for target in targets_from_outputs(self.net(crops[start:start + BATCH]))]

    def recognize(self, image: np.ndarray, landmarks: np.ndarray | None = None, largest: bool = True) -> EmotionTarget:
        """One face image; without landmarks, dlib finds the face (the largest, by default)."""
        if landmarks is None:
            landmarks = detect_face(image, largest=largest).landmarks
        return self.recognize_faces([image], [landmarks])[0]


def mean_target(targets: Sequence[EmotionTarget]) -> EmotionTarget:
    """The average of frame-level targets: a clip's expression."""
    if not targets:
        raise ValueError("no frames to average")
    categories = np.mean([t.categories for t in targets], axis=0)
    return EmotionTarget(tuple(np.mean([t.vad for t in targets], axis=0)), tuple(categories / categories.sum()),
                         float(np.mean([t.intensity for t in targets])))


@functools.cache
def shipped_face_recognizer() -> FaceExpressionRecognizer:
    return FaceExpressionRecognizer.from_checkpoint()
