"""How far a face moves at the apex of a posed expression, and how to measure it on landmarks.

``measure`` reads, from a neutral and an expressive set of 68 landmarks of one face, the
displacements that carry the basic expressions, in the canonical face frame (unit = the
distance between the eye centres, about 63 mm in adults: Dodgson 2004, mean interpupillary
distance 63 mm). ``APEX`` lists what posed apex expressions measure, per category, with where
each figure comes from. The rig is scaled so that intensity 1 reaches these figures
(tests/test_face_apex.py), and `train.evaluate_talking_head` measures the rendered frames,
re-detected by dlib, beside them.

Sources (mm converted at 63 mm per unit):
* [T05] Tarantili, Halazonetis & Spyropoulos 2005, Am J Orthod Dentofacial Orthop 128:8-15:
  smiles widen the mouth by 27 % (of a ~50 mm neutral width: 6.8 mm per corner) and move the
  corners up and out at about 47 degrees (so 7.2 mm up).
* [C04] Cruz & Cruz 2004, Arq Bras Oftalmol 67:237-240: maximal frontalis contraction raises
  the central brow 7.6-9.0 mm (81 subjects).
* [FACS] Ekman, Friesen & Hager 2002, the FACS manual: the appearance changes that define a
  unit at its apex (e.g. AU5: sclera shows above the iris; AU26: lips parted with the jaw
  relaxed, not stretched). Where FACS gives the criterion but no millimetres, the figure is
  the smallest displacement that meets the criterion on an average face (iris 11.7 mm; upper
  lid 4-5 mm above the pupil centre at rest, MRD1), marked "criterion" below.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .rig import LANDMARKS, FaceFrame

MM_PER_UNIT = 63.0


@dataclass(frozen=True)
class ApexFigure:
    value: float          # canonical units (inter-ocular distances), signed as in `measure`
    source: str           # "[T05]", "[C04]" or "criterion: ..."

    @property
    def mm(self) -> float:
        return self.value * MM_PER_UNIT


# The measures (positive = up, outward, apart, open).
MEASURES: dict[str, str] = {
    "corner_raise": "lip corners (48, 54) up",
    "corner_out": "lip corners out, each (half the mouth-width change)",
    "inner_brow_raise": "inner brows (21, 22) up",
    "outer_brow_raise": "outer brows (17, 26) up",
    "brow_gap": "inner brows apart (21-22 distance change)",
    "upper_lid_raise": "upper lids (37, 38, 43, 44) up",
    "lower_lid_raise": "lower lids (40, 41, 46, 47) up",
    "upper_lip_raise": "upper lip centre (51) up",
    "jaw_drop": "chin (8) down",
}

APEX: dict[str, dict[str, ApexFigure]] = {
    "happy": {
        "corner_raise": ApexFigure(0.115, "[T05] 7.2 mm"),
        "corner_out": ApexFigure(0.107, "[T05] 6.8 mm"),
        "lower_lid_raise": ApexFigure(0.03, "criterion: AU6 raises the lower lid, bagging below it (~2 mm)"),
    },
    "sad": {
        "corner_raise": ApexFigure(-0.06, "criterion: AU15 corners angled down (~4 mm)"),
        "inner_brow_raise": ApexFigure(0.08, "criterion: AU1 inner brow up, ~60 % of [C04]'s 8.3 mm"),
        "brow_gap": ApexFigure(-0.05, "criterion: AU4 draws the inner brows together (~3 mm)"),
    },
    "surprised": {
        "inner_brow_raise": ApexFigure(0.12, "[C04] 7.6-9.0 mm at maximal frontalis"),
        "outer_brow_raise": ApexFigure(0.1, "[C04], lateral brow ~80 % of central"),
        "upper_lid_raise": ApexFigure(0.045, "criterion: AU5 sclera above the iris (~3 mm)"),
        "jaw_drop": ApexFigure(0.2, "criterion: AU26 lips and teeth parted, ~13 mm (a quarter of maximal opening)"),
    },
    "angry": {
        "inner_brow_raise": ApexFigure(-0.08, "criterion: AU4 brows lowered to the upper lid (~5 mm)"),
        "brow_gap": ApexFigure(-0.1, "criterion: AU4 brows drawn together, vertical furrows (~3 mm each)"),
        "upper_lid_raise": ApexFigure(0.03, "criterion: AU5 glare (~2 mm)"),
        "lower_lid_raise": ApexFigure(0.035, "criterion: AU7 lower lid tightened up (~2 mm)"),
        "corner_out": ApexFigure(-0.04, "criterion: AU23 lips narrowed (~2.5 mm each)"),
    },
    "disgusted": {
        "upper_lip_raise": ApexFigure(0.06, "criterion: AU9/AU10 upper lip raised (~4 mm)"),
        "corner_raise": ApexFigure(-0.05, "criterion: AU15 corners down (~3 mm)"),
        "inner_brow_raise": ApexFigure(-0.04, "criterion: AU9 pulls the inner brows down (~2.5 mm)"),
    },
    "fearful": {
        "inner_brow_raise": ApexFigure(0.08, "criterion: AU1+2 raised, held together by AU4 (~5 mm)"),
        "brow_gap": ApexFigure(-0.05, "criterion: AU4 inner brows together (~3 mm)"),
        "upper_lid_raise": ApexFigure(0.05, "criterion: AU5 sclera above the iris (~3 mm)"),
        "corner_out": ApexFigure(0.07, "criterion: AU20 lips stretched sideways (~4.5 mm each)"),
        "jaw_drop": ApexFigure(0.14, "criterion: AU26 jaw dropped (~9 mm)"),
    },
    "calm": {
        "corner_raise": ApexFigure(0.03, "criterion: faint AU12 (~2 mm)"),
    },
    "neutral": {},
}


def _checked(points: np.ndarray) -> np.ndarray:
    points = np.asarray(points, dtype=float)
    if points.ndim != 2 or points.shape[0] < LANDMARKS or points.shape[1] != 2 or not np.isfinite(points).all():
        raise ValueError(f"need finite ({LANDMARKS}, 2) landmarks; got {points.shape}")
    return points[:LANDMARKS]


# Points no expression in the rig moves much (eye corners, nose bridge): what head motion is
# fitted to. Not the eye centres: lids move them.
STABLE_POINTS = (36, 39, 42, 45, 27, 28, 29, 30)


def _aligned(posed: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    """`posed` moved by the similarity that best lays its stable points on `neutral`'s."""
    p = posed[list(STABLE_POINTS)] @ (1, 1j)
    q = neutral[list(STABLE_POINTS)] @ (1, 1j)
    gain = np.vdot(p - p.mean(), q - q.mean()) / np.vdot(p - p.mean(), p - p.mean())
    moved = (posed @ (1, 1j) - p.mean()) * gain + q.mean()
    return np.column_stack([moved.real, moved.imag])


def measure(neutral: np.ndarray, posed: np.ndarray) -> dict[str, float]:
    """The `MEASURES` of posed landmarks against the same face's neutral ones (68 each, image
    pixels), in the neutral face's canonical frame, after laying the posed face's stable
    points on the neutral's so that head motion between the two cancels."""
    neutral, posed = _checked(neutral), _checked(posed)
    frame = FaceFrame.of(neutral)
    a = frame.to_canonical(neutral)
    b = frame.to_canonical(_aligned(posed, neutral))

    def up(indices) -> float:
        return float(np.mean(a[list(indices), 1] - b[list(indices), 1]))

    def width(points, i, j) -> float:
        return float(points[j, 0] - points[i, 0])
    return {
        "corner_raise": up((48, 54)),
        "corner_out": (width(b, 48, 54) - width(a, 48, 54)) / 2,
        "inner_brow_raise": up((21, 22)),
        "outer_brow_raise": up((17, 26)),
        "brow_gap": width(b, 21, 22) - width(a, 21, 22),
        "upper_lid_raise": up((37, 38, 43, 44)),
        "lower_lid_raise": up((40, 41, 46, 47)),
        "upper_lip_raise": up((51,)),
        "jaw_drop": -up((8,)),
    }
