"""A fine-tuned voice's timbre: a small network that maps the base voice's WORLD mel-cepstrum
frames to the speaker's, learnt from parallel frames (the base voice rendering a recording's
transcript, aligned to the recording by DTW; train/train_voice.py). It replaces step 3 of the
zero-shot timbre (synth/render/timbre.py: cepstral mean and variance matching) by a learnt,
frame-by-frame mapping with context; F0 level and range and the aperiodicity offsets are the
zero-shot statistics' (a warp of 1: the network learns the formants itself).

The model file holds the config (:class:`TimbreNetConfig`), the weights, the normalisation of
both speakers' cepstra and the statistical :class:`Timbre`, so it loads without side files.
"""

from __future__ import annotations

import dataclasses
import functools
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from common.atomic import atomic_write_bytes
from synth.vocoder.world import WorldFeatures

from .timbre import CEPSTRUM_ORDER, OnStatisticalTimbre, Timbre, _envelope, cepstrum, with_speaker_source

FORMAT = "emostudio-timbre-net/1"
ARRAYS = ("base_mean", "base_std", "target_mean", "target_std", "gv_scale")


@dataclass(frozen=True)
class TimbreNetConfig:
    context: int = 3            # frames either side the network sees (co-articulation)
    # 128, not 256: on 12 test sentences the same cosine and fewer words lost (WER 1.21 x the
    # base's, not 1.51 x; chosen on validation sentences first: docs/voices.md)
    hidden: int = 128
    layers: int = 3
    dropout: float = 0.1
    order: int = CEPSTRUM_ORDER  # c0 (the level) is kept from the base: the network maps c1..

    @property
    def width(self) -> int:
        return self.order - 1


class TimbreNet(nn.Module):
    """Normalised base cepstra (2 context + 1 frames, and the voicing flag) -> normalised speaker
    cepstra, as a residual on the centre frame: an untrained net is the mean-variance match."""

    def __init__(self, config: TimbreNetConfig):
        super().__init__()
        self.config = config
        width, frames = config.width, 2 * config.context + 1
        sizes = [frames * width + 1] + [config.hidden] * (config.layers - 1)
        blocks = []
        for size_in, size_out in zip(sizes[:-1], sizes[1:]):
            blocks += [nn.Linear(size_in, size_out), nn.GELU(), nn.Dropout(config.dropout)]
        self.body = nn.Sequential(*blocks, nn.Linear(sizes[-1], width))
        nn.init.zeros_(self.body[-1].weight)
        nn.init.zeros_(self.body[-1].bias)

    def forward(self, stacked: torch.Tensor) -> torch.Tensor:
        centre = self.config.context * self.config.width
        return stacked[:, centre:centre + self.config.width] + self.body(stacked)


def stack_context(normalised: np.ndarray, voiced: np.ndarray, context: int) -> np.ndarray:
    """Each frame with its ``context`` neighbours either side (edges held) and its voicing flag."""
    padded = np.pad(normalised, ((context, context), (0, 0)), mode="edge")
    n = normalised.shape[0]
    frames = [padded[k:k + n] for k in range(2 * context + 1)]
    return np.concatenate([*frames, voiced[:, None].astype(normalised.dtype)], axis=1).astype(np.float32)


@dataclass(frozen=True)
class LearnedTimbre(OnStatisticalTimbre):
    """A trained TimbreNet with its normalisation and the statistical timbre it goes with."""
    timbre: Timbre
    net: TimbreNet
    base_mean: np.ndarray
    base_std: np.ndarray
    target_mean: np.ndarray
    target_std: np.ndarray
    # Global variance: a regression averages over the frames DTW paired, so its output varies
    # less than real speech and sounds muffled; each coefficient's deviation from the
    # utterance's mean is scaled back by the measured ratio (Toda, Black & Tokuda 2007).
    gv_scale: np.ndarray | None = None

    def map_cepstrum(self, coded: np.ndarray, voiced: np.ndarray) -> np.ndarray:
        normalised = (coded[:, 1:] - self.base_mean) / self.base_std
        stacked = torch.from_numpy(stack_context(normalised, voiced, self.net.config.context))
        self.net.eval()
        with torch.no_grad():
            mapped = self.net(stacked).numpy().astype(np.float64)
        if self.gv_scale is not None:
            centre = mapped.mean(axis=0, keepdims=True)
            mapped = centre + self.gv_scale * (mapped - centre)
        return np.concatenate([coded[:, :1], mapped * self.target_std + self.target_mean], axis=1)

    def apply(self, features: WorldFeatures) -> WorldFeatures:
        """The speaker's envelope from the network, F0 and aperiodicity as the statistical timbre."""
        sp = _envelope(self.map_cepstrum(cepstrum(features), features.voiced), features.sample_rate)
        return with_speaker_source(features, self.timbre, sp)

    def to_bytes(self, extra: dict | None = None) -> bytes:
        buffer = io.BytesIO()
        torch.save({"format": FORMAT, "config": dataclasses.asdict(self.net.config), "state": self.net.state_dict(),
                    "timbre": self.timbre.to_dict(), "extra": extra or {},
                    **{k: torch.from_numpy(np.asarray(getattr(self, k), dtype=np.float32))
                       for k in ARRAYS if getattr(self, k) is not None}}, buffer)
        return buffer.getvalue()

    def save(self, path: Path, extra: dict | None = None) -> None:
        atomic_write_bytes(Path(path), self.to_bytes(extra))


def global_variance_scale(predicted: np.ndarray, target: np.ndarray, limit: float = 2.0) -> np.ndarray:
    """Per coefficient, the target frames' spread over the predicted ones' (1 to ``limit``)."""
    return np.clip(target.std(axis=0) / np.maximum(predicted.std(axis=0), 1e-6), 1.0, limit)


def load_learned_timbre(path: Path) -> LearnedTimbre:
    path = Path(path)
    stamp = path.stat().st_mtime_ns if path.is_file() else None
    if stamp is None:
        raise FileNotFoundError(f"the voice's timbre model {path} is missing")
    return _load(str(path), stamp)


@functools.lru_cache(maxsize=8)
def _load(path: str, stamp: int) -> LearnedTimbre:
    saved = torch.load(path, map_location="cpu", weights_only=True)
    if saved.get("format") != FORMAT:
        raise ValueError(f"{path}: not a timbre model (format {saved.get('format')!r})")
    net = TimbreNet(TimbreNetConfig(**saved["config"]))
    net.load_state_dict(saved["state"])
    net.eval()
    arrays = [saved[k].numpy().astype(np.float64) if k in saved else None for k in ARRAYS]
    return LearnedTimbre(Timbre.from_dict(saved["timbre"]), net, *arrays)


__all__ = ["LearnedTimbre", "TimbreNet", "TimbreNetConfig", "global_variance_scale", "load_learned_timbre",
           "stack_context"]
