"""Lightning wrapper for training the description head, and its evaluation metrics."""

from __future__ import annotations

import lightning as L
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from conditioning.target import EmotionTarget
from conditioning.text_head import DESCRIPTOR_CLASSES, UNSPECIFIED, DescriptionHead, TextHeadConfig

DESCRIPTOR_LOSS_WEIGHT = 0.3


def target_labels(targets: list[EmotionTarget]) -> dict[str, torch.Tensor]:
    labels = {
        "categories": torch.tensor([t.categories for t in targets], dtype=torch.float32),
        "vad": torch.tensor([t.vad for t in targets], dtype=torch.float32),
        "intensity": torch.tensor([t.intensity for t in targets], dtype=torch.float32),
    }
    for field, classes in DESCRIPTOR_CLASSES.items():
        labels[field] = torch.tensor(
            [classes.index(t.voice.as_dict().get(field, UNSPECIFIED)) for t in targets])
    return labels


def head_losses(outputs: dict[str, torch.Tensor], labels: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    losses = {
        "category": -(labels["categories"] * F.log_softmax(outputs["category_logits"], -1)).sum(-1).mean(),
        "vad": F.mse_loss(outputs["vad"], labels["vad"]),
        "intensity": F.mse_loss(outputs["intensity"], labels["intensity"]),
        "descriptors": sum(F.cross_entropy(outputs[f"{field}_logits"], labels[field])
                           for field in DESCRIPTOR_CLASSES) / len(DESCRIPTOR_CLASSES),
    }
    losses["total"] = (losses["category"] + losses["vad"] + losses["intensity"]
                       + DESCRIPTOR_LOSS_WEIGHT * losses["descriptors"])
    return losses


class TextHeadTraining(L.LightningModule):
    def __init__(self, config: TextHeadConfig, learning_rate: float = 2e-3, weight_decay: float = 1e-4):
        super().__init__()
        self.head = DescriptionHead(config)
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay

    def training_step(self, batch, _index):
        embeddings, labels = batch
        losses = head_losses(self.head(embeddings), labels)
        self.log("train_loss", losses["total"], prog_bar=True, on_epoch=True, on_step=False)
        return losses["total"]

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay)


class LabelledEmbeddings(torch.utils.data.Dataset):
    """Indexed by a list of positions, so a whole batch is one tensor slice (the head is
    tiny; per-item loading and collation would dominate training time)."""

    def __init__(self, embeddings: np.ndarray, labels: dict[str, torch.Tensor]):
        self.embeddings = torch.from_numpy(embeddings)
        self.labels = labels

    def __len__(self) -> int:
        return len(self.embeddings)

    def __getitem__(self, indices: list[int]):
        return self.embeddings[indices], {k: v[indices] for k, v in self.labels.items()}


@torch.no_grad()
def evaluate_head(head: nn.Module, embeddings: np.ndarray, targets: list[EmotionTarget]) -> dict[str, float]:
    """Category accuracy (top-1, top-2), VAD and intensity mean absolute error,
    and descriptor accuracy, of the head on labelled embeddings."""
    head.eval()
    outputs = head(torch.from_numpy(embeddings))
    labels = target_labels(targets)
    truth = labels["categories"].argmax(-1)
    ranked = outputs["category_logits"].argsort(-1, descending=True)
    descriptor_hits = [
        (outputs[f"{field}_logits"].argmax(-1) == labels[field]).float().mean().item()
        for field in DESCRIPTOR_CLASSES
    ]
    return {
        "category_accuracy": (ranked[:, 0] == truth).float().mean().item(),
        "category_top2_accuracy": (ranked[:, :2] == truth[:, None]).any(-1).float().mean().item(),
        "vad_mae": (outputs["vad"] - labels["vad"]).abs().mean().item(),
        "intensity_mae": (outputs["intensity"] - labels["intensity"]).abs().mean().item(),
        "descriptor_accuracy": float(np.mean(descriptor_hits)),
        "examples": len(targets),
    }



@torch.no_grad()
def training_loss(head: nn.Module, embeddings: np.ndarray, labels: dict[str, torch.Tensor]) -> float:
    """The loss without dropout; leaves the head in the mode it was in."""
    was_training = head.training
    head.eval()
    loss = head_losses(head(torch.from_numpy(embeddings)), labels)["total"].item()
    head.train(was_training)
    return loss
