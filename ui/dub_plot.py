"""The dub's timeline: each cue's slot beside where its speech actually sounds, one lane
per voice, coloured by the cue's emotion, above the track's waveform envelope."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.figure import Figure

# One colour per category, as people read them (warm for aroused positive, cool for low arousal).
CATEGORY_COLOURS = {"happy": "#f59f00", "surprised": "#f76707", "angry": "#e03131", "fearful": "#9c36b5",
                    "disgusted": "#5c940d", "sad": "#1c7ed6", "calm": "#0ca678", "neutral": "#868e96"}
SLOT_COLOUR = "#dee2e6"


def _category(line: dict) -> str:
    """The cue's category (a timeline's first keyframe's)."""
    if line.get("category"):
        return line["category"]
    resolved = line.get("resolved") or {}
    if "keyframes" in resolved:
        resolved = resolved["keyframes"][0]["emotion"]
    shares = resolved.get("categories") or {"neutral": 1.0}
    return max(shares, key=shares.get)


def dub_timeline_plot(lines: Sequence[dict], track: np.ndarray | None = None, sample_rate: int | None = None) -> Figure:
    """`lines`: the manifest's cue lines (slot, speech_s, voice, resolved, flag)."""
    figure = Figure(figsize=(9.0, 3.6), dpi=100)
    cues, wave = figure.subplots(2, 1, sharex=True, height_ratios=(2.2, 1.0))
    voices = list(dict.fromkeys(line["voice"] for line in lines))
    for line in lines:
        lane = voices.index(line["voice"])
        start, end = line["slot"]
        cues.broken_barh([(start, end - start)], (lane - 0.4, 0.8), color=SLOT_COLOUR, edgecolor="#adb5bd")
        onset, offset = line["speech_s"]
        colour = CATEGORY_COLOURS.get(_category(line), "#868e96")
        cues.broken_barh([(onset, max(offset - onset, 0.01))], (lane - 0.25, 0.5), color=colour)
        label = f"{line['cue']} {_category(line)}" + (" ⚠" if line.get("flag") else "")
        cues.annotate(label, (start, lane + 0.42), fontsize=7, color="#343a40", va="bottom")
    cues.set(yticks=range(len(voices)), yticklabels=voices, ylim=(-0.7, len(voices) - 0.1),
             title="cue slots (grey) and the achieved speech (coloured by emotion)")
    cues.grid(axis="x", alpha=0.3)
    if track is not None and sample_rate and len(track):
        hop = max(1, sample_rate // 100)
        frames = len(track) // hop
        envelope = np.abs(np.asarray(track[: frames * hop], dtype=np.float32)).reshape(frames, hop).max(axis=1)
        times = np.arange(frames) * hop / sample_rate
        wave.fill_between(times, -envelope, envelope, color="#495057", lw=0)
    wave.set(xlabel="time (s)", ylabel="track", yticks=[])
    figure.tight_layout()
    return figure
