"""A rendered face's expression as two recognizers read it, and whether to believe them.

The in-repo FER (conditioning/fer/recognizer.py) was trained on the renderer's own faces, so it
reads the rig's displacements; the outside FER (conditioning/fer/fer2013.py, a network trained
on 35,887 real photos labelled by people) knows what people's faces look like and nothing of
the rig. A reading is *reliable* only when both name the same category: the outside network
checks that the expression reads on a face, the in-repo one supplies calm, which FER2013 lacks
(so calm and neutral count as the same there). The reported target is the mean of the two
readings; where the outside network is not installed, or finds a face in fewer than half the
judged frames, the in-repo reading stands alone and is marked unchecked (not reliable).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from conditioning.target import EmotionTarget

from .fer2013 import JudgeUnavailable, check_available, clip_reading, fer2013_label
from .recognizer import FaceExpressionRecognizer, mean_target

MIN_FACE_SHARE = 0.5          # of judged frames where the outside network must find the face


@dataclass(frozen=True)
class FaceEmotion:
    """What the recognizers read in a clip's judged frames."""

    target: EmotionTarget               # the judged reading (both recognizers' mean, or the in-repo one)
    network: EmotionTarget              # the in-repo FER's reading
    outside: EmotionTarget | None       # FER2013's; None: not installed, or too few faces found
    outside_face_share: float = 0.0     # judged frames where FER2013 found the face

    @property
    def reliable(self) -> bool:
        """True only when a recognizer trained on real faces reads the same category."""
        return self.outside is not None and fer2013_label(self.network.category) == self.outside.category

    @property
    def label(self) -> str:
        return self.target.category if self.reliable else "uncertain"

    @property
    def category(self) -> str:
        return self.target.category

    def category_dict(self) -> dict[str, float]:
        return self.target.category_dict()

    def check(self) -> dict:
        """JSON-ready: the label and each recognizer's own reading."""
        return {"label": self.label, "reliable": self.reliable,
                "checked_by_outside_fer": self.outside is not None,
                "outside_face_share": round(self.outside_face_share, 3),
                "network": self.network.to_dict(), "outside": self.outside.to_dict() if self.outside else None}

    def to_dict(self) -> dict:
        return {"emotion": self.target.to_dict(), **self.check()}


def judge_face_clip(recognizer: FaceExpressionRecognizer, frames: Sequence[np.ndarray],
                    landmarks: Sequence[np.ndarray]) -> FaceEmotion:
    """Both recognizers on a clip's judged frames (RGB images with their 68 landmarks)."""
    network = mean_target(recognizer.recognize_faces(frames, landmarks))
    try:
        check_available()
    except JudgeUnavailable:
        return FaceEmotion(network, network, None)
    outside, share = clip_reading(frames)
    if outside is None or share < MIN_FACE_SHARE:
        return FaceEmotion(network, network, None, share)
    return FaceEmotion(mean_target((network, outside)), network, outside, share)


__all__ = ["FaceEmotion", "MIN_FACE_SHARE", "judge_face_clip"]
