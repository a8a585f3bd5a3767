"""The face rig: a frame of motion (`motion.py`) -> 70 landmark positions.

Points 0-67 are the iBUG-68 landmarks dlib finds; 68 and 69 are the pupils (right eye of the
image-left, then the other), which dlib does not give but gaze needs. The rig works in a
canonical face frame (origin between the eye centres, unit = inter-ocular distance, x to
image right, y down) and maps back through the portrait's own similarity transform, so the
same motion moves a small, large or tilted face alike. Action-unit displacements follow the
appearance changes FACS describes for each unit (Ekman, Friesen & Hager 2002).
"""

from __future__ import annotations

import numpy as np

# The face frame and the eye and jaw indices live below both conditioning and synth.
from common.face_frame import JAW, LANDMARKS, LEFT_EYE, RIGHT_EYE, FaceFrame

from .motion import CHANNEL_INDEX, MotionTrack

POINTS = 70
PUPILS = (68, 69)
RIGHT_BROW, LEFT_BROW = tuple(range(17, 22)), tuple(range(22, 27))
NOSTRILS = tuple(range(31, 36))
UPPER_LIDS, LOWER_LIDS = (37, 38, 43, 44), (41, 40, 47, 46)  # paired top -> bottom
OUTER_LIPS, INNER_LIPS = tuple(range(48, 60)), tuple(range(60, 68))
MOUTH_CORNERS = (48, 54, 60, 64)
UPPER_LIP = (49, 50, 51, 52, 53, 61, 62, 63)
LOWER_LIP = (55, 56, 57, 58, 59, 65, 66, 67)
INNER_PAIRS = ((61, 67), (62, 66), (63, 65))   # upper inner -> lower inner
OUTER_PAIRS = ((50, 58), (51, 57), (52, 56))

# A neutral face with closed lips in the canonical frame: the astronaut portrait's landmarks,
# made left-right symmetric, with the mouth closed by hand.
TEMPLATE = np.array([
    [-1.072, 0.072], [-1.037, 0.348], [-1.003, 0.602], [-0.957, 0.879], [-0.865, 1.134],
    [-0.715, 1.353], [-0.496, 1.537], [-0.265, 1.7], [0.0, 1.735], [0.265, 1.7],
    [0.496, 1.537], [0.715, 1.353], [0.865, 1.134], [0.957, 0.879], [1.003, 0.602],
    [1.037, 0.348], [1.072, 0.072], [-0.912, -0.147], [-0.784, -0.297], [-0.601, -0.32],
    [-0.415, -0.297], [-0.231, -0.239], [0.231, -0.239], [0.415, -0.297], [0.601, -0.32],
    [0.784, -0.297], [0.912, -0.147], [0.0, -0.021], [0.0, 0.188], [0.0, 0.371], [0.0, 0.555],
    [-0.231, 0.66], [-0.115, 0.695], [0.0, 0.718], [0.115, 0.695], [0.231, 0.66],
    [-0.693, 0.004], [-0.576, -0.088], [-0.415, -0.088], [-0.289, 0.05], [-0.439, 0.061],
    [-0.588, 0.062], [0.289, 0.05], [0.415, -0.088], [0.576, -0.088], [0.693, 0.004],
    [0.588, 0.062], [0.439, 0.061],
    [-0.42, 0.93], [-0.27, 0.87], [-0.11, 0.855], [0.0, 0.87], [0.11, 0.855], [0.27, 0.87],
    [0.42, 0.93], [0.28, 1.03], [0.13, 1.07], [0.0, 1.075], [-0.13, 1.07], [-0.28, 1.03],
    [-0.38, 0.935], [-0.12, 0.95], [0.0, 0.955], [0.12, 0.95], [0.38, 0.935],
    [0.12, 0.955], [0.0, 0.96], [-0.12, 0.955],
])

# Rough depth toward the camera (canonical units), for small head rotations.
_DEPTH = np.zeros(POINTS)
_DEPTH[list(JAW)] = -0.55 + 0.45 * np.cos(np.linspace(-np.pi / 2, np.pi / 2, 17))
_DEPTH[17:27] = 0.15
_DEPTH[27:31] = (0.25, 0.4, 0.55, 0.7)
_DEPTH[31:36] = (0.35, 0.45, 0.5, 0.45, 0.35)
_DEPTH[36:48] = 0.05
_DEPTH[48:68] = 0.35
_DEPTH[list(MOUTH_CORNERS)] = 0.22
_DEPTH[list(PUPILS)] = 0.1
_PIVOT = np.array([0.0, 0.45, 0.0])


def _basis(moves: dict[tuple[int, ...], tuple[float, float]], mirror: bool = True) -> np.ndarray:
    """Displacements for points; with `mirror`, dx points away from the face's midline."""
    basis = np.zeros((POINTS, 2))
    for indices, (dx, dy) in moves.items():
        for index in indices:
            side = np.sign(TEMPLATE[index, 0]) if mirror and index < LANDMARKS else 1.0
            basis[index] += (dx * side, dy)
    return basis


# The brow lowerer pulls the brows down more than together: lowered brows are what a real-photo
# FER read as anger, and the rig's brow gap was already past the apex figure.
# The outer brow raiser (AU2) lifts the middle of the brow too, so that AU1+2 raise the whole brow
# evenly into a high arch (FACS: the brow is "raised and curved" in surprise) instead of leaving
# a dip between the inner and outer raise, which read as the oblique brow of sadness; AU1 alone
# (sadness) keeps its oblique inner raise. On the five packaged photos tuned on (outside FER,
# stills) the arch moved mean p(surprise) 0.50 -> 0.56 beside shading.py's eye whites; sadness
# is unchanged.
_AU_BASES = {
    "AU1": _basis({(21, 22): (0.0, -0.13), (20, 23): (0.0, -0.08), (19, 24): (0.0, -0.03)}),
    "AU2": _basis({(17, 26): (0.0, -0.1), (18, 25): (0.0, -0.12), (19, 24): (0.0, -0.09), (20, 23): (0.0, -0.04)}),
    "AU4": _basis({(21, 22): (-0.06, 0.11), (20, 23): (-0.045, 0.1), (19, 24): (-0.02, 0.06),
                   (18, 25): (0.0, 0.02), (38, 43): (0.0, 0.015)}),
    "AU5": _basis({(37, 38, 43, 44): (0.0, -0.07), (36, 39, 42, 45): (0.0, -0.01)}),
    "AU6": _basis({(40, 41, 46, 47): (0.0, -0.045), (37, 38, 43, 44): (0.0, 0.012), (48, 54): (0.02, -0.03),
                   (1, 2, 14, 15): (0.01, -0.03)}),
    "AU7": _basis({(40, 41, 46, 47): (0.0, -0.05), (37, 38, 43, 44): (0.0, 0.01)}),
    "AU9": _basis({NOSTRILS: (0.0, -0.05), (31, 35): (0.02, -0.02), (21, 22): (-0.01, 0.04),
                   (49, 50, 51, 52, 53): (0.0, -0.04), (61, 62, 63): (0.0, -0.03)}),
    "AU10": _basis({(49, 53): (0.0, -0.03), (48, 54): (0.0, -0.02)}),
    "AU12": _basis({(48, 54): (0.11, -0.1), (60, 64): (0.1, -0.09), (49, 53, 59, 55): (0.05, -0.04)}),
    "AU15": _basis({(48, 54): (0.0, 0.09), (60, 64): (0.0, 0.08), (59, 55): (0.0, 0.03)}),
    "AU16": _basis({(56, 57, 58): (0.0, 0.07), (65, 66, 67): (0.0, 0.06), (55, 59): (0.0, 0.04)}),
    # Lip stretcher: the corners are pulled back and a little down (risorius and platysma), so the
    # stretched mouth of fear is a flat, slightly down-turned slit rather than a widened oval.
    "AU20": _basis({(48, 54): (0.13, 0.05), (60, 64): (0.12, 0.04), (49, 53, 55, 59): (0.06, 0.01)}),
    "AU23": _basis({(48, 54): (-0.05, 0.0), (60, 64): (-0.04, 0.0), (50, 51, 52): (0.0, 0.03),
                    (56, 57, 58): (0.0, -0.03)}),
}


# Displacements applied after the lips have closed for speech, since no lip closure cancels them:
# the upper lip raiser (AU10) lifts the upper lip's centre off the teeth (FACS: the upper lip
# rises and its centre parts from the lower), and a broad smile (AU12) parts the lips over the
# teeth, as posed smiles do (AU12+25, the Duchenne display; Ekman, Davidson & Friesen 1990).
POST_CLOSURE = {
    "AU10": _basis({(50, 51, 52): (0.0, -0.075), (61, 62, 63): (0.0, -0.07), (49, 53): (0.0, -0.04)}),
    "AU12": _basis({(61, 62, 63): (0.0, -0.035), (65, 66, 67): (0.0, 0.02), (50, 51, 52): (0.0, -0.015)}),
}
# The lips' parting in a broad smile (AU25 with AU12): the upper lip rises off the upper incisors
# and the lower lip falls, widest in the middle, so the opening is the smile's crescent. In the
# average posed smile 75-100 % of the upper incisors' crown (~10 mm) shows (Tjan, Miller & The
# 1984, J Prosthet Dent 51:24-28): at a full smile the inner lips part by ~0.15 inter-ocular
# units (~9 mm), the upper teeth filling most of it (`renderer.CavityStyle.smile_teeth_share`).
SMILE_PARTING = _basis({(62,): (0.0, -0.055), (61, 63): (0.0, -0.06), (51,): (0.0, -0.035),
                        (50, 52): (0.0, -0.04), (49, 53): (0.0, -0.025),
                        (66,): (0.0, 0.09), (65, 67): (0.0, 0.06), (57,): (0.0, 0.06),
                        (56, 58): (0.0, 0.045), (55, 59): (0.0, 0.02)})
SMILE_PARTING_FROM_AU12 = 0.3         # a faint smile (calm) keeps its lips together
POST_CLOSURE_AU12_UNDER_CLOSURE = 0.5  # share of AU12's small parting a full lip closure keeps
SMILE_PARTING_UNDER_CLOSURE = 0.8     # share of a broad smile's parting a full lip closure keeps


def smile_parting(au12: float) -> float:
    """0..1: how far a smile of this AU12 parts the lips (none for a faint one, full at apex)."""
    return float(np.clip((au12 - SMILE_PARTING_FROM_AU12) / (1.0 - SMILE_PARTING_FROM_AU12), 0.0, 1.0))


# Rounded vowels narrow the mouth; a smile or a lip stretch keeps most of its width through them
# (speech and emotion share the mouth: the corners must keep the emotion).
SPREAD_KEEPS_WIDTH = 0.7


def _jaw_weights() -> np.ndarray:
    """How far each point follows the jaw: lower lip and chin fully, cheeks partly."""
    weights = np.zeros(POINTS)
    jaw_y = TEMPLATE[list(JAW), 1]
    weights[list(JAW)] = np.clip((jaw_y - 0.55) / (1.735 - 0.55), 0.0, 1.0) ** 1.2
    weights[list(LOWER_LIP)] = 1.0
    weights[[55, 59]] = 0.8
    weights[list(MOUTH_CORNERS)] = 0.45
    return weights


_JAW_WEIGHTS = _jaw_weights()
_JAW_WEIGHTS.setflags(write=False)
JAW_WEIGHTS = _JAW_WEIGHTS      # also used to neutralise a photo's open jaw (neutral.py)
JAW_DROP = 0.42          # canonical units the chin falls at jaw_open = 1
# An emotional jaw drop (AU26) with relaxed lips makes the mouth an oval, narrower than a
# speaking mouth: a wide, flat opening read as a grin to a real-photo FER. A stretch (AU20) or a
# smile keeps the width, as lip rounding does under them.
AU26_ROUNDING = 0.6
LIP_WIDTH = _basis({(48, 54): (0.1, 0.0), (60, 64): (0.09, 0.0), (49, 53, 55, 59): (0.05, 0.0),
                    (50, 52): (0.0, 0.015), (56, 58): (0.0, -0.015)})


def with_pupils(landmarks: np.ndarray) -> np.ndarray:
    """68 landmarks -> 70 points: the pupils at rest sit at the eye centres."""
    pupils = np.stack([landmarks[list(RIGHT_EYE)].mean(axis=0), landmarks[list(LEFT_EYE)].mean(axis=0)])
    return np.concatenate([landmarks, pupils])


def _close_lips(points: np.ndarray, amount: float) -> None:
    for (upper, lower), (outer_upper, outer_lower) in zip(INNER_PAIRS, OUTER_PAIRS):
        gap = max(points[lower, 1] - points[upper, 1], 0.0)
        points[[upper, outer_upper], 1] += amount * gap / 2
        points[[lower, outer_lower], 1] -= amount * gap / 2


def _rotate_head(points: np.ndarray, yaw: float, pitch: float, roll: float) -> np.ndarray:
    xyz = np.column_stack([points, _DEPTH]) - _PIVOT
    cy, sy, cp, sp, cr, sr = np.cos(yaw), np.sin(yaw), np.cos(pitch), np.sin(pitch), np.cos(roll), np.sin(roll)
    turn = np.array([[cy, 0, -sy], [0, 1, 0], [sy, 0, cy]])
    nod = np.array([[1, 0, 0], [0, cp, sp], [0, -sp, cp]])
    tilt = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    return ((xyz @ (tilt @ nod @ turn).T) + _PIVOT)[:, :2]


def pose_canonical(rest: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """70 canonical rest points + one frame of motion values -> 70 canonical points."""
    get = lambda name: float(frame[CHANNEL_INDEX[name]])  # noqa: E731
    points = rest.copy()
    for unit, basis in _AU_BASES.items():
        points += get(unit) * basis
    width = get("lip_width") - AU26_ROUNDING * get("AU26")
    if width < 0:
        width *= 1.0 - SPREAD_KEEPS_WIDTH * float(np.clip(max(get("AU12"), get("AU20")), 0.0, 1.0))
    points += width * LIP_WIDTH
    jaw = np.clip(get("jaw_open") + 0.6 * get("AU26"), 0.0, 1.3)
    points[:, 1] += JAW_DROP * jaw * _JAW_WEIGHTS
    closure = float(np.clip(get("lip_close"), 0.0, 1.0))
    _close_lips(points, closure)
    points += get("AU10") * POST_CLOSURE["AU10"]
    # Speech still closes the lips part-way over a smile's teeth; the corners stay where the smile put them.
    points += get("AU12") * (1.0 - (1.0 - POST_CLOSURE_AU12_UNDER_CLOSURE) * closure) * POST_CLOSURE["AU12"]
    points += smile_parting(get("AU12")) * (1.0 - (1.0 - SMILE_PARTING_UNDER_CLOSURE) * closure) * SMILE_PARTING
    for upper, lower in zip(UPPER_LIDS, LOWER_LIDS):
        travel = points[lower, 1] - points[upper, 1]
        points[upper, 1] += 0.92 * float(np.clip(get("blink"), 0.0, 1.0)) * travel
    points[list(PUPILS)] += (0.09 * get("gaze_x"), 0.035 * get("gaze_y"))
    return _rotate_head(points, get("head_yaw"), get("head_pitch"), get("head_roll"))


def pose_track(landmarks: np.ndarray, track: MotionTrack) -> np.ndarray:
    """A face's 68 landmarks (image pixels) + motion -> (frames, 70, 2) image points."""
    face = FaceFrame.of(landmarks)
    rest = face.to_canonical(with_pupils(np.asarray(landmarks, dtype=float)))
    return np.stack([face.to_image(pose_canonical(rest, frame)) for frame in track.values])


def mouth_opening(points: np.ndarray) -> float:
    """Inner-lip gap over inter-ocular distance: the measure lip sync is judged by."""
    face = FaceFrame.of(points[:LANDMARKS])
    gap = np.mean([np.hypot(*(points[lower] - points[upper])) for upper, lower in INNER_PAIRS])
    return float(gap / face.scale)
