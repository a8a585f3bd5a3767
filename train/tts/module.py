"""Lightning module of the TTS: the model's own losses, the optimiser, and per-epoch records."""

from __future__ import annotations

import dataclasses

import lightning
import numpy as np
import torch

from synth.tts.config import TTSConfig
from synth.tts.model import EmotionalTTS
from train.callbacks import one_cycle_adamw
from train.tts.features import AcousticCorpus


def corpus_statistics(acoustic: AcousticCorpus, indices: list[int], config: TTSConfig) -> TTSConfig:
    """`config` with the size and normalisation statistics of the given items' features."""
    frames = np.concatenate([np.arange(acoustic.offsets[i], acoustic.offsets[i + 1]) for i in indices])
    target = np.concatenate([acoustic.arrays["envelope"][frames], acoustic.arrays["aperiodicity"][frames]], axis=1)
    voiced = acoustic.arrays["voiced"][frames]
    log_f0 = acoustic.arrays["log_f0"][frames][voiced]
    energy = acoustic.arrays["energy_db"][frames]
    return dataclasses.replace(
        config, acoustic_dims=target.shape[1], acoustic_mean=tuple(float(x) for x in target.mean(axis=0)),
        acoustic_std=tuple(float(x) for x in target.std(axis=0).clip(1e-3)),
        log_f0_mean=float(log_f0.mean()), log_f0_std=float(max(log_f0.std(), 1e-3)),
        energy_mean=float(energy.mean()), energy_std=float(max(energy.std(), 1e-3)))


class TTSTraining(lightning.LightningModule):
    """``variance_only``: train the duration and frame predictors alone, over the frozen text
    encoder, without the decoder's loss (the costly part of a step): more epochs for the
    prosody of a trained model, whose decoder learnt from true prosody and is left as it is."""

    def __init__(self, config: TTSConfig, learning_rate: float = 1e-3, total_steps: int = 1000,
                 condition_dropout: float = 0.1, variance_only: bool = False, utterance_weight: float = 0.0):
        super().__init__()
        self.model = EmotionalTTS(config)
        self.learning_rate, self.total_steps, self.condition_dropout = learning_rate, total_steps, condition_dropout
        self.variance_only, self.utterance_weight = variance_only, utterance_weight
        if variance_only:   # frozen parts need no gradients, so autograd skips them
            self.model.requires_grad_(False)
            for predictor in (self.model.duration_predictor, self.model.frame_predictor):
                predictor.requires_grad_(True)
        self.step_losses: list[dict[str, float]] = []
        self.train_losses: list[dict[str, float]] = []       # mean of each loss per epoch
        self.validation_losses: list[dict[str, float]] = []  # at fixed noise, per epoch
        self._validation_batches: list[dict[str, float]] = []

    def training_step(self, batch, _index):
        losses = self.model.training_losses(batch, condition_dropout=self.condition_dropout,
                                            with_decoder=not self.variance_only,
                                            utterance_weight=self.utterance_weight)
        self.step_losses.append({k: float(v.detach()) for k, v in losses.items()})
        self.log("train_loss", losses["total"], prog_bar=True, batch_size=len(batch["tokens"]))
        return losses["total"]

    def on_train_epoch_end(self):
        self.train_losses.append(_mean(self.step_losses))
        self.step_losses.clear()

    def validation_step(self, batch, index):
        generator = torch.Generator(device=batch["tokens"].device).manual_seed(index)
        losses = self.model.training_losses(batch, generator=generator, condition_dropout=0.0,
                                            with_decoder=not self.variance_only,
                                            utterance_weight=self.utterance_weight)
        self._validation_batches.append({k: float(v) for k, v in losses.items()})

    def on_validation_epoch_end(self):
        if self._validation_batches:
            self.validation_losses.append(_mean(self._validation_batches))
            self.log("val_loss", self.validation_losses[-1]["total"], prog_bar=True)
        self._validation_batches.clear()

    def configure_optimizers(self):
        trainable = [p for p in self.model.parameters() if p.requires_grad]
        return one_cycle_adamw(trainable, self.learning_rate, self.total_steps, warmup_share=0.05)


def _mean(records: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(float(np.mean([r[key] for r in records])), 5) for key in records[0]} if records else {}
