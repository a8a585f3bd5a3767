"""The judges the loop trusts, as `Judgement`s: the speech emotion recognizer (validated on a
voice it never heard, judged against the voice's own neutral speech) for speech and voice
conversion; for faces a network trained on real photos (FER2013, conditioning/fer/fer2013.py),
not the in-repo FER, which learnt the rig's renders. A timeline is judged per segment from the
recognizer's windows."""

from __future__ import annotations

import numpy as np

from conditioning.fer.fer2013 import clip_reading
from conditioning.target import EmotionTarget
from conditioning.timeline import EmotionSource, EmotionTimeline

from .loop import plain_judgement
from .scores import Judgement, mean_reading, timeline_segments

TIMELINE_RATE_HZ = 4.0


def asked_target(source: EmotionSource, duration_s: float | None = None) -> EmotionTarget:
    """What the loop aims at overall: the target, or a timeline's mean over its length."""
    if not isinstance(source, EmotionTimeline):
        return source
    length = duration_s if duration_s else max(source.duration, 1.0 / TIMELINE_RATE_HZ)
    return mean_reading(source.sample(TIMELINE_RATE_HZ, length))


def speech_judgement(recognized, source: EmotionSource, duration_s: float) -> Judgement:
    """The SER's reading (a SpeechEmotion or None) of speech made for `source`."""
    target, reliable = plain_judgement(recognized)
    if target is None or not isinstance(source, EmotionTimeline):
        return Judgement(target, reliable)
    windows = [(frame.time_s, frame.target) for frame in recognized.frames]
    return Judgement(target, reliable, segments=timeline_segments(source, windows, duration_s))


# A clip in which the outside FER finds a face in fewer of the frames than this is not read
# confidently enough to choose by: the face it judged may be a warp artefact, not the portrait.
MIN_FACE_SHARE = 0.5


def outside_face_judgement(frames, identity_distance: float | None = None) -> Judgement:
    """The outside FER's reading of a clip's frames (as people see them: decoded from the video)."""
    target, found = clip_reading(frames)
    return Judgement(target, found >= MIN_FACE_SHARE, identity_distance=identity_distance)


# The face points no expression moves (eye corners, nose bridge): their drift is the face's
# shape changing, not its expression.
STABLE_POINTS = (36, 39, 42, 45, 27, 28, 29, 30)
IDENTITY_SCALE = 0.1       # a drift of a tenth of the eye distance counts as a lost identity


def landmark_drift(source_points: np.ndarray, frames: np.ndarray) -> float:
    """0..1: how far the rendered face's stable points moved from the portrait's, after the best
    similarity transform per frame (head motion cancels), in eye distances / IDENTITY_SCALE."""
    source = np.asarray(source_points, dtype=float)[list(STABLE_POINTS)] @ (1, 1j)
    eye_distance = abs(source[0] - source[3]) or 1.0
    drifts = []
    for points in np.asarray(frames, dtype=float):
        moved = points[list(STABLE_POINTS)] @ (1, 1j)
        p, q = moved - moved.mean(), source - source.mean()
        gain = np.vdot(p, q) / max(np.vdot(p, p).real, 1e-12)
        drifts.append(np.abs(p * gain - q).mean() / eye_distance)
    return float(np.clip(np.mean(drifts) / IDENTITY_SCALE, 0.0, 1.0)) if drifts else 0.0
