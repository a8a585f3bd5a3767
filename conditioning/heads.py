"""The output heads every recognizer shares, and their outputs as EmotionTargets: a speech
or face recognizer answers in the same emotion space the generators are driven by."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .categories import CATEGORIES
from .target import EmotionTarget


class EmotionHeads(nn.Module):
    """Pooled features -> 8 category logits, VAD in [-1, 1], intensity in [0, 1]."""

    def __init__(self, in_features: int, hidden: int, dropout: float):
        super().__init__()
        self.shared = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Dropout(dropout))
        self.categories = nn.Linear(hidden, len(CATEGORIES))
        self.vad = nn.Linear(hidden, 3)
        self.intensity = nn.Linear(hidden, 1)

    def forward(self, pooled: torch.Tensor) -> dict[str, torch.Tensor]:
        h = self.shared(pooled)
        return {"category_logits": self.categories(h), "vad": torch.tanh(self.vad(h)),
                "intensity": torch.sigmoid(self.intensity(h)).squeeze(-1)}


def targets_from_outputs(outputs: dict[str, torch.Tensor]) -> list[EmotionTarget]:
    categories = torch.softmax(outputs["category_logits"], -1).double().numpy()
    vad = outputs["vad"].double().numpy()
    intensity = outputs["intensity"].double().numpy()
    return [EmotionTarget(tuple(np.clip(vad[i], -1, 1)), tuple(categories[i] / categories[i].sum()),
                          float(np.clip(intensity[i], 0, 1)))
            for i in range(len(categories))]
