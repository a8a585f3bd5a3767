"""Mouth targets from phone timings: visemes blended by Cohen & Massaro's coarticulation model.

This produces the training targets of the audio -> mouth model (about 1.7 M frames of the
corpus), so it is vectorised and validated, and never fails on a phone it does not know.

Model (Cohen & Massaro 1993, "Modeling coarticulation in synthetic visual speech"):
every segment s has, per mouth channel p, a target T[s,p] and a dominance function

    D[s,p](t) = alpha[s,p] * exp(-theta[s,p] * |tau|^c),   tau = centre_s - t,

with a wider anticipatory side (tau > 0: the gesture starts before its segment) than
carry-over side, and the channel follows the dominance-weighted average of all targets,
F_p(t) = sum_s D[s,p](t) T[s,p] / sum_s D[s,p](t). A consonant dominates only the channel it
constrains (bilabials lip closure, rounded consonants lip width), so vowels shine through
on the rest, as in the original model.

Two additions the sampled training targets need:
- Pauses hold: a pause's dominance is flat over its whole interval, so long silences relax
  to the rest posture while short ones are bridged by the neighbouring phones.
- Critical closures: averaging cannot guarantee that lips close for a 20 ms /b/ (the
  corpus has them) or that a frame even falls inside it at 25 fps. Bilabials and
  labiodentals therefore get a "resistance" (after Cosi, Cohen & Massaro 2002, who add one
  to the same model for the same reason) that pulls the channel to the target over the
  segment, widened to at least the frame nearest its centre.

Emotion changes articulation moderately (documented at `_emotion_gains`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from conditioning.categories import CATEGORY_INDEX
from conditioning.timeline import EmotionSource

from .motion import FPS, MOUTH_CHANNELS

JAW, WIDTH, CLOSE = range(3)


@dataclass(frozen=True)
class Viseme:
    """A mouth posture and how strongly a segment insists on it, per mouth channel.

    target: (jaw_open, lip_width, lip_close); dominance: Cohen & Massaro's alpha per channel;
    resistance: weight 0..1 of the hard pull toward the target (critical articulators only);
    anticipation: how many times wider the anticipatory side of the lip-width dominance is
    (rounding is anticipated far: Bell-Berti & Harris 1982; Perkell & Matthies 1992);
    hold: whether the dominance is flat over the whole segment (pauses).
    """

    name: str
    target: tuple[float, float, float]
    dominance: tuple[float, float, float]
    resistance: tuple[float, float, float] = (0.0, 0.0, 0.0)
    anticipation: float = 1.0
    hold: bool = False


def _vowel(name: str, jaw: float, width: float) -> Viseme:
    # Vowels set the jaw; rounded and spread vowels also set the lips, central ones barely
    # (schwa is the most coarticulated vowel).
    width_dominance = 0.9 if width <= -0.3 else 0.7 if width >= 0.3 else 0.35
    return Viseme(name, (jaw, width, 0.0), (0.9, width_dominance, 0.7),
                  anticipation=1.3 if width <= -0.3 else 1.0)


REST = Viseme("rest", (0.0, 0.0, 1.0), (0.8, 0.8, 0.8), hold=True)
NEUTRAL_MID = Viseme("neutral_mid", (0.3, 0.0, 0.0), (0.4, 0.3, 0.4))
BILABIAL = Viseme("bilabial", (0.05, 0.0, 1.0), (0.6, 0.15, 0.7), resistance=(0.5, 0.0, 1.0))
LABIODENTAL = Viseme("labiodental", (0.08, -0.05, 0.7), (0.6, 0.2, 0.6), resistance=(0.4, 0.0, 0.8))
DENTAL = Viseme("dental", (0.15, 0.05, 0.1), (0.5, 0.15, 0.4))
ALVEOLAR = Viseme("alveolar", (0.15, 0.05, 0.0), (0.45, 0.15, 0.4))
# The jaw is at its highest and most constrained for sibilants (Mooshammer, Hoole & Geumann
# 2007), which need the teeth close for their noise.
SIBILANT = Viseme("sibilant", (0.06, 0.1, 0.0), (0.8, 0.25, 0.4))
POSTALVEOLAR = Viseme("postalveolar", (0.1, -0.5, 0.0), (0.6, 0.75, 0.4), anticipation=1.2)
VELAR = Viseme("velar", (0.25, 0.0, 0.0), (0.3, 0.1, 0.3))
RHOTIC = Viseme("r", (0.18, -0.4, 0.0), (0.4, 0.6, 0.4), anticipation=1.2)
LABIOVELAR = Viseme("w", (0.12, -0.9, 0.25), (0.5, 0.95, 0.6), anticipation=1.3)
PALATAL = Viseme("y", (0.12, 0.45, 0.0), (0.5, 0.6, 0.4))

VOWELS: dict[str, Viseme] = {v.name: v for v in (
    _vowel("iy", 0.15, 0.6), _vowel("ih", 0.25, 0.4), _vowel("eh", 0.45, 0.35),
    _vowel("ae", 0.65, 0.4), _vowel("aa", 0.85, 0.05), _vowel("ah", 0.55, 0.05),
    _vowel("ax", 0.35, 0.0), _vowel("er", 0.3, -0.25), _vowel("ao", 0.65, -0.45),
    _vowel("uh", 0.3, -0.45), _vowel("uw", 0.15, -0.85),
    # Diphthong end points (onset, offset).
    _vowel("ay_on", 0.8, 0.1), _vowel("ay_off", 0.25, 0.4),
    _vowel("aw_on", 0.8, 0.05), _vowel("aw_off", 0.2, -0.7),
    _vowel("oy_on", 0.55, -0.55), _vowel("oy_off", 0.25, 0.4),
    _vowel("ey_on", 0.4, 0.35), _vowel("ey_off", 0.2, 0.55),
    _vowel("ow_on", 0.5, -0.5), _vowel("ow_off", 0.2, -0.8),
)}
DIPHTHONGS = ("ay", "aw", "oy", "ey", "ow")

_CONSONANT_CLASSES: dict[Viseme, tuple[str, ...]] = {
    REST: ("pau", "sil", "sp", "spn", "h#", "#", "_", ""),
    BILABIAL: ("p", "b", "m", "em"),
    LABIODENTAL: ("f", "v"),
    DENTAL: ("th", "dh"),
    ALVEOLAR: ("t", "d", "n", "l", "el", "en", "nx", "dx"),
    SIBILANT: ("s", "z"),
    POSTALVEOLAR: ("sh", "zh", "ch", "jh"),
    VELAR: ("k", "g", "ng", "hh", "hv", "q"),
    RHOTIC: ("r",),
    LABIOVELAR: ("w", "wh"),
    PALATAL: ("y",),
}
# Other ARPAbet/TIMIT spellings of the vowels above.
_VOWEL_ALIASES = {"axr": "er", "ix": "ih", "ux": "uw", "ax-h": "ax"}

VISEMES: tuple[Viseme, ...] = tuple(dict.fromkeys((REST, NEUTRAL_MID, *_CONSONANT_CLASSES, *VOWELS.values())))
_VISEME_INDEX = {viseme.name: i for i, viseme in enumerate(VISEMES)}
REST_INDEX, NEUTRAL_INDEX = _VISEME_INDEX["rest"], _VISEME_INDEX["neutral_mid"]


def _phone_table() -> dict[str, tuple[int, ...]]:
    """Phone -> one viseme index, or two (onset, offset) for diphthongs."""
    table: dict[str, tuple[int, ...]] = {}
    for viseme, phones in _CONSONANT_CLASSES.items():
        table.update({phone: (_VISEME_INDEX[viseme.name],) for phone in phones})
    table.update({name: (_VISEME_INDEX[name],) for name in VOWELS if "_" not in name})
    table.update({alias: table[vowel] for alias, vowel in _VOWEL_ALIASES.items()})
    table.update({d: (_VISEME_INDEX[f"{d}_on"], _VISEME_INDEX[f"{d}_off"]) for d in DIPHTHONGS})
    return table


PHONE_VISEMES: dict[str, tuple[int, ...]] = _phone_table()

_TARGETS = np.array([v.target for v in VISEMES])
_LOG_DOMINANCE = np.log(np.maximum(np.array([v.dominance for v in VISEMES]), 1e-3))
_RESISTANCE = np.array([v.resistance for v in VISEMES])
_ANTICIPATION = np.array([[1.0, v.anticipation, 1.0] for v in VISEMES])
_HOLD = np.array([v.hold for v in VISEMES])


def visemes_of(phone: str) -> tuple[str, ...]:
    """The viseme name(s) a phone maps to; unknown phones get the neutral mid posture."""
    return tuple(VISEMES[i].name for i in _indices_of(phone))


def _indices_of(phone: str) -> tuple[int, ...]:
    found = PHONE_VISEMES.get(phone)
    if found is None:
        # ARPAbet stress digits (AA1) and upper case are spellings of the same phone.
        found = PHONE_VISEMES.get(phone.strip().lower().rstrip("012"), (NEUTRAL_INDEX,))
    return found


@dataclass(frozen=True)
class CoarticulationConfig:
    """Cohen & Massaro's rate parameters, per second, per channel (jaw, width, close).

    Anticipation is slower-decaying (wider) than carry-over. Lip width spreads furthest
    (rounding anticipation), lip closure is the most local gesture.
    """

    anticipatory_rate: tuple[float, float, float] = (14.0, 9.0, 16.0)
    carryover_rate: tuple[float, float, float] = (20.0, 14.0, 22.0)
    exponent: float = 1.0                 # Cohen & Massaro's c
    pause_rate_factor: float = 1.5        # pauses start and end more sharply than gestures
    resistance_shoulder_s: float = 0.012  # how quickly a closure's pull fades outside it
    block_frames: int = 512               # frames per vectorised block (bounds memory)
    # Segments further than this from a block are ignored: at the slowest decay
    # (9/s / 1.3) their relative weight is below 1e-7.
    reach_s: float = 2.5


def validate_phones(phones: Sequence) -> tuple[list[str], np.ndarray]:
    """(phone, start_s, end_s) rows -> names and an (n, 2) array of times; ValueError if bad."""
    try:
        rows = list(phones)
    except TypeError:
        raise ValueError("phones must be a sequence of (phone, start_s, end_s); "
                         f"got {type(phones).__name__}") from None
    names: list[str] = []
    for index, row in enumerate(rows):
        if isinstance(row, (str, bytes)) or not hasattr(row, "__len__") or len(row) != 3:
            raise ValueError(f"phone {index} must be (phone, start_s, end_s); got {row!r}")
        if not isinstance(row[0], str):
            raise ValueError(f"phone {index}: the phone must be a string; got {row[0]!r}")
        names.append(row[0])
    try:
        times = np.array([(row[1], row[2]) for row in rows], dtype=float).reshape(len(rows), 2)
    except (TypeError, ValueError):
        raise ValueError("phone start and end times must be numbers") from None
    _check_times(times)
    return names, times


def _check_times(times: np.ndarray) -> None:
    if not np.isfinite(times).all():
        bad = int(np.flatnonzero(~np.isfinite(times).all(axis=1))[0])
        raise ValueError(f"phone {bad} has a time that is not a finite number: {times[bad].tolist()}")
    if (times[:, 0] < 0).any():
        bad = int(np.flatnonzero(times[:, 0] < 0)[0])
        raise ValueError(f"phone {bad} starts before 0 s ({times[bad, 0]})")
    if (times[:, 1] < times[:, 0]).any():
        bad = int(np.flatnonzero(times[:, 1] < times[:, 0])[0])
        raise ValueError(f"phone {bad} ends ({times[bad, 1]}) before it starts ({times[bad, 0]})")
    # A millisecond of overlap is rounding in the aligners' output, not disorder.
    overlap = times[1:, 0] < times[:-1, 1] - 1e-3
    if overlap.any():
        bad = int(np.flatnonzero(overlap)[0]) + 1
        raise ValueError(f"phones are not sorted: phone {bad} starts at {times[bad, 0]} "
                         f"before phone {bad - 1} ends at {times[bad - 1, 1]}")


def segments(names: Sequence[str], times: np.ndarray, until_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Phones -> (viseme index per segment, (n, 2) segment times).

    Diphthongs become two halves; gaps between phones and the time before the first and
    after the last phone (up to `until_s`) become rest, so the face starts and ends closed.
    """
    indices: list[int] = []
    bounds: list[tuple[float, float]] = []
    previous_end = 0.0
    for name, (start, end) in zip(names, times):
        if start > previous_end + 1e-3:
            indices.append(REST_INDEX)
            bounds.append((previous_end, start))
        parts = _indices_of(name)
        if len(parts) == 1:
            indices.append(parts[0])
            bounds.append((start, end))
        else:
            middle = (start + end) / 2
            indices += parts
            bounds += [(start, middle), (middle, end)]
        previous_end = max(previous_end, end)
    indices.append(REST_INDEX)
    bounds.append((previous_end, max(until_s, previous_end) + 1.0))
    return np.array(indices, dtype=np.int64), np.array(bounds, dtype=float)


def _blend_block(t: np.ndarray, centre: np.ndarray, half: np.ndarray, index: np.ndarray,
                 rate_scale: np.ndarray, config: CoarticulationConfig) -> np.ndarray:
    """Dominance-weighted targets for frame times `t` (F,) over segments (S,) -> (F, 3)."""
    tau = centre[None, :] - t[:, None]                                     # (F, S)
    distance = np.abs(tau) - np.where(_HOLD[index], half, 0.0)[None, :]
    distance = np.maximum(distance, 0.0)[:, :, None] ** config.exponent    # (F, S, 1)
    pause = np.where(_HOLD[index], config.pause_rate_factor, 1.0)[:, None]
    anticipatory = np.asarray(config.anticipatory_rate) / _ANTICIPATION[index] * pause
    carryover = np.asarray(config.carryover_rate) * pause                  # (S, 3)
    rate = np.where((tau > 0)[:, :, None], anticipatory[None], carryover[None])
    log_dominance = _LOG_DOMINANCE[index][None] - rate * rate_scale[:, None, None] * distance
    weights = np.exp(log_dominance - log_dominance.max(axis=1, keepdims=True))
    return np.einsum("fsc,sc->fc", weights, _TARGETS[index]) / weights.sum(axis=1)


def _apply_resistance(values: np.ndarray, t: np.ndarray, centre: np.ndarray, half: np.ndarray,
                      index: np.ndarray, fps: float, config: CoarticulationConfig) -> np.ndarray:
    """Pull critical channels to their targets over closure segments (in place, returned)."""
    critical = np.flatnonzero(_RESISTANCE[index].max(axis=1) > 0)
    if critical.size == 0:
        return values
    # At least the frame nearest the centre lies inside the plateau, however short the phone.
    plateau = np.maximum(half[critical], 0.5 / fps + 1e-6)
    outside = np.maximum(np.abs(t[:, None] - centre[None, critical]) - plateau[None], 0.0)
    bump = np.exp(-(outside / config.resistance_shoulder_s) ** 2)          # (F, K)
    pull = bump[:, :, None] * _RESISTANCE[index[critical]][None]           # (F, K, 3)
    strongest = pull.argmax(axis=1)                                        # (F, 3)
    weight = np.take_along_axis(pull, strongest[:, None, :], axis=1)[:, 0]
    target = _TARGETS[index[critical]][strongest, np.arange(3)[None, :]]
    return (1.0 - weight) * values + weight * target


def _emotion_gains(emotion: EmotionSource | None, times: np.ndarray) -> dict[str, np.ndarray] | None:
    """Per-frame articulation modifiers from the emotion (None: neutral speech).

    - Arousal scales articulation amplitude: hyper-articulation when aroused, hypo-
      articulation when calm or sad (Lindblom's H&H theory, 1990; the jaw moves more in
      loud, high-arousal speech: Schulman 1989), and sharpens coarticulation when aroused.
    - Happy spreads the lips and weakens rounding (smiled speech: Tartter 1980;
      Drahota, Costall & Reddy 2008).
    - Surprised opens the jaw wider (AU26 tendency of surprise, Ekman & Friesen 1978).
    - Angry is tense: less rounding, a slight spread (lips drawn tight).
    - Sad narrows: less spreading, a little less opening.
    All effects are at most about a quarter of the range so the phonetic shape survives.
    """
    if emotion is None:
        return None
    sampled = [emotion.at(float(t)) for t in times]
    arousal = np.array([target.arousal for target in sampled])
    weights = np.array([np.array(target.categories) * target.intensity for target in sampled])
    happy, sad, angry, surprised, fearful = (
        weights[:, CATEGORY_INDEX[name]] for name in ("happy", "sad", "angry", "surprised", "fearful"))
    return {
        "jaw_gain": 1.0 + 0.25 * arousal + 0.2 * surprised - 0.1 * sad,
        "width_gain": 1.0 + 0.2 * arousal,
        "rounding_gain": 1.0 - 0.3 * happy - 0.35 * angry,
        "spreading_gain": 1.0 - 0.3 * sad,
        "spread": 0.25 * happy + 0.08 * angry + 0.08 * fearful - 0.05 * sad,
        # Hyper-articulated speech coarticulates less: narrower dominance functions.
        "rate_scale": np.clip(1.0 + 0.25 * arousal, 0.6, 1.4),
    }


def _apply_emotion(values: np.ndarray, gains: dict[str, np.ndarray]) -> np.ndarray:
    jaw = values[:, JAW] * gains["jaw_gain"]
    width = values[:, WIDTH] * gains["width_gain"]
    width = np.where(width < 0, width * gains["rounding_gain"], width * gains["spreading_gain"])
    out = values.copy()
    out[:, JAW] = np.clip(jaw, 0.0, 1.0)
    out[:, WIDTH] = np.clip(width + gains["spread"], -1.0, 1.0)
    return out


def mouth_track(phones: Sequence, frames: int, fps: float = FPS,
                emotion: EmotionSource | None = None,
                config: CoarticulationConfig = CoarticulationConfig()) -> np.ndarray:
    """Phone timings -> (frames, 3) mouth channels (jaw_open, lip_width, lip_close).

    Sampled at frame centres (i + 0.5) / fps. `emotion` (a target or a timeline) shapes the
    articulation; None is neutral speech.
    """
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or frames < 0:
        raise ValueError(f"frames must be a non-negative integer; got {frames!r}")
    if not np.isfinite(fps) or fps <= 0:
        raise ValueError(f"fps must be a positive number; got {fps!r}")
    names, times = validate_phones(phones)
    frames = int(frames)
    t = (np.arange(frames) + 0.5) / fps
    gains = _emotion_gains(emotion, t)
    index, bounds = segments(names, times, frames / fps)
    centre, half = bounds.mean(axis=1), (bounds[:, 1] - bounds[:, 0]) / 2
    rate_scale = np.broadcast_to(gains["rate_scale"] if gains else np.ones(1), (frames,))
    out = np.empty((frames, len(MOUTH_CHANNELS)))
    for first in range(0, frames, config.block_frames):
        block = slice(first, min(first + config.block_frames, frames))
        tb = t[block]
        lo = int(np.searchsorted(bounds[:, 1], tb[0] - config.reach_s, side="left"))
        hi = int(np.searchsorted(bounds[:, 0], tb[-1] + config.reach_s, side="right"))
        lo, hi = min(lo, len(index) - 1), max(hi, lo + 1)
        seg = slice(lo, hi)
        values = _blend_block(tb, centre[seg], half[seg], index[seg], rate_scale[block], config)
        out[block] = _apply_resistance(values, tb, centre[seg], half[seg], index[seg], fps, config)
    if gains is not None:
        out = _apply_emotion(out, {k: np.broadcast_to(v, (frames,)) for k, v in gains.items()})
    return out.astype(np.float32)
