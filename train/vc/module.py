"""Training the conversion planner: both decoders on the same pairs, the emotion encoder frozen
(the TTS's, so a conversion and a synthesis hear an emotion the same way)."""

from __future__ import annotations

import lightning as L
import numpy as np
import torch

from synth.vc.plan_model import ConversionPlanModel, PlanModelConfig
from synth.vc.planner import ADDITIVE, PriorPlanner

from .pairs import CHANGE_NAMES, PairSet


class PairTensors(torch.utils.data.Dataset):
    """A pair set indexed by a list of positions (see scaffold.sliced_batch_loader)."""

    def __init__(self, pairs: PairSet):
        self.tensors = [torch.from_numpy(a) for a in (pairs.voice, pairs.source, pairs.target, pairs.change)]

    def __len__(self) -> int:
        return len(self.tensors[0])

    def __getitem__(self, indices: list[int]):
        return tuple(t[indices] for t in self.tensors)


class PlanTraining(L.LightningModule):
    def __init__(self, config: PlanModelConfig, learning_rate: float = 1e-3):
        super().__init__()
        self.model = ConversionPlanModel(config)
        self.learning_rate = learning_rate
        self.train_losses: list[float] = []

    def freeze_emotion_encoder(self, state_dict: dict) -> None:
        """Loads the EmotionEncoder weights (``emotion.*`` of a TTS checkpoint) and keeps them."""
        weights = {k.removeprefix("emotion."): v for k, v in state_dict.items() if k.startswith("emotion.")}
        self.model.condition.emotion.load_state_dict(weights)
        self.model.condition.emotion.requires_grad_(False)

    def training_step(self, batch, _index):
        losses = self.model.loss(*batch)
        total = losses["flow"] + losses["diffusion"]
        self.log("train_loss", total, on_epoch=True, on_step=False)
        return total

    def on_train_epoch_end(self) -> None:
        loss = self.trainer.callback_metrics.get("train_loss")
        if loss is not None:
            self.train_losses.append(round(float(loss), 4))

    def configure_optimizers(self):
        trainable = [p for p in self.parameters() if p.requires_grad]
        return torch.optim.AdamW(trainable, lr=self.learning_rate, weight_decay=1e-4)


def prior_changes(pairs: PairSet) -> np.ndarray:
    """The literature prior's change for each pair, in CHANGE_NAMES units: the baseline."""
    planner = PriorPlanner()
    rows = []
    for source, target in zip(pairs.source_emotions, pairs.target_emotions):
        plan = planner.plan(source, target, 1.0)
        rows.append([getattr(plan, n) if n in ADDITIVE else np.log(getattr(plan, n)) for n in CHANGE_NAMES])
    return np.array(rows, dtype=np.float32)


@torch.no_grad()
def evaluate_plans(model: ConversionPlanModel, pairs: PairSet, seed: int, decoders=("flow", "diffusion")) -> dict:
    """Mean absolute error of each decoder's sampled change against the change the corpus shows,
    per cue, beside the prior's (what the learned planner must beat to be worth it)."""
    model.eval()
    truth = pairs.change
    report = {"pairs": len(pairs), "prior": _errors(prior_changes(pairs), truth)}
    tensors = [torch.from_numpy(a) for a in (pairs.voice, pairs.source, pairs.target)]
    for decoder in decoders:
        sampled = model.sample(*tensors, decoder=decoder, generator=torch.Generator().manual_seed(seed)).numpy()
        report[decoder] = _errors(sampled, truth)
    return report


def _errors(predicted: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    errors = np.abs(predicted - truth).mean(axis=0)
    names = [n if n in ADDITIVE else f"log_{n}" for n in CHANGE_NAMES]
    return {name: round(float(e), 4) for name, e in zip(names, errors)}


__all__ = ["PairTensors", "PlanTraining", "evaluate_plans", "prior_changes"]
