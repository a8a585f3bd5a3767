"""The face expression network: an aligned grey face crop -> emotion outputs.

    64 x 64 grey crop -> strided 3x3 stem (32 x 32) -> three blocks of two 3x3 convs with
    batch norm and ReLU, each ending in 2x2 max-pool (16, 8, 4) -> global average pooling
    -> the shared emotion heads (8 categories, VAD, intensity)

About 0.3 M parameters: fast enough to score every frame of a video, and to train on a CPU.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from conditioning.heads import EmotionHeads


@dataclass(frozen=True)
class FERConfig:
    crop_size: int = 64
    stem_channels: int = 24
    channels: tuple[int, ...] = (32, 64, 128)
    hidden: int = 128
    dropout: float = 0.2


def _block(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
                         nn.BatchNorm2d(out_channels), nn.ReLU(),
                         nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False),
                         nn.BatchNorm2d(out_channels), nn.ReLU(), nn.MaxPool2d(2))


class FaceExpressionNet(nn.Module):
    def __init__(self, config: FERConfig = FERConfig()):
        super().__init__()
        self.config = config
        widths = (config.stem_channels,) + config.channels
        stem = nn.Sequential(nn.Conv2d(1, config.stem_channels, 3, stride=2, padding=1, bias=False),
                             nn.BatchNorm2d(config.stem_channels), nn.ReLU())
        self.features = nn.Sequential(stem, *[_block(a, b) for a, b in zip(widths[:-1], widths[1:])])
        self.heads = EmotionHeads(config.channels[-1], config.hidden, config.dropout)

    def forward(self, crops: torch.Tensor) -> dict[str, torch.Tensor]:
        """crops (B, 1, size, size) -> category_logits (B, 8), vad (B, 3), intensity (B,)."""
        return self.heads(self.features(crops).mean(dim=(2, 3)))
