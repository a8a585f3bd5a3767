"""How far to trust a reading of the speech emotion recognizer, fitted after training
without changing its weights, and stored beside the checkpoint as JSON:

* a **temperature** for the category head (Guo et al. 2017, "On calibration of modern
  neural networks", ICML), fitted by likelihood on held-out speech, so the top category's
  probability means what it says;
* an **out-of-distribution distance**: how unlike the training speech an utterance's
  pooled encoding is (a Mahalanobis distance in the leading principal components of the
  training encodings plus the residual, as in Lee et al. 2018, "A simple unified framework
  for detecting out-of-distribution samples", NeurIPS), scaled so training speech sits near
  1, with the threshold above which a recording counts as unfamiliar.

``familiarity`` turns the distance into a weight in [0, 1]: 1 up to the threshold, falling
linearly to 0 at ``FALLOFF`` times it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from common.atomic import atomic_write_bytes

FALLOFF = 2.0
CALIBRATION_SUFFIX = ".calibration.json"


@dataclass(frozen=True)
class Calibration:
    temperature: float = 1.0
    embedding_mean: np.ndarray | None = None        # (D,)
    components: np.ndarray | None = None            # (k, D) orthonormal rows
    component_variances: np.ndarray | None = None   # (k,)
    residual_variance: float = 1.0                  # per remaining dimension
    ood_threshold: float = np.inf
    fitted_on: dict = field(default_factory=dict)

    @property
    def detects_ood(self) -> bool:
        return self.embedding_mean is not None and np.isfinite(self.ood_threshold)

    def distance(self, pooled: np.ndarray) -> np.ndarray:
        """(N, D) encodings -> (N,) distances, about 1 for training speech."""
        if self.embedding_mean is None:
            return np.zeros(len(pooled))
        centred = np.asarray(pooled, dtype=np.float64) - self.embedding_mean
        projected = centred @ self.components.T
        residual = centred - projected @ self.components
        squared = (projected ** 2 / self.component_variances).sum(1) + (residual ** 2).sum(1) / self.residual_variance
        return np.sqrt(squared / centred.shape[1])

    def familiarity(self, distance: np.ndarray) -> np.ndarray:
        if not np.isfinite(self.ood_threshold):
            return np.ones_like(np.asarray(distance, dtype=float))
        falling = (FALLOFF * self.ood_threshold - np.asarray(distance)) / ((FALLOFF - 1) * self.ood_threshold)
        return np.clip(falling, 0, 1)

    def to_dict(self) -> dict:
        def listed(a, digits=6):
            return None if a is None else np.round(np.asarray(a, dtype=np.float64), digits).tolist()
        return {"temperature": round(self.temperature, 4), "ood_threshold": round(float(self.ood_threshold), 4),
                "residual_variance": float(self.residual_variance), "embedding_mean": listed(self.embedding_mean),
                "components": listed(self.components), "component_variances": listed(self.component_variances),
                "fitted_on": self.fitted_on}

    @classmethod
    def from_dict(cls, data: dict) -> "Calibration":
        def array(key):
            return None if data.get(key) is None else np.asarray(data[key], dtype=np.float64)
        temperature = float(data.get("temperature", 1.0))
        if not np.isfinite(temperature) or temperature <= 0:
            raise ValueError(f"calibration temperature must be positive; got {temperature}")
        return cls(temperature, array("embedding_mean"), array("components"), array("component_variances"),
                   float(data.get("residual_variance", 1.0)), float(data.get("ood_threshold", np.inf)),
                   dict(data.get("fitted_on", {})))


def calibration_path(checkpoint: Path) -> Path:
    return Path(checkpoint).with_suffix(CALIBRATION_SUFFIX)


def load_calibration(checkpoint: Path) -> Calibration:
    """The calibration beside a checkpoint; an uncalibrated one (T = 1, no OOD) when none."""
    path = calibration_path(checkpoint)
    return Calibration.from_dict(json.loads(path.read_text())) if path.exists() else Calibration()


def save_calibration(checkpoint: Path, calibration: Calibration) -> Path:
    path = calibration_path(checkpoint)
    atomic_write_bytes(path, (json.dumps(calibration.to_dict()) + "\n").encode())
    return path


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def negative_log_likelihood(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    p = softmax(logits, temperature)
    return float(-np.mean(np.log(np.clip(p[np.arange(len(labels)), labels], 1e-12, None))))


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature minimising held-out NLL (golden-section search on log T in [0.05, 50];
    the NLL is convex in 1/T, so one minimum)."""
    if len(labels) < 2:
        raise ValueError("fitting a temperature needs at least two labelled items")
    low, high = np.log(0.05), np.log(50.0)
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(80):
        a, b = high - ratio * (high - low), low + ratio * (high - low)
        if negative_log_likelihood(logits, labels, np.exp(a)) < negative_log_likelihood(logits, labels, np.exp(b)):
            high = b
        else:
            low = a
    return float(np.exp((low + high) / 2))


def expected_calibration_error(probabilities: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    """ECE: |accuracy - confidence| of the top category, averaged over equal-width confidence
    bins weighted by their share of items (Naeini et al. 2015; Guo et al. 2017)."""
    confidence = probabilities.max(1)
    correct = probabilities.argmax(1) == labels
    edges = np.linspace(0, 1, bins + 1)
    error = 0.0
    for k in range(bins):
        chosen = (confidence > edges[k]) & (confidence <= edges[k + 1])
        if chosen.any():
            error += chosen.mean() * abs(correct[chosen].mean() - confidence[chosen].mean())
    return float(error)


def fit_embedding_distribution(pooled: np.ndarray, components: int = 16) -> Calibration:
    """Mean, leading principal components and residual variance of training encodings."""
    pooled = np.asarray(pooled, dtype=np.float64)
    if len(pooled) <= components:
        raise ValueError(f"fitting the encoding distribution needs more than {components} items; got {len(pooled)}")
    mean = pooled.mean(0)
    _, singular, vt = np.linalg.svd(pooled - mean, full_matrices=False)
    variances = singular ** 2 / (len(pooled) - 1)
    residual = variances[components:].sum() / max(pooled.shape[1] - components, 1)
    return Calibration(embedding_mean=mean, components=vt[:components], component_variances=variances[:components],
                       residual_variance=float(max(residual, 1e-8)))
