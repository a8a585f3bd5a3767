"""`EmotionEncoder`: the single conditioning path every generator uses.

Its weights are trained jointly with each generator (they ship inside the generator's
checkpoint). A learned null embedding replaces the condition where `drop_mask` is set,
which trains classifier-free guidance.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .features import FEATURE_DIM, source_features
from .timeline import EmotionSource


@dataclass
class EmotionEncoderConfig:
    feature_dim: int = FEATURE_DIM
    hidden_dim: int = 128
    embedding_dim: int = 64


class EmotionEncoder(nn.Module):
    def __init__(self, config: EmotionEncoderConfig = EmotionEncoderConfig()):
        super().__init__()
        self.config = config
        self.network = nn.Sequential(
            nn.Linear(config.feature_dim, config.hidden_dim), nn.SiLU(),
            nn.Linear(config.hidden_dim, config.hidden_dim), nn.SiLU(),
            nn.Linear(config.hidden_dim, config.embedding_dim),
        )
        self.null_embedding = nn.Parameter(torch.zeros(config.embedding_dim))

    def forward(self, features: torch.Tensor, drop_mask: torch.Tensor | None = None) -> torch.Tensor:
        """features (..., feature_dim) -> (..., embedding_dim); drop_mask (batch,) bool
        swaps in the null embedding for those batch items."""
        embedding = self.network(features)
        if drop_mask is not None:
            shape = (-1,) + (1,) * (embedding.dim() - 1)
            embedding = torch.where(drop_mask.view(shape), self.null_embedding.expand_as(embedding), embedding)
        return embedding

    def null(self, *leading: int) -> torch.Tensor:
        """The unconditional embedding, for classifier-free guidance at sampling time."""
        return self.null_embedding.expand(*leading, -1)

    def encode(self, source: EmotionSource, frame_rate: float | None = None,
               duration: float | None = None) -> torch.Tensor:
        """A target -> (embedding_dim,); with a frame rate, (frames, embedding_dim)."""
        features = torch.from_numpy(source_features(source, frame_rate, duration))
        return self(features.to(self.null_embedding.dtype))
