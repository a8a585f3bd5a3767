"""Lightning callbacks every training script shares: per-epoch sampler seeds and plain
progress lines (they read well in a log file, where Lightning's rich bar does not)."""

from __future__ import annotations

import time
from typing import Callable

import lightning

from train.ser_data import EpochSampler


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
            print(f"epoch {trainer.current_epoch + 1}/{trainer.max_epochs} step {index + 1}/{trainer.num_training_batches} "
                  f"loss {float(outputs['loss']):.3f} ({elapsed / max(trainer.global_step, 1):.2f} s/step, "
                  f"{elapsed / 60:.1f} min)", flush=True)

    def on_train_epoch_end(self, trainer, module):  # after this epoch's validation has run
        summary = self.summary(module) if self.summary else None
        if summary:
            print("validation:", summary, flush=True)
