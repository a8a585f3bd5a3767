"""The speech emotion recognizer network: log-mel frames -> emotion per utterance and per window.

    log-mel (64 x T, 100 frames/s)
      -> 2-D convolution stem (frequency-shift tolerant: the same pattern at another pitch
         looks alike, which matters for unseen speakers), 50 frames/s
      -> dilated residual 1-D convolutions (receptive field about 0.8 s)
      -> attentive statistics pooling (weighted mean and standard deviation of the frames),
         over the whole utterance or over sliding windows
      -> heads: 8 category logits, valence/arousal/dominance in [-1, 1], intensity in [0, 1]

Fully convolutional, so any length runs in one pass; about 0.6 M parameters.

With ``speaker_reference`` the heads also read a reference: the pooled encoding of neutral
speech by the same speaker, as (utterance, utterance - reference). The corpus defines every
emotion as a change from the speaker's own neutral voice (F0, tilt, voice quality, tempo),
which one utterance of an unfamiliar voice cannot show; a learned stand-in takes the
reference's place when there is none.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from conditioning.heads import EmotionHeads


WINDOW_BLOCK = 512
# Encoder frames (50/s) per chunk on long audio (a minute).
ENCODE_CHUNK = 3000
# Frames within this many nepers (30 dB of power) of the utterance's loudest count as speech
# for the band means, so pauses (whose share is itself an emotion cue) do not shift them.
SPEECH_RANGE_NEPERS = 3.0 * 2.302585


def speech_band_means(mel: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """(B, bands, T) log power and (B, T) validity -> (B, bands) mean over each item's speech frames."""
    energy = torch.logsumexp(mel, dim=1).masked_fill(~valid, -torch.inf)
    speech = valid & (energy >= energy.max(dim=1, keepdim=True).values - SPEECH_RANGE_NEPERS)
    weights = speech.to(mel.dtype)
    return (mel * weights[:, None, :]).sum(-1) / weights.sum(-1, keepdim=True).clamp_min(1.0)


def stack_padded(mels: list[torch.Tensor]) -> torch.Tensor:
    """(B_i, bands, T_i) batches -> one (sum B_i, bands, max T_i) batch, zero-padded in time."""
    longest = max(mel.shape[-1] for mel in mels)
    return torch.cat([F.pad(mel, (0, longest - mel.shape[-1])) for mel in mels])


def centre_utterances(mel: torch.Tensor, mel_frames: torch.Tensor, config: "SERConfig") -> torch.Tensor:
    """Front-end features as the network's statistics see them: per utterance centred when configured."""
    if not config.utterance_normalisation:
        return mel
    valid = torch.arange(mel.shape[-1], device=mel.device)[None, :] < mel_frames[:, None]
    return mel - speech_band_means(mel, valid)[..., None]


@dataclass(frozen=True)
class SERConfig:
    input_bands: int = 64      # rows of the front end's output (LogMelConfig.bands)
    stem_channels: tuple[int, ...] = (16, 32, 32)
    hidden: int = 192
    dilations: tuple[int, ...] = (1, 2, 4, 8)
    kernel_size: int = 3
    dropout: float = 0.1
    window_s: float = 1.0      # frame-level output: pooling window ...
    hop_s: float = 0.25        # ... and its hop
    frame_rate: float = 50.0   # encoder frames per second (mel at 100/s, stem stride 2 in time)
    # Subtract each band's mean over the utterance's speech frames. A voice's (or microphone's)
    # own spectral balance is a constant offset per band; without this the network read it as
    # emotion (a 3 dB shelf above 1.5 kHz cost the held-out voice a fifth of its UAR).
    utterance_normalisation: bool = False
    speaker_reference: bool = False


class ResidualBlock(nn.Module):
    def __init__(self, channels: int, kernel_size: int, dilation: int, dropout: float):
        super().__init__()
        self.conv = nn.Conv1d(channels, channels, kernel_size, dilation=dilation,
                              padding=dilation * (kernel_size - 1) // 2)
        self.norm = nn.BatchNorm1d(channels)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return (x + self.dropout(F.relu(self.norm(self.conv(x))))) * mask[:, None, :]


class ConvStem(nn.Module):
    """(B, bands, T) -> (B, C * bands / 8, T / 2); frames past each item's end stay zero
    after every layer, so an utterance gives the same result alone or padded in a batch."""

    def __init__(self, bands: int, channels: tuple[int, ...]):
        super().__init__()
        layers, previous = [], 1
        for k, out in enumerate(channels):
            stride = (2, 2) if k == 0 else (2, 1)
            layers.append(nn.Sequential(nn.Conv2d(previous, out, 3, stride=stride, padding=1),
                                        nn.BatchNorm2d(out), nn.ReLU()))
            previous = out
        self.layers = nn.ModuleList(layers)
        self.out_features = channels[-1] * -(-bands // 2 ** len(channels))

    def forward(self, mel: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = mel.unsqueeze(1)
        for layer in self.layers:
            x = layer(x) * mask[:, None, None, : x.shape[-1]]
        return x.flatten(1, 2)


class AttentiveStatsPooling(nn.Module):
    """Attention-weighted mean and standard deviation of frames (masked)."""

    def __init__(self, channels: int):
        super().__init__()
        self.score = nn.Sequential(nn.Conv1d(channels, channels // 4, 1), nn.Tanh(), nn.Conv1d(channels // 4, 1, 1))

    def logits(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Attention logits per frame; masked frames get a large negative value."""
        return self.score(x).squeeze(1).masked_fill(~mask, -1e4)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        w = torch.softmax(self.logits(x, mask), dim=-1).unsqueeze(1)
        return _weighted_stats(x, w)


def _weighted_stats(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    mean = (x * w).sum(-1)
    variance = ((x - mean.unsqueeze(-1)) ** 2 * w).sum(-1)
    return torch.cat([mean, torch.sqrt(variance + 1e-5)], dim=1)


class SpeechEmotionNet(nn.Module):
    """Front-end features (B, input_bands, T), normalised inside, + valid-frame counts -> emotion outputs."""

    def __init__(self, config: SERConfig = SERConfig()):
        super().__init__()
        self.config = config
        self.register_buffer("mel_mean", torch.zeros(config.input_bands))
        self.register_buffer("mel_std", torch.ones(config.input_bands))
        self.stem = ConvStem(config.input_bands, config.stem_channels)
        self.project = nn.Conv1d(self.stem.out_features, config.hidden, 1)
        self.blocks = nn.ModuleList([ResidualBlock(config.hidden, config.kernel_size, d, config.dropout)
                                      for d in config.dilations])
        self.pool = AttentiveStatsPooling(config.hidden)
        pooled = 2 * config.hidden
        self.heads = EmotionHeads(2 * pooled if config.speaker_reference else pooled, config.hidden, config.dropout)
        if config.speaker_reference:
            self.no_reference = nn.Parameter(torch.zeros(pooled))

    def encode(self, mel: torch.Tensor, mel_frames: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Frames (B, hidden, T/2) and their validity mask (B, T/2)."""
        # In place after the first new tensor: an hour's features are ~90 MB a copy.
        x = (centre_utterances(mel, mel_frames, self.config) - self.mel_mean[:, None]).div_(self.mel_std[:, None])
        valid = torch.arange(x.shape[-1], device=x.device)[None, :] < mel_frames[:, None]
        x.mul_(valid[:, None, :])
        half = (x.shape[-1] + 1) // 2
        mask = torch.arange(half, device=x.device)[None, :] < ((mel_frames + 1) // 2)[:, None]
        if self.training or half <= 2 * ENCODE_CHUNK:
            return self._frames(x, mask), mask
        out = x.new_empty((x.shape[0], self.config.hidden, half))
        for start, frames in self.frames_in_chunks(lambda first, last: x[..., first:last], x.shape[-1], mask):
            out[..., start:start + frames.shape[-1]] = frames
        return out, mask

    def frames_in_chunks(self, features, mel_frames: int, mask: torch.Tensor | None = None):
        """(first encoder frame, frames (B, hidden, n)) chunk by chunk, from `features(first, last)`:
        normalised front-end frames [first, last) of a recording `mel_frames` long. Each output
        frame sees only `context` frames either side, so chunks with that much context give the
        frames of one pass with activations bounded by the chunk."""
        half = (mel_frames + 1) // 2
        context = self._receptive_half_width() + 8
        for start in range(0, half, ENCODE_CHUNK):
            stop = min(half, start + ENCODE_CHUNK)
            low, high = max(0, start - context), min(half, stop + context)
            x = features(2 * low, min(mel_frames, 2 * high))
            valid = torch.ones(x.shape[0], high - low, dtype=torch.bool) if mask is None else mask[:, low:high]
            yield start, self._frames(x, valid)[..., start - low:stop - low]

    def normalised(self, mel: torch.Tensor, band_means: torch.Tensor | None = None) -> torch.Tensor:
        """Front-end frames as the encoder takes them, less `band_means` (B, bands) when the
        utterance's own are subtracted (utterance_normalisation)."""
        if band_means is not None:
            mel = mel - band_means[..., None]
        return (mel - self.mel_mean[:, None]) / self.mel_std[:, None]

    def _receptive_half_width(self) -> int:
        """Encoder frames either side that reach one output frame: one per 3x3 stem layer, and
        each residual block's dilated kernel."""
        c = self.config
        return len(c.stem_channels) + sum(d * (c.kernel_size - 1) // 2 for d in c.dilations)

    def _frames(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.project(self.stem(x, mask.float()))) * mask[:, None, :]
        for block in self.blocks:
            x = block(x, mask.float())
        return x

    def pooled(self, mel: torch.Tensor, mel_frames: torch.Tensor) -> torch.Tensor:
        """(B, 2 * hidden): the utterance-level encoding; of neutral speech, a speaker reference."""
        return self.pool(*self.encode(mel, mel_frames))

    def read(self, pooled: torch.Tensor, reference: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """Heads on pooled encodings (B, 2 * hidden); ``reference`` (B or 1, 2 * hidden) is the
        speaker's neutral encoding, None for none."""
        if not self.config.speaker_reference:
            if reference is not None:
                raise ValueError("this recognizer was trained without a speaker reference")
            return self.heads(pooled)
        reference = self.no_reference if reference is None else reference
        return self.heads(torch.cat([pooled, pooled - reference.expand_as(pooled)], dim=-1))

    def forward(self, mel: torch.Tensor, mel_frames: torch.Tensor,
                reference: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        return self.read(self.pooled(mel, mel_frames), reference)

    def utterance_and_windows(self, mel: torch.Tensor, mel_frames: torch.Tensor, reference: torch.Tensor | None = None
                              ) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor], torch.Tensor]:
        """One utterance (batch of 1), encoded once: (its outputs with its "pooled" encoding, outputs per sliding window
        with a leading window axis, window centre times in seconds)."""
        if mel.shape[0] != 1:
            raise ValueError("utterance_and_windows() takes one utterance at a time")
        x, mask = self.encode(mel, mel_frames)
        pooled = self.pool(x, mask)
        utterance = {**self.read(pooled, reference), "pooled": pooled}  # the encoding, for the OOD distance
        n = int(mask.sum())
        x = x[..., :n]
        size = max(1, min(n, round(self.config.window_s * self.config.frame_rate)))
        last_start_s = (n - size) / self.config.frame_rate
        starts = torch.round(torch.arange(0.0, last_start_s + 1e-6, self.config.hop_s) * self.config.frame_rate).long()
        logits = self.pool.logits(x, torch.ones(1, n, dtype=torch.bool, device=x.device))[0]
        window_stats = []
        for block in starts.split(WINDOW_BLOCK):  # bounded memory on hour-long audio
            segments = x[0].unfold(1, size, 1)[:, block].permute(1, 0, 2)            # (W, C, size)
            weights = torch.softmax(logits.unfold(0, size, 1)[block], dim=-1)        # (W, size)
            window_stats.append(_weighted_stats(segments, weights.unsqueeze(1)))
        windows = self.read(torch.cat(window_stats), reference)
        centres = (starts.to(torch.float32) + size / 2.0) / self.config.frame_rate
        return utterance, windows, centres
