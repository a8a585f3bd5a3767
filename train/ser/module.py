"""Lightning module of the speech emotion recognizer: the loss and the training loop glue."""

from __future__ import annotations

from dataclasses import dataclass

import lightning
import numpy as np
import torch
import torch.nn.functional as F

from common.log_mel import LogMelConfig, LogMelFrontend
from conditioning.ser.model import SERConfig, SpeechEmotionNet, stack_padded
from train.callbacks import one_cycle_adamw
from train.judges.emotion_metrics import emotion_metrics


@dataclass(frozen=True)
class LossWeights:
    categories: float = 1.0
    vad: float = 1.0
    intensity: float = 0.5
    intensity_ranking: float = 0.0


def warm_start(net: SpeechEmotionNet, trained: SpeechEmotionNet) -> None:
    """Copy a trained recognizer into ``net`` of the same shape, except that ``net`` may add the
    speaker-reference branch: the heads' extra inputs (utterance minus reference) start at zero
    weight, so before any training ``net`` reads every clip exactly as ``trained`` does."""
    theirs = trained.state_dict()
    mismatched = [name for name, value in net.state_dict().items()
                  if name in theirs and value.shape != theirs[name].shape and name != "heads.shared.0.weight"]
    if mismatched or net.config.input_bands != trained.config.input_bands or net.config.hidden != trained.config.hidden:
        raise ValueError(f"cannot start from a recognizer of another shape ({', '.join(mismatched) or 'config'})")
    with torch.no_grad():
        for name, value in net.state_dict().items():
            if name not in theirs:
                continue
            source = theirs[name]
            if value.shape == source.shape:
                value.copy_(source)
            else:
                value.zero_()
                value[:, : source.shape[1]] = source


def concordance_loss(predicted: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
    """1 - CCC per column, averaged: trains scale and offset, not only correlation."""
    p_mean, r_mean = predicted.mean(0), reference.mean(0)
    covariance = ((predicted - p_mean) * (reference - r_mean)).mean(0)
    ccc = 2 * covariance / (predicted.var(0, unbiased=False) + reference.var(0, unbiased=False)
                            + (p_mean - r_mean) ** 2 + 1e-8)
    return (1.0 - ccc).mean()


def intensity_ranking_loss(predicted: torch.Tensor, reference: torch.Tensor, margin: float = 0.05,
                           temperature: float = 0.05) -> torch.Tensor:
    """Logistic loss over every pair of items whose intensities differ by more than ``margin``,
    whatever their categories: squared error lets one emotion's readings sit above another's at
    the same level (calm at 0.5 read above angry at 0.5); a rank across the batch does not."""
    ordered = (reference[:, None] - reference[None, :]) > margin
    if not ordered.any():
        return predicted.sum() * 0.0
    return F.softplus(-(predicted[:, None] - predicted[None, :])[ordered] / temperature).mean()


def emotion_loss(outputs: dict[str, torch.Tensor], batch: dict[str, torch.Tensor],
                 weights: LossWeights = LossWeights()) -> dict[str, torch.Tensor]:
    parts = {
        "categories": F.cross_entropy(outputs["category_logits"], batch["categories"]),
        "vad": concordance_loss(outputs["vad"], batch["vad"]) + F.mse_loss(outputs["vad"], batch["vad"]),
        "intensity": F.mse_loss(outputs["intensity"], batch["intensity"]),
    }
    if weights.intensity_ranking:
        parts["intensity_ranking"] = intensity_ranking_loss(outputs["intensity"], batch["intensity"])
    parts["total"] = sum(getattr(weights, name) * value for name, value in parts.items())
    return parts


class SERTraining(lightning.LightningModule):
    """``heads_only``: optimise the heads alone, on items the frozen encoder has already read
    (train.ser.data.EncodedItems)."""

    def __init__(self, config: SERConfig, frontend: LogMelConfig = LogMelConfig(), learning_rate: float = 2e-3,
                 weight_decay: float = 1e-2, total_steps: int = 1000, loss_weights: LossWeights = LossWeights(),
                 heads_only: bool = False):
        super().__init__()
        self.net = SpeechEmotionNet(config)
        self.frontend = LogMelFrontend(frontend)
        self.learning_rate, self.weight_decay, self.total_steps = learning_rate, weight_decay, total_steps
        self.loss_weights, self.heads_only = loss_weights, heads_only
        self.validation_outputs: list[tuple[dict, dict]] = []
        self.step_losses: list[float] = []
        self.train_losses: list[float] = []     # mean training loss per epoch
        self.history: list[dict] = []           # validation metrics per epoch

    def _outputs(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        if "heads_input" in batch:  # items a frozen encoder has already read (train.ser.data.EncodedItems)
            return self.net.heads(batch["heads_input"])
        with torch.no_grad():
            mel = self.frontend(batch["audio"])
        frames = self.frontend.frames_for(batch["lengths"])
        has_reference = batch.get("has_reference")
        if not self.net.config.speaker_reference or has_reference is None or not has_reference.any():
            return self.net(mel, frames)
        with torch.no_grad():
            reference_mel = self.frontend(batch["reference_audio"])
        # One batch through the encoder, so batch normalisation sees items and references together.
        pooled = self.net.pooled(stack_padded([mel, reference_mel]),
                                 torch.cat([frames, self.frontend.frames_for(batch["reference_lengths"])]))
        utterances, clips = pooled[: len(mel)], pooled[len(mel):]
        owner = batch["reference_owner"]
        # The mean over each item's clips, as SpeechEmotionRecognizer.speaker_reference takes it.
        summed = torch.zeros_like(utterances).index_add(0, owner, clips)
        counts = torch.zeros(len(utterances), dtype=clips.dtype).index_add(
            0, owner, torch.ones_like(owner, dtype=clips.dtype))
        reference = torch.where(has_reference[:, None], summed / counts.clamp_min(1)[:, None],
                                self.net.no_reference.expand_as(utterances))
        return self.net.read(utterances, reference)

    def training_step(self, batch, _index):
        losses = emotion_loss(self._outputs(batch), batch, self.loss_weights)
        self.log_dict({f"train_{k}": v for k, v in losses.items()}, prog_bar=True, batch_size=len(batch["intensity"]))
        self.step_losses.append(float(losses["total"].detach()))
        return losses["total"]

    def on_train_epoch_end(self):
        self.train_losses.append(float(np.mean(self.step_losses)) if self.step_losses else float("nan"))
        self.step_losses.clear()

    def validation_step(self, batch, _index):
        outputs = self._outputs(batch)
        predicted = {"categories": torch.softmax(outputs["category_logits"], -1), "vad": outputs["vad"],
                     "intensity": outputs["intensity"]}
        self.validation_outputs.append(({k: v.numpy() for k, v in predicted.items()},
                                        {k: batch[k].numpy() for k in ("categories", "vad", "intensity")}))

    def on_validation_epoch_end(self):
        if not self.validation_outputs:
            return
        outputs = self.validation_outputs
        predicted = {k: np.concatenate([p[k] for p, _ in outputs]) for k in outputs[0][0]}
        reference = {k: np.concatenate([r[k] for _, r in outputs]) for k in outputs[0][1]}
        self.validation_outputs.clear()
        categorical = reference["categories"].max(axis=1) > 0.999
        metrics = emotion_metrics(predicted, reference, categorical)
        summary = {k: metrics[k] for k in ("uar", "ccc_valence", "ccc_arousal", "ccc_dominance", "intensity_mae",
                                           "intensity_spearman")}
        self.history.append({"epoch": int(self.current_epoch), **summary})
        # A rank correlation is None where one side is constant (e.g. a validation set with one level).
        self.log_dict({f"val_{k}": float(v) for k, v in summary.items() if v is not None}, prog_bar=True)

    def configure_optimizers(self):
        trainable = self.net.heads if self.heads_only else self.net
        return one_cycle_adamw(trainable.parameters(), self.learning_rate, self.total_steps, warmup_share=0.15,
                               weight_decay=self.weight_decay)

