"""Figures where looking beats reading: targets on the valence-arousal plane."""

from __future__ import annotations

import functools

import numpy as np
# Figures are made with matplotlib's object API, not pyplot: pyplot keeps every figure
# alive until closed, which a server that draws one per request cannot afford.
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from conditioning.categories import CATEGORIES
from conditioning.space import category_prototypes
from conditioning.target import EmotionTarget
from conditioning.timeline import EmotionSource, EmotionTimeline

TARGET_COLOUR = "#d9480f"
RECOGNIZED_COLOUR = "#1c7ed6"


def _draw_plane(axes, label_size: float = 8) -> None:
    """The unit circle, the axes and the 8 category prototypes."""
    axes.add_patch(Circle((0, 0), 1.0, fill=False, color="#bbb", lw=0.8))
    axes.axhline(0, color="#ddd", lw=0.8)
    axes.axvline(0, color="#ddd", lw=0.8)
    prototypes, _ = category_prototypes()
    for name, (valence, arousal, _) in zip(CATEGORIES, prototypes):
        axes.scatter(valence, arousal, s=18, color="#999")
        # Names of points near the right edge go below and end there, so the frame does not cut them.
        right_edge = valence > 0.6
        axes.annotate(name, (valence, arousal), textcoords="offset points", xytext=(4, -11) if right_edge else (4, 4),
                      ha="right" if right_edge else "left", fontsize=label_size, color="#666")


def valence_arousal_plot(source: EmotionSource, recognized: EmotionTarget | None = None,
                         title: str = "Valence-arousal plane", size: float = 4.6) -> Figure:
    """The target (a point, or a timeline's path) among the category prototypes;
    a recognized target, when given, is drawn beside it for comparison."""
    figure = Figure(figsize=(size, size), dpi=100)
    axes = figure.subplots()
    _draw_plane(axes, label_size=8 if size >= 4 else 7)
    if isinstance(source, EmotionTimeline):
        path = np.array([source.at(t).vad[:2] for t in np.linspace(0, source.duration, 60)])
        axes.plot(path[:, 0], path[:, 1], color=TARGET_COLOUR, lw=2, label="target path")
        for keyframe in source.keyframes:
            axes.annotate(f"{keyframe.time:g}s", keyframe.target.vad[:2], fontsize=8, color=TARGET_COLOUR)
    else:
        axes.scatter(*source.vad[:2], s=80 + 220 * source.intensity, color=TARGET_COLOUR,
                     edgecolor="black", zorder=3, label="target")
    if recognized is not None:
        axes.scatter(*recognized.vad[:2], s=80 + 220 * recognized.intensity, marker="X",
                     color=RECOGNIZED_COLOUR, edgecolor="black", zorder=4, label="recognized")
    axes.set(xlim=(-1.1, 1.1), ylim=(-1.1, 1.1), xlabel="valence", ylabel="arousal", title=title)
    axes.set_aspect("equal")
    # Markers are sized by intensity; the legend shows them small so it never hides a point.
    axes.legend(loc="lower right", fontsize=8, markerscale=0.5)
    figure.tight_layout()
    return figure


@functools.cache
def plane_background(pixels: int) -> np.ndarray:
    """A square RGB picture of the valence-arousal plane whose edges are exactly -1 and +1
    on both axes, so a clicked pixel maps to (valence, arousal) with no margins to subtract."""
    figure = Figure(figsize=(pixels / 100, pixels / 100), dpi=100)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_facecolor("#fbfbfb")
    _draw_plane(axes)
    axes.set(xlim=(-1, 1), ylim=(-1, 1))
    axes.set_axis_off()
    axes.text(0.98, 0.02, "valence →", ha="right", va="bottom", fontsize=8, color="#555")
    axes.text(-0.98, 0.98, "↑ arousal", ha="left", va="top", fontsize=8, color="#555")
    axes.text(-0.98, -0.98, "unpleasant, calm", ha="left", va="bottom", fontsize=7, color="#aaa")
    axes.text(0.98, 0.98, "pleasant, excited", ha="right", va="top", fontsize=7, color="#aaa")
    canvas.draw()
    picture = np.asarray(canvas.buffer_rgba())[..., :3].copy()
    picture.flags.writeable = False   # cached and shared: callers draw on copies
    return picture
