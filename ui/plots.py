"""Figures where looking beats reading: targets on the valence-arousal plane."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from conditioning.categories import CATEGORIES  # noqa: E402
from conditioning.space import category_prototypes  # noqa: E402
from conditioning.target import EmotionTarget  # noqa: E402
from conditioning.timeline import EmotionSource, EmotionTimeline  # noqa: E402


def valence_arousal_plot(source: EmotionSource, recognized: EmotionTarget | None = None,
                         title: str = "Valence-arousal plane"):
    """The target (a point, or a timeline's path) among the category prototypes;
    a recognized target, when given, is drawn beside it for comparison."""
    figure, axes = plt.subplots(figsize=(4.6, 4.6), dpi=100)
    axes.add_patch(plt.Circle((0, 0), 1.0, fill=False, color="#bbb", lw=0.8))
    axes.axhline(0, color="#ddd", lw=0.8)
    axes.axvline(0, color="#ddd", lw=0.8)
    prototypes, _ = category_prototypes()
    for name, (valence, arousal, _) in zip(CATEGORIES, prototypes):
        axes.scatter(valence, arousal, s=18, color="#999")
        axes.annotate(name, (valence, arousal), textcoords="offset points", xytext=(4, 4),
                      fontsize=8, color="#666")
    if isinstance(source, EmotionTimeline):
        path = np.array([source.at(t).vad[:2] for t in np.linspace(0, source.duration, 60)])
        axes.plot(path[:, 0], path[:, 1], color="#d9480f", lw=2, label="target path")
        for keyframe in source.keyframes:
            axes.annotate(f"{keyframe.time:g}s", keyframe.target.vad[:2], fontsize=8, color="#d9480f")
    else:
        axes.scatter(*source.vad[:2], s=80 + 220 * source.intensity, color="#d9480f",
                     edgecolor="black", zorder=3, label="target")
    if recognized is not None:
        axes.scatter(*recognized.vad[:2], s=80 + 220 * recognized.intensity, marker="X",
                     color="#1c7ed6", edgecolor="black", zorder=4, label="recognized")
    axes.set(xlim=(-1.1, 1.1), ylim=(-1.1, 1.1), xlabel="valence", ylabel="arousal", title=title)
    axes.set_aspect("equal")
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    return figure
