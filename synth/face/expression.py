"""Facial expression from emotion: FACS action-unit intensities per frame.

Each category has an EMFACS prototype (Ekman & Friesen 1978; Friesen & Ekman 1983): the
action units that make up its prototypical display, at 0..1 intensity. A target's category
distribution blends the prototypes (mixtures such as happily surprised get both sets of
units), its intensity scales them, and over time the units rise and fall with the onset and
offset times real expressions show (onsets are faster than offsets: Hess & Kleck 1990;
Schmidt, Ambadar, Cohn & Reed 2006 measure spontaneous smile onsets of about 0.5 s).
"""

from __future__ import annotations

import numpy as np

from conditioning.categories import CATEGORIES
from conditioning.target import EmotionTarget
from conditioning.timeline import EmotionSource

from .motion import ACTION_UNITS, FPS

AU_INDEX = {unit: i for i, unit in enumerate(ACTION_UNITS)}

# Units per category. Core units of the DESIGN.md / EMFACS combinations are 0.7..1.0;
# frequent companions are weaker. Together with the rig's unit bases, a prototype at intensity
# 1 moves the face as far as posed apex expressions do (`apex.APEX`, tests/test_face_apex.py);
# a unit another one opposes (AU4 against AU1 in fear and sadness) is kept weaker so that the
# brows still rise as far as measured.
_PROTOTYPE_UNITS: dict[str, dict[str, float]] = {
    "neutral": {},
    # Calm is mildly positive and low in arousal. AU43 (lids lowered) is not in the motion
    # space (lid closure is the blink channel's), so calm is a faint relaxed smile: a weak
    # AU12 with a trace of AU6, the display reported for contentment/serenity
    # (Campos, Shiota, Keltner, Gonzaga & Goetz 2013).
    "calm": {"AU12": 0.25, "AU6": 0.1},
    # Happiness: Duchenne smile, cheek raiser + lip corner puller.
    "happy": {"AU6": 0.8, "AU12": 1.0},
    # Sadness: inner brow raiser, brow lowerer, lip corner depressor.
    "sad": {"AU1": 1.0, "AU4": 0.35, "AU15": 0.85},
    # Surprise: brows raised, upper lids raised, jaw dropped.
    "surprised": {"AU1": 1.0, "AU2": 1.0, "AU5": 1.0, "AU26": 1.0},
    # Anger: brows lowered, glare (upper lid raiser + lid tightener), lips tightened.
    "angry": {"AU4": 1.0, "AU5": 0.6, "AU7": 1.0, "AU23": 1.0},
    # Disgust: nose wrinkler, lower lip depressor, lip corner depressor; AU10 (upper lip
    # raiser) is the other common EMFACS disgust unit.
    "disgusted": {"AU9": 0.9, "AU10": 0.6, "AU15": 0.7, "AU16": 0.7},
    # Fear: raised and drawn-together brows, upper lids raised and lower lids tightened, lips
    # stretched, jaw dropped. The lid tightener (AU7) is kept weak: it narrows the eyes from below
    # against AU5's widening, and at 0.5 a real-photo FER read those eyes as sad; at 0.2 it read
    # fear more often, with shading.py's stronger forehead lines, on the faces it was tuned on
    # (0.0 -> 0.4) and on held-out ones (mean p(fear) 0.20 -> 0.27). The jaw drops less than in
    # surprise (AU26 0.35: the lips parted, AU25, with a small jaw drop, as EMFACS's fear
    # 1+2+4+5+20+25/26 allows): a wide-open jaw made fear a second surprise to that FER (the
    # stretched lips did not show); at 0.35 fear read 2/5 -> 4/5 on the five photos tuned on.
    "fearful": {"AU1": 1.0, "AU2": 0.7, "AU4": 0.5, "AU5": 1.0, "AU7": 0.2, "AU20": 0.8, "AU26": 0.35},
}


def _prototype_matrix() -> np.ndarray:
    matrix = np.zeros((len(CATEGORIES), len(ACTION_UNITS)))
    for row, category in enumerate(CATEGORIES):
        for unit, value in _PROTOTYPE_UNITS[category].items():
            matrix[row, AU_INDEX[unit]] = value
    return matrix


PROTOTYPES: np.ndarray = _prototype_matrix()
"""(len(CATEGORIES), len(ACTION_UNITS)) EMFACS prototypes at full intensity."""

INTENSITY_EXPONENT = 0.8
"""Intensity -> expression scale is intensity ** 0.8: a concave curve, so a faint emotion
still shows (0.2 -> 0.28) while full intensity stays the prototype."""

FLUCTUATION = 0.03
"""Relative size of the slow intensity drift of a held expression: a frozen face looks
artificial, but the drift stays well below a visible change of expression."""


def prototype(category: str) -> np.ndarray:
    """The (len(ACTION_UNITS),) prototype of one category."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}; the categories are {', '.join(CATEGORIES)}")
    return PROTOTYPES[CATEGORIES.index(category)].copy()


def action_units_from(categories: np.ndarray, intensity: np.ndarray) -> np.ndarray:
    """Category distributions (..., 8) and intensities (...) -> action units (..., 14)."""
    scale = np.clip(np.asarray(intensity, dtype=float), 0.0, 1.0) ** INTENSITY_EXPONENT
    return np.clip(np.asarray(categories, dtype=float) @ PROTOTYPES * scale[..., None], 0.0, 1.0)


def action_units(target: EmotionTarget) -> np.ndarray:
    """The (14,) action-unit intensities in 0..1 an emotion target shows at its apex."""
    return action_units_from(np.array(target.categories), np.array(target.intensity))


def ease_in_out(progress: np.ndarray) -> np.ndarray:
    """Cosine ease from 0 to 1 over progress 0..1: expressions start and settle slowly."""
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(progress, 0.0, 1.0))


def fluctuation(frames: int, fps: float) -> np.ndarray:
    """A deterministic slow drift around 1 (two incommensurate sub-hertz sines)."""
    t = np.arange(frames) / fps
    return 1.0 + FLUCTUATION * (0.6 * np.sin(2 * np.pi * 0.13 * t + 0.7)
                                + 0.4 * np.sin(2 * np.pi * 0.31 * t + 2.1))


def attack_release(targets: np.ndarray, fps: float, onset_s: float, offset_s: float) -> np.ndarray:
    """Asymmetric smoothing of per-frame targets (frames, units), starting from neutral.

    Two cascaded one-pole stages per unit, each following faster while its input rises
    than while it falls; two stages give an S-shaped (critically damped) rise instead of a
    jump. A cascade of two equal poles reaches 95 % of a step after about 4.74 time
    constants, so the time constants are onset_s / 4.74 and offset_s / 4.74.
    """
    attack = 1.0 - np.exp(-4.74 / (max(onset_s, 1e-6) * fps))
    release = 1.0 - np.exp(-4.74 / (max(offset_s, 1e-6) * fps))
    first = np.zeros(targets.shape[1])
    second = np.zeros(targets.shape[1])
    out = np.empty_like(targets, dtype=float)
    for i, target in enumerate(targets):
        # Output before update: the filter responds from the next frame, so frame 0 is
        # the neutral starting face.
        out[i] = second
        first += np.where(target > first, attack, release) * (target - first)
        second += np.where(first > second, attack, release) * (first - second)
    return out


def _check_track_args(frames: int, fps: float, onset_s: float, offset_s: float) -> None:
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or frames < 0:
        raise ValueError(f"frames must be a non-negative integer; got {frames!r}")
    for name, value in (("fps", fps), ("onset_s", onset_s), ("offset_s", offset_s)):
        if not np.isfinite(value) or value < 0 or (name == "fps" and value == 0):
            raise ValueError(f"{name} must be a {'positive' if name == 'fps' else 'non-negative'} "
                             f"number; got {value!r}")


def expression_track(source: EmotionSource, frames: int, fps: float = FPS,
                     onset_s: float = 0.4, offset_s: float = 0.6) -> np.ndarray:
    """Emotion -> (frames, 14) action units; the first frame is the neutral face.

    A static target rises to its expression with an ease-in-out over `onset_s` and holds it
    with a slight drift. A timeline's per-frame targets (at frame centres) are smoothed by
    the attack/release filter: expressions appear over about `onset_s` and fade over about
    `offset_s`.
    """
    _check_track_args(frames, fps, onset_s, offset_s)
    frames = int(frames)
    if not callable(getattr(source, "at", None)):
        raise ValueError(f"source must be an EmotionTarget or EmotionTimeline; got {type(source).__name__}")
    if not source.varies_over_time:
        apex = action_units(source.first)
        progress = np.arange(frames) / (onset_s * fps) if onset_s > 0 else np.ones(frames)
        envelope = ease_in_out(progress) * fluctuation(frames, fps)
        return np.clip(envelope[:, None] * apex[None], 0.0, 1.0).astype(np.float32)
    sampled = [source.at((i + 0.5) / fps) for i in range(frames)]
    categories = np.array([target.categories for target in sampled]).reshape(frames, len(CATEGORIES))
    intensity = np.array([target.intensity for target in sampled])
    smoothed = attack_release(action_units_from(categories, intensity), fps, onset_s, offset_s)
    return np.clip(smoothed * fluctuation(frames, fps)[:, None], 0.0, 1.0).astype(np.float32)
