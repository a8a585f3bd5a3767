"""Appearance cues the landmark warp cannot make: creases and eye whites, shaded locally.

A warp moves skin; it cannot fold it. People read several expressions from the folds and
from the whites of the eyes as much as from where features are (the FACS manual lists them as
the appearance changes of each unit): the nasolabial furrow deepens with AU12 (smile) and AU9
(nose wrinkle), vertical furrows appear between the brows with AU4, horizontal lines cross
the forehead with AU1+2, and sclera shows above the iris with AU5. The cheek raiser (AU6, what
makes a smile a Duchenne smile) lifts and rounds the cheeks, bags the skin below the lower lids
and wrinkles the outer eye corners (crow's feet): a highlight on the raised cheek, a soft fold
under each lower lid and three short lines fanning out from each outer eye corner. Each cue's strength comes
from geometry (the posed landmarks against the rest ones, `apex.measure`), so the cues follow
any motion, on any portrait, and vanish at rest. Creases are drawn as soft dark lines with a
lighter rim on the bulging side, multiplied into the frame, so the skin's own colour and
texture stay under them.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .apex import _aligned, measure
from .rig import FaceFrame, LANDMARKS, LEFT_EYE, PUPILS, RIGHT_EYE


@dataclass(frozen=True)
class ShadingStyle:
    crease_darkness: float = 0.22        # multiplicative darkening at a full-strength crease
    rim_lightness: float = 0.07
    crease_width_iods: float = 0.022
    blur_iods: float = 0.014
    sclera: tuple[int, int, int] = (228, 226, 222)
    iris_radius_iods: float = 0.085      # 11.7 mm iris at 63 mm between the eyes: 0.093, less the limbus
    # Sclera painted fully (not three quarters) and down to a little below the pupil's level, on
    # both sides of the iris, as a raised upper lid shows it: the whites of the eyes were what a
    # real-photo FER read surprise and fear by: on the five packaged photos tuned on, surprise
    # 2/5 -> 4/5 (mean p 0.38 -> 0.56) and fear p 0.38 -> 0.41 against the earlier thinner crescent.
    sclera_alpha: float = 1.0
    sclera_below_pupil: float = 0.3      # iris radii below the pupil centre the sclera reaches
    cheek_lightness: float = 0.12        # gain on the raised cheek at a full AU6
    cheek_shadow: float = 0.05           # below the cheek's bulge, toward the fold
    under_eye_darkness: float = 0.16     # the lower-lid bag's fold
    crows_feet_darkness: float = 0.16
    # Forehead lines at the plain crease gain were too faint for a real-photo FER to see at its
    # 64 px: at 2.5 it read fear on more faces it was not tuned on (mean p(fear) 0.25 -> 0.30 on
    # held-out photos) and surprise and sadness as often. The lines fade toward their ends, as
    # frontalis folds do, so they do not read as drawn stripes.
    forehead_gain: float = 2.5


@dataclass(frozen=True)
class Cues:
    """0..1 strengths."""

    nasolabial: float
    furrow: float
    forehead: float
    eye_white: float
    cheek: float = 0.0       # AU6: cheeks raised (cheek highlight, lower-lid bag, crow's feet)
    smile: float = 0.0       # AU12: lip corners up (the renderer shows more teeth in a smile)

    @classmethod
    def of(cls, rest: np.ndarray, posed: np.ndarray) -> "Cues":
        m = measure(rest[:LANDMARKS], posed[:LANDMARKS])
        frame = FaceFrame.of(rest[:LANDMARKS])
        nostril_rise = float(np.mean(frame.to_canonical(rest[31:36])[:, 1] - frame.to_canonical(posed[31:36])[:, 1]))
        clip = lambda x: float(np.clip(x, 0.0, 1.0))  # noqa: E731
        # AU6 is the only unit that lifts the cheeks' outline (jaw points 1, 2, 14, 15); the lid
        # tightener (AU7, anger) raises the lower lids too but leaves the cheeks.
        cheeks = (1, 2, 14, 15)
        aligned = frame.to_canonical(_aligned(posed[:LANDMARKS], rest[:LANDMARKS]))
        cheek_rise = float(np.mean(frame.to_canonical(rest[:LANDMARKS])[list(cheeks), 1] - aligned[list(cheeks), 1]))
        return cls(cheek=clip((cheek_rise - 0.004) / 0.016), smile=clip(m["corner_raise"] / 0.09),
                   nasolabial=clip(max(m["corner_raise"] / 0.09, nostril_rise / 0.04, m["upper_lip_raise"] / 0.06)),
                   furrow=clip(-m["brow_gap"] / 0.08),
                   forehead=clip((m["inner_brow_raise"] + m["outer_brow_raise"]) / 2 / 0.08),
                   eye_white=clip((m["upper_lid_raise"] - 0.01) / 0.035))

    @property
    def any(self) -> bool:
        return max(self.nasolabial, self.furrow, self.forehead, self.eye_white, self.cheek) > 0.02


def _curves(posed: np.ndarray, cues: Cues, forehead_gain: float = 1.0) -> list[tuple[np.ndarray, float, np.ndarray]]:
    """(polyline in image pixels, strength, unit direction toward the bulge) for each crease."""
    face = FaceFrame.of(posed[:LANDMARKS])
    c = face.to_canonical(posed)
    down = face.to_image(np.array([[0.0, 1.0]])) - face.to_image(np.array([[0.0, 0.0]]))
    down = (down / np.hypot(*down[0]))[0]
    curves = []
    if cues.nasolabial > 0:
        for wing, corner, side in ((31, 48, -1.0), (35, 54, 1.0)):
            start = c[wing] + (side * 0.09, -0.05)
            end = c[corner] + (side * 0.1, 0.06)
            middle = (start + end) / 2 + (side * 0.05, 0.0)
            t = np.linspace(0, 1, 12)[:, None]
            bezier = (1 - t) ** 2 * start + 2 * (1 - t) * t * middle + t ** 2 * end
            outward = face.to_image(np.array([[side, 0.0]])) - face.to_image(np.array([[0.0, 0.0]]))
            # The cheek bulges above and outside the fold; the lip side below it is lit less.
            curves.append((face.to_image(bezier), cues.nasolabial, -(outward / np.hypot(*outward[0]))[0]))
    if cues.cheek > 0:
        t = np.linspace(0, 1, 9)[:, None]
        for lid, canthus, side in (((40, 41), 36, -1.0), ((47, 46), 45, 1.0)):
            # The lower lid's bag: a fold a little below the lid, from under the pupil to past
            # the outer corner, sagging in the middle; the bag above it is lit.
            lid_y = float(np.mean(c[list(lid), 1]))
            xs = c[canthus, 0] - side * 0.3 + side * 0.42 * t[:, 0]
            sag = 0.03 * np.sin(np.pi * t[:, 0])
            fold = np.column_stack([xs, lid_y + 0.12 + sag - 0.03 * t[:, 0]])
            curves.append((face.to_image(fold), 0.75 * cues.cheek, -down))
            # Crow's feet: three short lines fanning out from the outer eye corner.
            for angle in (-0.45, 0.0, 0.4):
                start = c[canthus] + (side * 0.07, 0.0)
                direction = np.array([side * np.cos(angle), np.sin(angle)])
                line = start + np.linspace(0, 0.13, 4)[:, None] * direction
                curves.append((face.to_image(line), 0.7 * cues.cheek, down))
    if cues.furrow > 0:
        top = min(c[21, 1], c[22, 1]) - 0.02
        for share in (0.3, 0.7):
            x = c[21, 0] + share * (c[22, 0] - c[21, 0])
            line = np.array([[x, top], [x + (share - 0.5) * 0.03, top + 0.14]])
            curves.append((face.to_image(line), cues.furrow, down))
    if cues.forehead > 0:
        brow = min(c[19, 1], c[24, 1])
        xs = np.linspace(-0.55, 0.55, 9)
        for k, height in enumerate((0.14, 0.24, 0.34)):
            line = face.to_image(np.column_stack([xs, brow - height + 0.06 * (xs / 0.55) ** 2]))
            strength = forehead_gain * cues.forehead * (1.0 - 0.2 * k)
            for i in range(len(xs) - 1):
                taper = np.sin(np.pi * (i + 0.5) / (len(xs) - 1)) ** 0.7
                curves.append((line[i:i + 2], strength * taper, down))
    return curves


def _box(points: np.ndarray, pad: float, shape: tuple[int, int]) -> tuple[int, int, int, int]:
    x0, y0 = np.maximum(np.floor(points.min(axis=0) - pad).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(points.max(axis=0) + pad).astype(int) + 1, (shape[1], shape[0]))
    return int(x0), int(y0), int(x1), int(y1)


def _shade_creases(frame: np.ndarray, posed: np.ndarray, cues: Cues, iod: float, style: ShadingStyle) -> None:
    curves = _curves(posed, cues, style.forehead_gain)
    if not curves:
        return
    pad = 4 * (style.crease_width_iods + style.blur_iods) * iod + 2
    x0, y0, x1, y1 = _box(np.vstack([curve for curve, _, _ in curves]), pad, frame.shape[:2])
    if x1 <= x0 or y1 <= y0:
        return
    dark = np.zeros((y1 - y0, x1 - x0), np.float32)
    light = np.zeros_like(dark)
    width = max(1, int(round(style.crease_width_iods * iod)))
    for curve, strength, bulge in curves:
        line = np.round((curve - (x0, y0)) * 16).astype(np.int32)
        cv2.polylines(dark, [line], False, float(strength), width, cv2.LINE_AA, 4)
        rim = np.round((curve + bulge * 1.6 * width - (x0, y0)) * 16).astype(np.int32)
        cv2.polylines(light, [rim], False, float(strength), width, cv2.LINE_AA, 4)
    sigma = max(0.6, style.blur_iods * iod)
    dark = cv2.GaussianBlur(dark, (0, 0), sigma)
    light = cv2.GaussianBlur(light, (0, 0), 1.5 * sigma)
    gain = 1.0 - style.crease_darkness * np.clip(dark, 0, 1) + style.rim_lightness * np.clip(light - dark, 0, 1)
    patch = frame[y0:y1, x0:x1].astype(np.float32) * gain[..., None]
    frame[y0:y1, x0:x1] = np.clip(patch + 0.5, 0, 255).astype(np.uint8)


def _shade_eye_whites(frame: np.ndarray, posed: np.ndarray, strength: float, iod: float,
                      style: ShadingStyle) -> None:
    """Sclera in each eye above and beside the iris, where a raised upper lid uncovers it."""
    radius = style.iris_radius_iods * iod
    for eye, pupil in ((RIGHT_EYE, PUPILS[0]), (LEFT_EYE, PUPILS[1])):
        outline = posed[list(eye)]
        x0, y0, x1, y1 = _box(outline, 2, frame.shape[:2])
        if x1 <= x0 or y1 <= y0:
            continue
        inside = np.zeros((y1 - y0, x1 - x0), np.float32)
        cv2.fillPoly(inside, [np.round((outline - (x0, y0)) * 16).astype(np.int32)], 1.0, cv2.LINE_AA, 4)
        inside = cv2.erode(inside, np.ones((2, 2), np.uint8))
        ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        centre = posed[pupil]
        distance = np.hypot(xs - centre[0], ys - centre[1])
        outside_iris = np.clip(distance - radius, 0.0, 1.0)
        above = np.clip((centre[1] + style.sclera_below_pupil * radius - ys) / max(0.3 * radius, 1.0), 0.0, 1.0)
        alpha = (style.sclera_alpha * strength * inside * outside_iris * above)[..., None]
        patch = frame[y0:y1, x0:x1].astype(np.float32)
        frame[y0:y1, x0:x1] = np.clip(patch + alpha * (np.array(style.sclera, np.float32) - patch) + 0.5,
                                      0, 255).astype(np.uint8)


def _shade_cheeks(frame: np.ndarray, posed: np.ndarray, strength: float, iod: float, style: ShadingStyle) -> None:
    """The raised cheeks of AU6: brighter, rounder apples under the eyes, a little shadow below
    them toward the nasolabial fold."""
    face = FaceFrame.of(posed[:LANDMARKS])
    c = face.to_canonical(posed)
    apples = []
    for eye, wing, corner in ((RIGHT_EYE, 31, 48), (LEFT_EYE, 35, 54)):
        lid = c[list(eye)][:, 1].max()
        x = 0.55 * c[list(eye), 0].mean() + 0.45 * (c[wing, 0] + c[corner, 0]) / 2
        apples.append((x, lid + 0.3))
    apples = np.array(apples)
    box_points = face.to_image(np.vstack([apples + (0.4, 0.35), apples - (0.4, 0.3)]))
    x0, y0, x1, y1 = _box(box_points, 2, frame.shape[:2])
    if x1 <= x0 or y1 <= y0:
        return
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    local = face.to_canonical(np.column_stack([xs.ravel(), ys.ravel()])).reshape(*xs.shape, 2)
    gain = np.ones(xs.shape, np.float32)
    for ax, ay in apples:
        dx, dy = local[..., 0] - ax, local[..., 1] - ay
        light = np.exp(-(dx / 0.2) ** 2 - (dy / 0.13) ** 2)
        shadow = np.exp(-(dx / 0.2) ** 2 - ((dy - 0.2) / 0.08) ** 2)
        gain += strength * (style.cheek_lightness * light - style.cheek_shadow * shadow)
    patch = frame[y0:y1, x0:x1].astype(np.float32) * gain[..., None]
    frame[y0:y1, x0:x1] = np.clip(patch + 0.5, 0, 255).astype(np.uint8)


def shade_expression(frame: np.ndarray, rest70: np.ndarray, posed70: np.ndarray, iod: float,
                     style: ShadingStyle = ShadingStyle()) -> Cues:
    """Draw the cues of `posed70` against `rest70` onto `frame` in place; returns their strengths."""
    cues = Cues.of(rest70, posed70)
    if not cues.any:
        return cues
    if cues.cheek > 0.02:
        _shade_cheeks(frame, posed70, cues.cheek, iod, style)
    _shade_creases(frame, posed70, cues, iod, style)
    if cues.eye_white > 0.02:
        _shade_eye_whites(frame, posed70, cues.eye_white, iod, style)
    return cues
