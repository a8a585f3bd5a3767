"""Figures where looking beats reading: targets on the valence-arousal plane, F0 contours."""

from __future__ import annotations

import functools
import io
from typing import Sequence

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
# The space ends at ±1; a margin of 0.25 holds the largest marker (intensity 1) whole at ±1 on
# the smallest plot drawn (3.2 in: 12 px of marker radius in 22 px of margin).
PLANE_LIMIT = 1.25


def marker_area(intensity: float) -> float:
    """Scatter marker area (points²): bigger for a more intense emotion."""
    return 80 + 220 * float(intensity)


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
        axes.scatter(*source.vad[:2], s=marker_area(source.intensity), color=TARGET_COLOUR,
                     edgecolor="black", zorder=3, label="target")
    if recognized is not None:
        axes.scatter(*recognized.vad[:2], s=marker_area(recognized.intensity), marker="X",
                     color=RECOGNIZED_COLOUR, edgecolor="black", zorder=4, label="recognized")
    axes.set(xlim=(-PLANE_LIMIT, PLANE_LIMIT), ylim=(-PLANE_LIMIT, PLANE_LIMIT), xlabel="valence", ylabel="arousal",
             title=title)
    axes.set_aspect("equal")
    # Markers are sized by intensity; the legend shows them small, where it hides no point.
    axes.legend(loc="best", fontsize=8, markerscale=0.5)
    figure.tight_layout()
    return figure


# Phones shown under the F0 contour: not the utterance's start and end markers, and not
# pauses, whose label would only clutter the gaps.
_UNLABELLED_PHONES = frozenset({"<pad>", "<bos>", "<eos>", "<sp>", "<lp>"})


def speech_plot(audio: np.ndarray, sample_rate: int, log_f0: np.ndarray, frame_period_s: float,
                phones: Sequence[tuple[str, float, float]] = ()) -> Figure:
    """The F0 contour (Hz; gaps where unvoiced) above the phones and the spectrogram."""
    figure = Figure(figsize=(8.0, 4.2), dpi=100)
    contour, spectrum = figure.subplots(2, 1, sharex=True, height_ratios=(1.2, 1.0))
    times = np.arange(len(log_f0)) * frame_period_s
    hertz = np.where(log_f0 > 0, np.exp(log_f0), np.nan)   # log_f0 is 0 where unvoiced
    contour.plot(times, hertz, color=TARGET_COLOUR, lw=1.8)
    contour.set(ylabel="F0 (Hz)")
    contour.margins(y=0.35)   # room under the contour for the phone labels
    contour.grid(alpha=0.3)
    _label_phones(contour, phones)
    _draw_spectrogram(spectrum, audio, sample_rate)
    spectrum.set(xlabel="time (s)", ylabel="kHz", xlim=(0, len(audio) / sample_rate))
    figure.tight_layout()
    return figure


def _label_phones(axes, phones: Sequence[tuple[str, float, float]]) -> None:
    """Phone symbols at their centres along the bottom, on two alternating rows so that
    short neighbours do not overprint; thin lines mark the boundaries."""
    shown = [phone for phone in phones if phone[0] not in _UNLABELLED_PHONES and phone[2] > phone[1]]
    for number, (symbol, start, end) in enumerate(shown):
        axes.axvline(start, color="#ddd", lw=0.6, zorder=0)
        axes.annotate(symbol, ((start + end) / 2, 0), xycoords=("data", "axes fraction"),
                      xytext=(0, 3 + 10 * (number % 2)), textcoords="offset points", ha="center", fontsize=8,
                      color="#555")


def _draw_spectrogram(axes, audio: np.ndarray, sample_rate: int, window: int = 512, hop: int = 128) -> None:
    """Log-magnitude STFT up to 8 kHz (where speech's formants are), 60 dB of range."""
    padded = np.pad(np.asarray(audio, dtype=np.float64), (0, max(0, window - len(audio))))
    frames = np.lib.stride_tricks.sliding_window_view(padded, window)[::hop] * np.hanning(window)
    decibels = 20 * np.log10(np.abs(np.fft.rfft(frames, axis=1)).T + 1e-9)
    top = min(8000.0, sample_rate / 2)
    bins = int(top / (sample_rate / 2) * (decibels.shape[0] - 1)) + 1
    peak = decibels[:bins].max()
    axes.imshow(decibels[:bins], origin="lower", aspect="auto", cmap="magma", vmin=peak - 60, vmax=peak,
                extent=(0, len(padded) / sample_rate, 0, top / 1000))


def figure_png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


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
