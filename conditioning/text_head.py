"""The description head: a sentence embedding -> emotion target and voice descriptors.

Trained by `python -m train.train_text_head` on descriptions generated from the
vocabulary; shipped as `checkpoints/text_head.pt`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .categories import CATEGORIES
from .checkpoints import load_shipped
from .sentence_encoder import EMBEDDING_DIM, embed_sentences
from .target import EmotionTarget
from .voice import DESCRIPTOR_VALUES, VoiceDescriptors

UNSPECIFIED = "unspecified"
DESCRIPTOR_CLASSES: dict[str, tuple[str, ...]] = {
    field: (UNSPECIFIED, *values) for field, values in DESCRIPTOR_VALUES.items()
}


@dataclass
class TextHeadConfig:
    embedding_dim: int = EMBEDDING_DIM
    hidden_dim: int = 256
    dropout: float = 0.1


class DescriptionHead(nn.Module):
    def __init__(self, config: TextHeadConfig):
        super().__init__()
        self.config = config
        self.trunk = nn.Sequential(
            nn.Linear(config.embedding_dim, config.hidden_dim), nn.GELU(), nn.Dropout(config.dropout),
            nn.Linear(config.hidden_dim, config.hidden_dim), nn.GELU(), nn.Dropout(config.dropout),
        )
        self.category = nn.Linear(config.hidden_dim, len(CATEGORIES))
        self.vad = nn.Linear(config.hidden_dim, 3)
        self.intensity = nn.Linear(config.hidden_dim, 1)
        self.descriptors = nn.ModuleDict({
            field: nn.Linear(config.hidden_dim, len(classes)) for field, classes in DESCRIPTOR_CLASSES.items()
        })

    def forward(self, embeddings: torch.Tensor) -> dict[str, torch.Tensor]:
        hidden = self.trunk(embeddings)
        outputs = {
            "category_logits": self.category(hidden),
            "vad": torch.tanh(self.vad(hidden)),
            "intensity": torch.sigmoid(self.intensity(hidden)).squeeze(-1),
        }
        for field, layer in self.descriptors.items():
            outputs[f"{field}_logits"] = layer(hidden)
        return outputs


@dataclass(frozen=True)
class HeadReading:
    target: EmotionTarget
    voice_confidence: dict[str, float]


def readings_from_outputs(outputs: dict[str, torch.Tensor]) -> list[HeadReading]:
    categories = torch.softmax(outputs["category_logits"], -1).numpy()
    vad = outputs["vad"].numpy()
    intensity = outputs["intensity"].numpy()
    readings = []
    for i in range(len(categories)):
        voice, confidence = {}, {}
        for field, classes in DESCRIPTOR_CLASSES.items():
            probabilities = torch.softmax(outputs[f"{field}_logits"][i], -1).numpy()
            best = int(np.argmax(probabilities))
            if classes[best] != UNSPECIFIED:
                voice[field] = classes[best]
                confidence[field] = float(probabilities[best])
        target = EmotionTarget(tuple(np.clip(vad[i], -1, 1)), tuple(categories[i]),
                               float(intensity[i]), VoiceDescriptors(**voice))
        readings.append(HeadReading(target, confidence))
    return readings


class DescriptionReader:
    """Loads the shipped head once and reads descriptions in batches."""

    def __init__(self, head: DescriptionHead):
        self.head = head.eval()

    @classmethod
    def from_checkpoint(cls, path=None) -> "DescriptionReader":
        config, state, _ = load_shipped("text_head", TextHeadConfig, path)
        head = DescriptionHead(config)
        head.load_state_dict(state)
        return cls(head)

    @torch.no_grad()
    def read(self, texts: list[str]) -> list[HeadReading]:
        embeddings = torch.from_numpy(embed_sentences(texts))
        return readings_from_outputs(self.head(embeddings))


@functools.cache
def shipped_reader() -> DescriptionReader:
    return DescriptionReader.from_checkpoint()
