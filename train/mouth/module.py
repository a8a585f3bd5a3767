"""Lightning module of the mouth-motion model: the training glue around the model's own
flow-matching loss (`MouthFlowNet.loss`, on synth/sampling.py's straight path: the velocity
noise - motion that diffusers' FlowMatchEulerDiscreteScheduler samples). The emotion condition
is dropped for a share of items, which trains classifier-free guidance.
"""

from __future__ import annotations

import lightning
import numpy as np
import torch

from common.log_mel import LogMelConfig, LogMelFrontend
from synth.face.mouth_model import MouthFlowNet, MouthModelConfig
from train.callbacks import one_cycle_adamw


class MouthTraining(lightning.LightningModule):
    def __init__(self, config: MouthModelConfig, frontend: LogMelConfig = LogMelConfig(),
                 learning_rate: float = 2e-3, total_steps: int = 1000, condition_dropout: float = 0.1):
        super().__init__()
        self.net = MouthFlowNet(config)
        self.frontend = LogMelFrontend(frontend)
        self.learning_rate, self.total_steps, self.condition_dropout = learning_rate, total_steps, condition_dropout
        self.step_losses: list[float] = []
        self.train_losses: list[float] = []        # mean per epoch
        self.validation_losses: list[float] = []   # per epoch, at fixed noise
        self._validation_batch_losses: list[float] = []

    def _loss(self, batch, generator=None, condition_dropout=0.0) -> torch.Tensor:
        with torch.no_grad():
            mel_frames = batch["motion"].shape[1] * self.net.config.mel_frames_per_motion_frame
            mel = self.frontend(batch["audio"])[..., :mel_frames]
        motion = self.net.normalise(batch["motion"].transpose(1, 2))
        return self.net.loss(mel, motion, batch["emotion"], generator, condition_dropout)

    def training_step(self, batch, _index):
        loss = self._loss(batch, condition_dropout=self.condition_dropout)
        self.step_losses.append(float(loss.detach()))
        self.log("train_loss", loss, prog_bar=True, batch_size=len(batch["motion"]))
        return loss

    def on_train_epoch_end(self):
        self.train_losses.append(float(np.mean(self.step_losses)) if self.step_losses else float("nan"))
        self.step_losses.clear()

    def validation_step(self, batch, index):
        generator = torch.Generator().manual_seed(index)
        self._validation_batch_losses.append(float(self._loss(batch, generator)))

    def on_validation_epoch_end(self):
        if self._validation_batch_losses:
            self.validation_losses.append(float(np.mean(self._validation_batch_losses)))
            self.log("val_loss", self.validation_losses[-1], prog_bar=True)
        self._validation_batch_losses.clear()

    def configure_optimizers(self):
        return one_cycle_adamw(self.net.parameters(), self.learning_rate, self.total_steps, warmup_share=0.1)
