"""What every training script shares: per-epoch sampler seeds and plain progress lines
(Lightning callbacks; plain lines read well in a log file, where Lightning's rich bar does
not), the one-cycle AdamW schedule, and the manifest record of a finished run."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any, Callable, Iterable

import lightning
import torch

from conditioning.checkpoints import read_manifest, record_in_manifest, sha256_of

from train.ser.data import EpochSampler


class EpochSeeds(lightning.Callback):
    def __init__(self, sampler: EpochSampler):
        self.sampler = sampler

    def on_train_epoch_start(self, trainer, module):
        self.sampler.set_epoch(trainer.current_epoch)


class TextProgress(lightning.Callback):
    """Steps, loss and pace every `every` steps; `summary(module)` after each epoch's validation."""

    def __init__(self, every: int = 50, summary: Callable[[lightning.LightningModule], object] | None = None):
        self.every, self.summary, self.started = every, summary, time.perf_counter()

    def on_train_batch_end(self, trainer, module, outputs, batch, index):
        if (index + 1) % self.every == 0:
            elapsed = time.perf_counter() - self.started
            print(f"epoch {trainer.current_epoch + 1}/{trainer.max_epochs} "
                  f"step {index + 1}/{trainer.num_training_batches} "
                  f"loss {float(outputs['loss']):.3f} ({elapsed / max(trainer.global_step, 1):.2f} s/step, "
                  f"{elapsed / 60:.1f} min)", flush=True)

    def on_train_epoch_end(self, trainer, module):  # after this epoch's validation has run
        summary = self.summary(module) if self.summary else None
        if summary:
            print("validation:", summary, flush=True)


def training_items_description(corpus_dir: Path, records: list[dict], items: list[int]) -> str:
    """How a manifest entry names its training data: the corpus, the item count and the voices."""
    voices = sorted({records[i]["voice"] for i in items})
    return f"train.corpus.build corpus at {corpus_dir}: {len(items)} training items (voices {voices})"


def one_cycle_adamw(parameters: Iterable[torch.nn.Parameter], learning_rate: float, total_steps: int,
                    warmup_share: float, weight_decay: float = 1e-2) -> dict:
    """AdamW under a one-cycle schedule stepped every batch, as configure_optimizers returns it."""
    optimizer = torch.optim.AdamW(parameters, lr=learning_rate, weight_decay=weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=learning_rate,
                                                   total_steps=max(total_steps, 2), pct_start=warmup_share)
    return {"optimizer": optimizer, "lr_scheduler": {"scheduler": schedule, "interval": "step"}}


def record_training_run(output: Path, *, model: str, made_by: str, config: Any, network: torch.nn.Module,
                        data: str, seconds: float, accelerator: str, metrics: dict, **more: Any) -> None:
    """The checkpoint's manifest entry: what it is, how it was made, on what, how long, how well."""
    record_in_manifest(output, {
        "model": model, "made_by": made_by, "config": dataclasses.asdict(config), **more,
        "parameters": sum(p.numel() for p in network.parameters()), "data": data,
        "training_seconds": round(seconds, 1),
        "training_hardware": f"{accelerator}, torch threads {torch.get_num_threads()}",
        "metrics": metrics,
    })


def starting_point(path: Path) -> dict:
    """What a warm-started run started from: the file's hash and, where the manifest beside it
    lists it, how that was made (so the chain of runs stays reproducible)."""
    entry = read_manifest(path.parent)["checkpoints"].get(path.name, {})
    return {"checkpoint": str(path), "sha256": sha256_of(path),
            **{k: entry[k] for k in ("made_by", "training_seconds", "initialised_from") if k in entry}}
