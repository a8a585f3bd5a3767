"""How well a recognizer hears emotion, or a generator renders it: UAR, confusion, CCC per
dimension, and whether more intensity is heard as more."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from conditioning.categories import CATEGORIES
from common.atomic import atomic_write_bytes

DIMENSIONS = ("valence", "arousal", "dominance")


def concordance(predicted: np.ndarray, reference: np.ndarray) -> float:
    """Lin's concordance correlation coefficient."""
    p, r = np.asarray(predicted, np.float64), np.asarray(reference, np.float64)
    covariance = np.mean((p - p.mean()) * (r - r.mean()))
    denominator = p.var() + r.var() + (p.mean() - r.mean()) ** 2
    return float(2.0 * covariance / denominator) if denominator > 0 else 0.0


def confusion_matrix(reference: np.ndarray, predicted: np.ndarray, classes: int = len(CATEGORIES)) -> np.ndarray:
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(reference), np.asarray(predicted)), 1)
    return matrix


def unweighted_average_recall(matrix: np.ndarray) -> float:
    """Mean per-class recall over the classes that occur."""
    totals = matrix.sum(axis=1)
    present = totals > 0
    return float(np.mean(np.diag(matrix)[present] / totals[present]))


def rank_correlation(asked: np.ndarray, heard: np.ndarray) -> float | None:
    """Spearman's rho, or None where it is undefined (one side constant, as when a run asks for
    a single intensity): JSON has no NaN, and a reader should see 'not measured', not a number."""
    from scipy.stats import spearmanr

    if np.unique(asked).size < 2 or np.unique(heard).size < 2:
        return None
    return round(float(spearmanr(asked, heard).statistic), 4)


def target_arrays(targets) -> dict[str, np.ndarray]:
    """EmotionTargets as the arrays `emotion_metrics` compares: categories (N, 8), vad (N, 3), intensity (N,)."""
    targets = list(targets)
    return {"categories": np.array([t.categories for t in targets]), "vad": np.array([t.vad for t in targets]),
            "intensity": np.array([t.intensity for t in targets])}


def emotion_metrics(predicted: dict[str, np.ndarray], reference: dict[str, np.ndarray],
                    categorical: np.ndarray) -> dict:
    """``predicted``/``reference``: categories (N, 8), vad (N, 3), intensity (N,).
    UAR, the confusion matrix and the intensity rank correlation use the items flagged
    ``categorical`` (rendered from a category label; the rank pooled over every category's
    emotional items); CCC and intensity error use every item."""
    ref_class = np.argmax(reference["categories"][categorical], axis=1)
    pred_class = np.argmax(predicted["categories"][categorical], axis=1)
    emotional = categorical & (reference["intensity"] > 0)
    matrix = confusion_matrix(ref_class, pred_class)
    metrics = {
        "items": int(len(reference["vad"])),
        "category_items": int(categorical.sum()),
        "uar": round(unweighted_average_recall(matrix), 4),
        "accuracy": round(float(np.trace(matrix) / max(matrix.sum(), 1)), 4),
        "intensity_mae": round(float(np.mean(np.abs(predicted["intensity"] - reference["intensity"]))), 4),
        "intensity_spearman": rank_correlation(reference["intensity"][emotional], predicted["intensity"][emotional]),
        "confusion": {"classes": list(CATEGORIES), "rows_reference_columns_predicted": matrix.tolist()},
    }
    for k, name in enumerate(DIMENSIONS):
        metrics[f"ccc_{name}"] = round(concordance(predicted["vad"][:, k], reference["vad"][:, k]), 4)
    return metrics


def plot_confusion(matrix: np.ndarray, title: str, path: Path) -> None:
    """Row-normalised confusion matrix with counts, saved as PNG (written atomically)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matrix = np.asarray(matrix)
    rates = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    figure, axes = plt.subplots(figsize=(7.2, 6.2), dpi=110)
    image = axes.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    axes.set_xticks(range(len(CATEGORIES)), CATEGORIES, rotation=40, ha="right")
    axes.set_yticks(range(len(CATEGORIES)), CATEGORIES)
    axes.set_xlabel("recognized")
    axes.set_ylabel("rendered")
    axes.set_title(title, fontsize=10)
    for (row, column), value in np.ndenumerate(matrix):
        if value:
            axes.text(column, row, f"{rates[row, column]:.2f}\n({value})", ha="center", va="center", fontsize=7,
                      color="white" if rates[row, column] > 0.6 else "black")
    figure.colorbar(image, ax=axes, fraction=0.046, label="share of the row")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    atomic_write_bytes(Path(path), buffer.getvalue())
