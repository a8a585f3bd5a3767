"""`TextEncoder`: phone tokens -> contextual token features, conditioned on emotion and voice.

    phone + stress embeddings + sinusoidal positions
      -> N x [masked self-attention, convolutional feed-forward], pre-norm residual blocks

Each block's normalised input is scaled and shifted (FiLM, as in AdaSpeech's conditional
layer norm) by the token's own emotion embedding and the voice embedding. Emotion enters per
token, not per utterance, so an emotion timeline sampled at the phones changes the voice
mid-sentence. Padded tokens are masked out of attention and zeroed before every
convolution, so a sequence encodes the same alone or padded inside a batch.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .config import TTSConfig


def sinusoidal_positions(length: int, dim: int, device: torch.device | None = None) -> torch.Tensor:
    """(length, dim) transformer position encoding."""
    positions = torch.arange(length, dtype=torch.float32, device=device)[:, None]
    frequencies = torch.exp(-math.log(10000.0) * torch.arange(0, dim, 2, dtype=torch.float32, device=device) / dim)
    table = torch.zeros(length, dim, device=device)
    table[:, 0::2] = torch.sin(positions * frequencies)
    table[:, 1::2] = torch.cos(positions * frequencies[: dim // 2])
    return table


class ConditionalNorm(nn.Module):
    """LayerNorm whose scale and shift come from a per-token condition. Starts as a plain
    LayerNorm (zero-initialised modulation) so conditioning is learned, not imposed."""

    def __init__(self, channels: int, condition_dim: int):
        super().__init__()
        self.norm = nn.LayerNorm(channels)
        self.modulation = nn.Linear(condition_dim, 2 * channels)
        nn.init.zeros_(self.modulation.weight)
        nn.init.zeros_(self.modulation.bias)

    def forward(self, x: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        scale, shift = self.modulation(condition).chunk(2, dim=-1)
        return self.norm(x) * (1 + scale) + shift


class MaskedSelfAttention(nn.Module):
    def __init__(self, channels: int, heads: int, dropout: float):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(channels, 3 * channels)
        self.output = nn.Linear(channels, channels)
        self.dropout = dropout

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """x (B, T, C), mask (B, T) bool (True = real token)."""
        batch, length, channels = x.shape
        q, k, v = self.qkv(x).view(batch, length, 3, self.heads, channels // self.heads).permute(2, 0, 3, 1, 4)
        keys_allowed = mask[:, None, None, :]
        attended = F.scaled_dot_product_attention(q, k, v, attn_mask=keys_allowed,
                                                  dropout_p=self.dropout if self.training else 0.0)
        return self.output(attended.transpose(1, 2).reshape(batch, length, channels))


class ConvFeedForward(nn.Module):
    """FastSpeech's position-wise feed-forward with a convolution, so each token also sees
    its neighbours (coarticulation) without attention."""

    def __init__(self, channels: int, inner_channels: int, kernel_size: int, dropout: float):
        super().__init__()
        self.expand = nn.Conv1d(channels, inner_channels, kernel_size, padding=kernel_size // 2)
        self.project = nn.Conv1d(inner_channels, channels, 1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        keep = mask[:, None, :].to(x.dtype)
        h = self.expand(x.transpose(1, 2) * keep)
        h = self.project(self.dropout(F.relu(h)))
        return (h * keep).transpose(1, 2)


class EncoderBlock(nn.Module):
    def __init__(self, config: TTSConfig, condition_dim: int):
        super().__init__()
        self.attention_norm = ConditionalNorm(config.hidden, condition_dim)
        self.attention = MaskedSelfAttention(config.hidden, config.heads, config.dropout)
        self.feed_forward_norm = ConditionalNorm(config.hidden, condition_dim)
        self.feed_forward = ConvFeedForward(config.hidden, config.ffn_channels, config.conv_kernel, config.dropout)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        x = x + self.dropout(self.attention(self.attention_norm(x, condition), mask))
        x = x + self.dropout(self.feed_forward(self.feed_forward_norm(x, condition), mask))
        return x * mask[..., None].to(x.dtype)


class TextEncoder(nn.Module):
    def __init__(self, config: TTSConfig):
        super().__init__()
        self.config = config
        condition_dim = config.emotion.embedding_dim + config.voice_dim
        self.phones = nn.Embedding(config.vocab_size, config.hidden, padding_idx=0)
        self.stress = nn.Embedding(config.stress_levels, config.hidden)
        for table in (self.phones, self.stress):
            nn.init.normal_(table.weight, 0.0, config.hidden ** -0.5)
        with torch.no_grad():
            self.phones.weight[0].zero_()  # <pad> stays a zero vector
        self.blocks = nn.ModuleList(EncoderBlock(config, condition_dim) for _ in range(config.encoder_layers))
        self.final_norm = nn.LayerNorm(config.hidden)

    def forward(self, tokens: torch.Tensor, stress: torch.Tensor, mask: torch.Tensor,
                emotion: torch.Tensor, voice: torch.Tensor) -> torch.Tensor:
        """tokens, stress (B, T) long; mask (B, T) bool; emotion (B, T, E) per-token
        embedding; voice (B, V) -> (B, T, hidden), zero at padded tokens."""
        length = tokens.shape[1]
        # sqrt(hidden) puts the embeddings on the scale of the unit-amplitude positions.
        x = (self.phones(tokens) + self.stress(stress)) * math.sqrt(self.config.hidden)
        x = x + sinusoidal_positions(length, self.config.hidden, tokens.device).to(x.dtype)
        keep = mask[..., None].to(x.dtype)
        x = x * keep
        condition = torch.cat([emotion, voice[:, None, :].expand(-1, length, -1)], dim=-1)
        for block in self.blocks:
            x = block(x, mask, condition)
        return self.final_norm(x) * keep
