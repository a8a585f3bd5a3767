"""The painted mouth interior: where the posed inner lips part, a dark throat, upper teeth,
tongue and (wide open) lower teeth; closed lips get only a soft seam. The portrait's own
mouth is never reused, so a smiling portrait with visible teeth and a closed one animate alike."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from synth.face.contours import SUBPIXEL_BITS, smoothstep, sorted_by_first
from synth.face.rig import INNER_LIPS


@dataclass(frozen=True)
class CavityStyle:
    """Colours (RGB) and proportions of the painted mouth interior."""

    wall: tuple[int, int, int] = (112, 42, 44)
    throat: tuple[int, int, int] = (34, 9, 11)
    teeth: tuple[int, int, int] = (226, 219, 204)
    tongue: tuple[int, int, int] = (158, 66, 70)
    teeth_height_iods: float = 0.07      # upper incisors' visible height when wide open
    teeth_share_of_gap: float = 0.22     # ... but never more than this share of the opening
    smile_teeth_share: float = 0.7       # in a full smile the upper teeth fill most of the parted lips
    smile_teeth_half_width: float = 0.86 # and show further round the arch (premolars)
    teeth_half_width: float = 0.55       # fraction of the mouth's half-width the teeth span
    lower_teeth_half_width: float = 0.6  # the lower arch is narrower and mostly hidden
    lower_teeth_alpha: float = 0.4
    lower_teeth_from_gap_iods: float = 0.22
    lower_teeth_height_iods: float = 0.06
    tongue_from_gap_iods: float = 0.1
    rim_iods: float = 0.02               # how far the cavity reaches past the inner-lip points
    seam: tuple[int, int, int] = (92, 38, 40)
    seam_iods: float = 0.02              # closed-lip seam thickness
    seam_alpha: float = 0.5


def _lip_contours(points70: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Upper and lower inner-lip contours, each from the left corner (60) to the right (64)."""
    upper = points70[[60, 61, 62, 63, 64]]
    lower = points70[[60, 67, 66, 65, 64]]
    return upper, lower


def _polygon_area(polygon: np.ndarray) -> float:
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


def _grown(polygon: np.ndarray, pixels: float) -> np.ndarray:
    """The polygon with every vertex moved `pixels` away from its centre."""
    offsets = polygon - polygon.mean(axis=0)
    lengths = np.maximum(np.hypot(*offsets.T), 1e-6)[:, None]
    return polygon + offsets / lengths * pixels


def paint_cavity(frame: np.ndarray, points70: np.ndarray, iod: float, style: CavityStyle,
                 smile: float = 0.0) -> None:
    """Paint the mouth interior inside the posed inner lips, in place; `smile` (0..1, the lip
    corners' raise, `shading.Cues.smile`) shows more of the upper teeth, as a smile does.

    Closed lips get only a soft seam: the portrait's own lip line may have been teeth."""
    lips = points70[list(INNER_LIPS)]
    if _polygon_area(lips) < 0.5:
        _paint_seam(frame, points70, iod, style)
        return
    # dlib puts the inner-lip points of a smile on the teeth's edge: grow the cavity a little
    # so no sliver of the portrait's own teeth is left along the lips.
    outline = _grown(lips, style.rim_iods * iod)
    height, width = frame.shape[:2]
    x0, y0 = np.maximum(np.floor(outline.min(axis=0)).astype(int) - 1, 0)
    x1, y1 = np.minimum(np.ceil(outline.max(axis=0)).astype(int) + 2, (width, height))
    if x1 <= x0 or y1 <= y0:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    polygon = np.round((outline - (x0, y0)) * (1 << SUBPIXEL_BITS)).astype(np.int32)
    cv2.fillPoly(mask, [polygon], 255, lineType=cv2.LINE_AA, shift=SUBPIXEL_BITS)
    if not mask.any():
        return
    interior = _cavity_colours(points70, (x0, y0), mask.shape, iod, style, smile)
    _blend(frame[y0:y1, x0:x1], interior, mask)


def _paint_seam(frame: np.ndarray, points70: np.ndarray, iod: float, style: CavityStyle) -> None:
    upper, _ = _lip_contours(points70)
    seam = np.round(upper * (1 << SUBPIXEL_BITS)).astype(np.int32)
    thickness = max(1, int(round(style.seam_iods * iod)))
    height, width = frame.shape[:2]
    x0, y0 = np.maximum(np.floor(upper.min(axis=0)).astype(int) - thickness - 1, 0)
    x1, y1 = np.minimum(np.ceil(upper.max(axis=0)).astype(int) + thickness + 2, (width, height))
    if x1 <= x0 or y1 <= y0:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    seam -= np.array([x0, y0], np.int32) << SUBPIXEL_BITS
    cv2.polylines(mask, [seam], False, int(255 * style.seam_alpha), thickness, cv2.LINE_AA, SUBPIXEL_BITS)
    colour = np.broadcast_to(np.array(style.seam, np.float32), (*mask.shape, 3))
    _blend(frame[y0:y1, x0:x1], colour, mask)


def _blend(patch: np.ndarray, colour: np.ndarray, mask: np.ndarray) -> None:
    alpha = mask[..., None].astype(np.float32) / 255.0
    base = patch.astype(np.float32)
    patch[...] = np.clip(base + alpha * (colour - base) + 0.5, 0, 255).astype(np.uint8)


def _cavity_colours(points70: np.ndarray, origin: tuple[int, int], shape: tuple[int, int],
                    iod: float, style: CavityStyle, smile: float = 0.0) -> np.ndarray:
    """RGB float image of the mouth interior over a patch, in mouth-aligned coordinates."""
    smile = float(np.clip(smile, 0.0, 1.0))
    upper, lower = _lip_contours(points70)
    left, right = points70[60], points70[64]
    axis = (right - left) / max(np.hypot(*(right - left)), 1e-6)
    normal = np.array([-axis[1], axis[0]])       # points down the face for an upright head
    middle = (left + right) / 2
    half_width = max(np.hypot(*(right - left)) / 2, 1.0)

    ys, xs = np.mgrid[origin[1]:origin[1] + shape[0], origin[0]:origin[0] + shape[1]].astype(np.float32)
    offset_x, offset_y = xs - middle[0], ys - middle[1]
    along = offset_x * axis[0] + offset_y * axis[1]
    down = offset_x * normal[0] + offset_y * normal[1]

    def local(contour):
        rel = contour - middle
        return rel @ axis, rel @ normal
    upper_u, upper_v = local(upper)
    lower_u, lower_v = local(lower)
    top = np.interp(along, *sorted_by_first(upper_u, upper_v))
    bottom = np.interp(along, *sorted_by_first(lower_u, lower_v))
    gap = np.maximum(bottom - top, 1e-3)
    across = np.clip(along / half_width, -1.0, 1.0)           # -1 left corner .. 1 right corner
    depth_down = np.clip((down - top) / gap, 0.0, 1.0)          # 0 upper lip .. 1 lower lip
    max_gap_iods = float(np.max(lower_v - upper_v)) / iod

    # Darkest deep in the middle, lit near the lips and corners.
    darkness = (1 - across ** 2) * (1 - (2 * depth_down - 1) ** 2) ** 0.5
    colour = _mix(style.wall, style.throat, np.clip(0.35 + 0.75 * darkness, 0, 1))

    tongue_from = style.tongue_from_gap_iods
    tongue_alpha = 0.75 * smoothstep(tongue_from, 2.5 * tongue_from, max_gap_iods)
    if tongue_alpha > 0:
        tongue = ((across / 0.62) ** 2 + ((depth_down - 1.0) / 0.42) ** 2)
        shade = np.clip(1.15 - 0.5 * tongue, 0.55, 1.0)[..., None]
        colour = _over(colour, np.array(style.tongue, np.float32) * shade,
                       tongue_alpha * smoothstep(1.0, 0.75, tongue))

    lower_from = style.lower_teeth_from_gap_iods
    if max_gap_iods > lower_from:
        lower_alpha = style.lower_teeth_alpha * smoothstep(lower_from, 1.6 * lower_from, max_gap_iods)
        band = _teeth_alpha(bottom - down, style.lower_teeth_height_iods * iod, across,
                            style.lower_teeth_half_width)
        colour = _over(colour, _teeth_colour(style, across), lower_alpha * band)

    share = style.teeth_share_of_gap + smile * (style.smile_teeth_share - style.teeth_share_of_gap)
    upper_height = np.minimum(style.teeth_height_iods * iod, share * gap)
    half = style.teeth_half_width + smile * (style.smile_teeth_half_width - style.teeth_half_width)
    band = _teeth_alpha(down - top, upper_height, across, half)
    # The upper lip shades the top of the teeth.
    lip_shadow = (0.8 + 0.2 * smoothstep(0.0, 0.35 * upper_height, down - top))[..., None]
    return _over(colour, _teeth_colour(style, across) * lip_shadow, band)


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: np.ndarray) -> np.ndarray:
    a_, b_ = np.array(a, np.float32), np.array(b, np.float32)
    return a_ + (b_ - a_) * t[..., None].astype(np.float32)


def _over(base: np.ndarray, top: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    return base + (top - base) * np.asarray(alpha, np.float32)[..., None]


def _teeth_alpha(distance_from_lip: np.ndarray, height: np.ndarray | float, across: np.ndarray,
                 half_width: float) -> np.ndarray:
    # Soft one-pixel edges; the teeth stop short of the mouth corners.
    vertical = np.clip(height - distance_from_lip + 0.5, 0.0, 1.0) * (distance_from_lip > -1.0)
    sideways = np.clip((half_width - np.abs(across)) / 0.12, 0.0, 1.0)
    return vertical * sideways


def _teeth_colour(style: CavityStyle, across: np.ndarray) -> np.ndarray:
    # Teeth further back around the arch catch less light.
    shade = (1.0 - 0.4 * across ** 2)[..., None]
    return np.array(style.teeth, np.float32) * shade
