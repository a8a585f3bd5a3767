"""The portrait's own expression, read from its 68 landmarks, and taken away.

A photo is rarely neutral: the default portrait smiles with an open mouth, another frowns.
Warping such a photo by action-unit displacements adds to the expression it already has, so a
smiling photo looked happy under every emotion (issue 26). Before any requested expression is
applied, the renderer therefore moves the photo's landmarks to a neutral face:

* ``estimate_expression`` compares the landmarks, in the canonical face frame (unit = the
  distance between the eye centres), with a neutral face model, ``rig.TEMPLATE``: how far
  the lip corners sit above or below the upper lip's centre (AU12 / AU15), how far the inner
  lips are apart (AU25/26), how much wider the mouth is than a neutral mouth of this face
  (AU12/AU20), and how high the brows sit above the eyes (AU1+2 / AU4).
* ``neutral_landmarks`` gives the same face with a neutral mouth (the model's closed mouth,
  scaled to this face), the jaw raised by as much as the mouth was open, and brows moved back
  to within a tolerance of the model. What is within the tolerance is the person's own shape,
  not expression, and stays.
* ``paint_closed_lips`` paints closed lips in the lips' own colour where the photo's mouth was
  open: its teeth and the dark of its mouth must not come back inside closed lips.
* ``soften_smile_folds`` flattens the nasolabial folds and cheek bulges a smile left in the
  photo's skin, which no landmark move takes out: a smiling photo's neutral face still looked
  faintly happy. Only the fold's broad shading is taken out; the skin's fine texture stays.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import cv2
import numpy as np

from .rig import JAW, JAW_WEIGHTS, LANDMARKS, TEMPLATE, FaceFrame

MOUTH = tuple(range(48, 68))
BROWS = tuple(range(17, 27))
_UPPER_LIP_TOP, _LOWER_LIP_BOTTOM = 51, 57
_OUTER_CORNERS = (48, 54)
_OUTER_CANTHI = (36, 45)
_CORNERS_ALL = (48, 54, 60, 64)
_CORNER_NEIGHBOURS = (49, 53, 55, 59, 61, 63, 65, 67)

# The neutral model's numbers (canonical units).
# Corner height is measured from the inner lips (62, 66): the lip line, which does not
# depend on how full the lips are, as the upper lip's outer edge (51) does.
_LIP_LINE = 62
NEUTRAL_CORNER_BELOW_LIP_LINE = float(TEMPLATE[list(_OUTER_CORNERS), 1].mean()
                                      - (TEMPLATE[_LIP_LINE, 1] + TEMPLATE[66, 1]) / 2)
# Mouth width over the distance between the outer eye corners. Both are anatomical widths
# that scale together across faces; only the mouth's changes with expression (a smile widens
# it by about 27 %: Tarantili, Halazonetis & Spyropoulos 2005).
NEUTRAL_MOUTH_OVER_CANTHI = float(np.ptp(TEMPLATE[list(_OUTER_CORNERS), 0]) / np.ptp(TEMPLATE[list(_OUTER_CANTHI), 0]))
_EYE_TOPS = {17: 37, 18: 37, 19: 38, 20: 38, 21: 39, 22: 42, 23: 43, 24: 43, 25: 44, 26: 44}
NEUTRAL_BROW_HEIGHT = np.array([TEMPLATE[eye, 1] - TEMPLATE[brow, 1] for brow, eye in _EYE_TOPS.items()])

# Below these a photo counts as neutral in that feature: people's faces differ that much at
# rest (brow height above the eye varies by several millimetres between people).
CORNER_TOLERANCE = 0.02
OPEN_TOLERANCE = 0.03
WIDTH_TOLERANCE = 0.06           # relative
BROW_TOLERANCE = 0.04


@dataclass(frozen=True)
class PhotoExpression:
    """A portrait's expression against the neutral model, in canonical units (1 = inter-ocular)."""

    corner_raise: float      # lip corners above the neutral model's (+: smile, -: frown)
    mouth_open: float        # mean inner-lip gap
    mouth_widening: float    # mouth width over this face's neutral mouth width, minus 1
    brow_raise: float        # mean brow height above the eyes over the model's (+: raised)

    @property
    def expressive_mouth(self) -> bool:
        return (abs(self.corner_raise) > CORNER_TOLERANCE or self.mouth_open > OPEN_TOLERANCE
                or abs(self.mouth_widening) > WIDTH_TOLERANCE)

    @property
    def open_mouth(self) -> bool:
        return self.mouth_open > OPEN_TOLERANCE

    @property
    def neutral(self) -> bool:
        return not self.expressive_mouth and abs(self.brow_raise) <= BROW_TOLERANCE

    def to_dict(self) -> dict[str, float]:
        return {name: round(float(value), 4) for name, value in asdict(self).items()}


def _checked(landmarks: np.ndarray) -> np.ndarray:
    points = np.asarray(landmarks, dtype=float)
    if points.ndim != 2 or points.shape[0] < LANDMARKS or points.shape[1] != 2 or not np.isfinite(points).all():
        raise ValueError(f"need a finite ({LANDMARKS}, 2) array of landmarks; got {points.shape}")
    return points[:LANDMARKS]


def _brow_heights(canonical: np.ndarray) -> np.ndarray:
    return np.array([canonical[eye, 1] - canonical[brow, 1] for brow, eye in _EYE_TOPS.items()])


def neutral_mouth_width(canonical: np.ndarray) -> float:
    return NEUTRAL_MOUTH_OVER_CANTHI * float(np.ptp(canonical[list(_OUTER_CANTHI), 0]))


def estimate_expression(landmarks: np.ndarray) -> PhotoExpression:
    """The expression a face's 68 landmarks (any image frame) show against the neutral model."""
    canonical = FaceFrame.of(_checked(landmarks)).to_canonical(_checked(landmarks))
    # The lip line is where the inner lips meet; in an open (smiling) mouth, midway between them:
    # a smile lifts the upper lip off the teeth, which must not read as lower corners.
    lip_line = (canonical[_LIP_LINE, 1] + canonical[66, 1]) / 2
    corner_below = canonical[list(_OUTER_CORNERS), 1].mean() - lip_line
    gap = np.mean([canonical[lower, 1] - canonical[upper, 1] for upper, lower in ((61, 67), (62, 66), (63, 65))])
    width = float(np.ptp(canonical[list(_OUTER_CORNERS), 0]))
    return PhotoExpression(
        corner_raise=float(NEUTRAL_CORNER_BELOW_LIP_LINE - corner_below),
        mouth_open=float(max(gap, 0.0)),
        mouth_widening=width / neutral_mouth_width(canonical) - 1.0,
        brow_raise=float(np.mean(_brow_heights(canonical) - NEUTRAL_BROW_HEIGHT)))


def _neutral_mouth(canonical: np.ndarray) -> np.ndarray:
    """The model's closed mouth, scaled to this face's neutral mouth width, centred on the
    face's midline below the nose, its upper lip where the photo's upper lip is."""
    template = TEMPLATE[list(MOUTH)]
    scale = neutral_mouth_width(canonical) / float(np.ptp(TEMPLATE[list(_OUTER_CORNERS), 0]))
    # The midline from the nose and philtrum, which a lopsided smile does not move.
    center_x = float(np.mean(canonical[[33, 51, 57], 0]))
    mouth = (template - (0.0, TEMPLATE[_UPPER_LIP_TOP, 1])) * scale
    return mouth + (center_x, canonical[_UPPER_LIP_TOP, 1])


def neutral_landmarks(landmarks: np.ndarray) -> np.ndarray:
    """The face's 68 landmarks (same image frame) with the expression taken out: an expressive
    mouth becomes the neutral model's closed mouth, the jaw rises as far as the lower lip does,
    and brows further than `BROW_TOLERANCE` from the model's height come back to it."""
    points = _checked(landmarks)
    face = FaceFrame.of(points)
    canonical = face.to_canonical(points)
    neutral = canonical.copy()
    expression = estimate_expression(points)
    if expression.open_mouth:
        neutral[list(MOUTH)] = _neutral_mouth(canonical)
        rise = neutral[_LOWER_LIP_BOTTOM, 1] - canonical[_LOWER_LIP_BOTTOM, 1]
        # The chin follows the lower lip as it does when the rig opens the jaw.
        neutral[list(JAW), 1] += rise * JAW_WEIGHTS[list(JAW)]
    elif expression.expressive_mouth:
        # A closed mouth keeps its own lips: only the corners (fully) and their neighbours
        # (half) come back to the model's height and the face's neutral width.
        raise_excess = expression.corner_raise - np.clip(expression.corner_raise, -CORNER_TOLERANCE, CORNER_TOLERANCE)
        widening = expression.mouth_widening
        shrink = (1.0 + np.clip(widening, -WIDTH_TOLERANCE, WIDTH_TOLERANCE)) / (1.0 + widening)
        middle = canonical[list(MOUTH), 0].mean()
        for indices, share in ((_CORNERS_ALL, 1.0), (_CORNER_NEIGHBOURS, 0.5)):
            neutral[list(indices), 1] += share * raise_excess
            neutral[list(indices), 0] = middle + (neutral[list(indices), 0] - middle) * (1 + share * (shrink - 1))
    excess = _brow_heights(canonical) - NEUTRAL_BROW_HEIGHT
    shift = excess - np.clip(excess, -BROW_TOLERANCE, BROW_TOLERANCE)
    neutral[list(_EYE_TOPS), 1] += shift          # a higher brow (positive excess) moves down
    neutral[list(_LOWER_LIDS), 1] += _lower_lid_drop(canonical, expression)
    neutral[list(_UPPER_LIDS), 1] += _upper_lid_drop(canonical, expression)
    return face.to_image(neutral)


# A smile's cheek raiser (AU6) pushes the lower lids up and narrows the eyes; a real-photo FER
# still read "happy" in the eyes of a smiling photo whose mouth had been made neutral. Eyes
# narrower than the model's are opened by lowering the lower lids, in proportion to how much
# the photo smiles (narrow eyes without a smile are the person's own), up to the model's.
_LOWER_LIDS = (40, 41, 46, 47)
_LID_PAIRS = ((37, 41), (38, 40), (43, 47), (44, 46))


def eye_opening(canonical: np.ndarray) -> float:
    """The mean gap between the upper and lower lids, in canonical units."""
    return float(np.mean([canonical[low, 1] - canonical[up, 1] for up, low in _LID_PAIRS]))


NEUTRAL_EYE_OPENING = eye_opening(TEMPLATE)
EYE_TOLERANCE = 0.01
EYE_OPENING_GAIN_LIMIT = 0.35    # at most this share of the photo's own opening is added


# A photo taken in surprise or fear shows the upper lid raiser (AU5) with raised brows: eyes
# opened wider than people's at rest (their lid gap is 0.06-0.11 inter-ocular units in the
# photos measured here) read as surprise in every category. Such eyes are closed to the widest
# resting opening; wide eyes under resting brows are the person's own and stay.
_UPPER_LIDS = (37, 38, 43, 44)
WIDEST_RESTING_EYE_OPENING = 0.115


def _upper_lid_drop(canonical: np.ndarray, expression: PhotoExpression) -> float:
    if expression.brow_raise <= BROW_TOLERANCE:
        return 0.0
    opening = eye_opening(canonical)
    return max(opening - WIDEST_RESTING_EYE_OPENING, 0.0)


def _lower_lid_drop(canonical: np.ndarray, expression: PhotoExpression) -> float:
    """How far (canonical units, down) the lower lids move to undo a smile's narrowing."""
    opening = eye_opening(canonical)
    narrowed = min(max(NEUTRAL_EYE_OPENING - EYE_TOLERANCE - opening, 0.0), EYE_OPENING_GAIN_LIMIT * opening)
    return narrowed * fold_softening(expression)


# ---------------------------------------------------------------------------- closed lips


def _lip_band_mask(shape: tuple[int, int], landmarks: np.ndarray) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(landmarks[48:60]).astype(np.int32)], 1)
    cv2.fillPoly(mask, [np.round(landmarks[60:68]).astype(np.int32)], 0)
    return mask.astype(bool)


def lip_colour(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """The lips' RGB colour: the median of the reddest half of the lip band (between the outer
    and inner lip contours), so teeth and mouth shadow inside a smile's band do not count."""
    points = _checked(landmarks)
    band = image[_lip_band_mask(image.shape[:2], points)]
    if len(band) < 4:
        raise ValueError("the lips cover too few pixels to take their colour from")
    lab = cv2.cvtColor(band[None].astype(np.uint8), cv2.COLOR_RGB2LAB)[0].astype(np.float32)
    lightness, redness = lab[:, 0], lab[:, 1]
    keep = (redness >= np.median(redness)) & (lightness > np.percentile(lightness, 10))
    return np.median(band[keep] if keep.sum() >= 4 else band, axis=0).astype(np.float32)


def paint_closed_lips(image: np.ndarray, landmarks: np.ndarray, colour: np.ndarray) -> None:
    """Paint closed lips, in place, inside the outer lip contour of `landmarks` (whose inner
    lips meet): the upper lip a little darker (it faces down, away from the light), the
    lower lip lighter toward its centre, edges feathered into the skin."""
    points = _checked(landmarks)
    iod = FaceFrame.of(points).scale
    upper = np.concatenate([points[48:55], points[[64, 63, 62, 61, 60]]])
    lower = np.concatenate([points[[54, 55, 56, 57, 58, 59, 48]], points[[60, 67, 66, 65, 64]]])
    pad = int(np.ceil(0.1 * iod)) + 2
    x0, y0 = np.maximum(np.floor(points[48:60].min(axis=0)).astype(int) - pad, 0)
    x1, y1 = np.minimum(np.ceil(points[48:60].max(axis=0)).astype(int) + pad, image.shape[1::-1])
    if x1 <= x0 or y1 <= y0:
        return
    shape = (y1 - y0, x1 - x0)

    def mask_of(polygon: np.ndarray) -> np.ndarray:
        mask = np.zeros(shape, np.float32)
        cv2.fillPoly(mask, [np.round((polygon - (x0, y0)) * 16).astype(np.int32)], 1.0, cv2.LINE_AA, 4)
        return mask

    upper_mask, lower_mask = mask_of(upper), mask_of(lower)
    coverage = np.clip(upper_mask + lower_mask, 0.0, 1.0)
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    centre = points[[62, 66]].mean(axis=0)
    lower_depth = max(points[57, 1] - centre[1], 1.0)
    half_width = max((points[54, 0] - points[48, 0]) / 2, 1.0)
    # Lower lip: brightest a third of the way down its middle, a rounded surface lit from above.
    bulge = np.exp(-(((ys - centre[1]) / lower_depth - 0.4) ** 2) / 0.08
                   - ((xs - centre[0]) / half_width) ** 2 / 0.35)
    shade = np.where(upper_mask >= lower_mask, 0.86, 0.97 + 0.12 * bulge)
    painted = np.asarray(colour, np.float32)[None, None] * shade[..., None]
    # Full colour inside the lips; the blur only feathers the outline into the skin.
    alpha = np.maximum(cv2.GaussianBlur(coverage, (0, 0), max(0.6, 0.012 * iod)), coverage)[..., None]
    patch = image[y0:y1, x0:x1].astype(np.float32)
    lips = patch + alpha * (painted - patch)
    lips *= _closed_lip_shadows(points - (x0, y0), shape, iod)[..., None]
    image[y0:y1, x0:x1] = np.clip(lips + 0.5, 0, 255).astype(np.uint8)


# Closed lips are read by where they meet: a dark line between them (the stomion, deepest at the
# centre) and the shadow under the lower lip. A flat band of lip colour without them reads as a
# mouth held in a shape, and a real-photo FER read such a mouth as a smile.
LIP_LINE_DARKENING = 0.45
LIP_LINE_WIDTH = 0.014            # inter-ocular units
UNDER_LIP_DARKENING = 0.12
UNDER_LIP_DEPTH = 0.05


def _closed_lip_shadows(points: np.ndarray, shape: tuple[int, int], iod: float) -> np.ndarray:
    """A multiplicative shading for closed lips: the line where they meet and the shadow under
    the lower lip; `points` are 68 landmarks in the patch's coordinates."""
    line = np.zeros(shape, np.float32)
    meeting = (points[[48, 60, 61, 62, 63, 64, 54]] + points[[48, 60, 67, 66, 65, 64, 54]]) / 2
    cv2.polylines(line, [np.round(meeting * 16).astype(np.int32)], False, 1.0,
                  max(1, int(round(LIP_LINE_WIDTH * iod))), cv2.LINE_AA, 4)
    line = cv2.GaussianBlur(line, (0, 0), max(0.5, 0.006 * iod))
    xs = np.arange(shape[1], dtype=np.float32)[None, :]
    half_width = max((points[54, 0] - points[48, 0]) / 2, 1.0)
    taper = np.clip(1.0 - 0.5 * ((xs - points[[48, 54], 0].mean()) / half_width) ** 2, 0.4, 1.0)
    under = np.zeros(shape, np.float32)
    lower_edge = points[[55, 56, 57, 58, 59]]
    band = np.vstack([lower_edge, lower_edge[::-1] + (0.0, UNDER_LIP_DEPTH * iod)])
    cv2.fillPoly(under, [np.round(band * 16).astype(np.int32)], 1.0, cv2.LINE_AA, 4)
    under = cv2.GaussianBlur(under, (0, 0), max(0.8, 0.02 * iod))
    return (1.0 - LIP_LINE_DARKENING * np.clip(line, 0, 1) * taper) * (1.0 - UNDER_LIP_DARKENING * under)


# ---------------------------------------------------------------------------- smile folds

FOLD_SOFTENING_FROM = CORNER_TOLERANCE      # corner raise (canonical units) where softening starts
FOLD_SOFTENING_FULL = 0.07                  # ... and where it is full
FOLD_BAND_WIDTH = 0.24                      # inter-ocular units


def fold_softening(expression: PhotoExpression) -> float:
    """0..1: how much of a photo's smile folds to flatten, from how far it smiled."""
    raised = max(expression.corner_raise, 0.0) + 0.25 * max(expression.mouth_widening - WIDTH_TOLERANCE, 0.0)
    return float(np.clip((raised - FOLD_SOFTENING_FROM) / (FOLD_SOFTENING_FULL - FOLD_SOFTENING_FROM), 0.0, 1.0))


# A smile lifts the cheeks into bright bulges under the eyes; a real-photo FER read them as a
# smile in a face whose mouth and folds were neutral. Their broad shading is flattened too,
# less than the folds' (the cheek's own roundness is part of the face).
CHEEK_SOFTENING = 1.0


def _cheek_polygons(face: FaceFrame, c: np.ndarray) -> list[np.ndarray]:
    """Image-frame polygons of the two cheeks: below the eye, beside the nose and the fold,
    inside the jaw line; `c` are canonical landmarks."""
    polygons = []
    for outer_eye, inner_eye, wing, corner, jaw, side in ((36, 39, 31, 48, (1, 3, 5), -1.0),
                                                          (45, 42, 35, 54, (15, 13, 11), 1.0)):
        inward = [c[j] - (side * 0.12, 0.0) for j in jaw]
        outline = [c[outer_eye] + (0.0, 0.12), c[inner_eye] + (0.0, 0.12), c[wing] + (side * 0.1, 0.0),
                   c[corner] + (side * 0.14, 0.0), *inward[::-1]]
        polygons.append(face.to_image(np.array(outline)))
    return polygons


def _skin_weights(points: np.ndarray, shape: tuple[int, int], iod: float) -> np.ndarray:
    """0..1 over a patch: the face's skin inside the jaw line, without the nose, the lips and
    the eyes (soft-edged); `points` are 68 landmarks in the patch's coordinates."""
    skin = np.zeros(shape, np.float32)
    hull = cv2.convexHull(np.round(points[list(range(17)) + list(range(17, 27))] * 16).astype(np.int32))
    cv2.fillConvexPoly(skin, hull, 1.0, cv2.LINE_AA, 4)
    holes = np.zeros(shape, np.float32)
    for feature in ([27, 31, 32, 33, 34, 35], list(range(48, 60)), list(range(36, 42)), list(range(42, 48))):
        cv2.fillConvexPoly(holes, cv2.convexHull(np.round(points[feature] * 16).astype(np.int32)), 1.0,
                           cv2.LINE_AA, 4)
    holes = cv2.dilate(holes, np.ones((3, 3), np.uint8), iterations=max(1, int(round(0.04 * iod))))
    return cv2.GaussianBlur(skin * (1.0 - holes), (0, 0), max(0.6, 0.015 * iod))


def _skin_blur(values: np.ndarray, weights: np.ndarray, sigma: float) -> np.ndarray:
    """A Gaussian blur of `values` that averages only where `weights` are (normalised)."""
    total = cv2.GaussianBlur(weights, (0, 0), sigma)[..., None]
    blurred = cv2.GaussianBlur(values * weights[..., None], (0, 0), sigma)
    return np.where(total > 1e-3, blurred / np.maximum(total, 1e-3), values)


def soften_smile_folds(image: np.ndarray, landmarks: np.ndarray, strength: float) -> None:
    """In place: over a band along each nasolabial fold (nose wing to beside the mouth corner)
    and the cheek bulge above it, the broad light and dark of the skin (Gaussian blur at 0.12
    inter-ocular units) is replaced by that of a wider neighbourhood, keeping the detail finer
    than 0.02 units. `landmarks` are the neutral ones."""
    if strength <= 0:
        return
    points = _checked(landmarks)
    face = FaceFrame.of(points)
    iod = face.scale
    c = face.to_canonical(points)
    band = []
    for wing, corner, side in ((31, 48, -1.0), (35, 54, 1.0)):
        t = np.linspace(0, 1, 12)[:, None]
        start, end = c[wing] + (side * 0.08, -0.08), c[corner] + (side * 0.1, 0.16)
        middle = (start + end) / 2 + (side * 0.07, 0.0)
        band.append(face.to_image((1 - t) ** 2 * start + 2 * (1 - t) * t * middle + t ** 2 * end))
    cheeks = _cheek_polygons(face, c)
    pad = int(np.ceil(0.5 * iod)) + 2
    allpts = np.vstack(band + cheeks)
    x0, y0 = np.maximum(np.floor(allpts.min(axis=0)).astype(int) - pad, 0)
    x1, y1 = np.minimum(np.ceil(allpts.max(axis=0)).astype(int) + pad, image.shape[1::-1])
    if x1 <= x0 or y1 <= y0:
        return
    origin = np.array([x0, y0])
    mask = np.zeros((y1 - y0, x1 - x0), np.float32)
    for line in band:
        cv2.polylines(mask, [np.round((line - origin) * 16).astype(np.int32)], False, 1.0,
                      max(1, int(round(FOLD_BAND_WIDTH * iod))), cv2.LINE_AA, 4)
    for cheek in cheeks:
        cv2.fillPoly(mask, [np.round((cheek - origin) * 16).astype(np.int32)], CHEEK_SOFTENING, cv2.LINE_AA, 4)
    skin = _skin_weights(points - origin, mask.shape, iod)
    mask = cv2.GaussianBlur(mask, (0, 0), max(0.8, 0.06 * iod)) * skin
    patch = image[y0:y1, x0:x1].astype(np.float32)
    fine = patch - cv2.GaussianBlur(patch, (0, 0), max(0.6, 0.02 * iod))
    # The broad level comes from the skin around only: the nose's highlight, the lips, the eyes
    # and the background must not bleed into the cheek.
    broad = _skin_blur(patch, skin, max(1.0, 0.12 * iod))
    flat = _skin_blur(broad, skin, max(1.5, 0.3 * iod))
    alpha = (strength * np.clip(mask, 0, 1))[..., None]
    softened = patch + alpha * (flat + fine - patch)
    image[y0:y1, x0:x1] = np.clip(softened + 0.5, 0, 255).astype(np.uint8)
