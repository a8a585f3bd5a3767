"""Motion -> pixels: the portrait warped by its landmarks, with a synthesised mouth interior.

``PortraitRenderer`` frames the portrait once (a square around the face at 256 or 512 px, or
the whole image), lays a triangle mesh over it and, per frame, warps the mesh from the rest
landmarks to the posed ones (piecewise affine). The mesh's control points are

* the 70 rig points (68 iBUG landmarks + 2 pupils), so every landmark the rig moves drags
  its own patch of skin, and a pupil moving inside its eye shifts the eye's texture (gaze);
* the mouth centre, so the inner-lip polygon is a fan of its own triangles that opens and
  closes with the lips instead of triangles bridging upper and lower lip;
* a row of forehead points, placed in the face's canonical frame, which follow the head;
* a ring around the face that follows the head half-way (less below the chin), so hair,
  ears and neck bend smoothly between a moving face and a still background;
* points on the frame's border, which never move: the background stays put.

Rendering works backwards: each output pixel inside a moving triangle looks up where it came
from through that triangle's inverse affine map, and one ``cv2.remap`` samples the source.
Only the box around moving triangles is rasterised and remapped; everything else is the
framed portrait itself, bit for bit.

The portrait's own mouth is never reused as an interior: where the posed inner lips part,
the renderer paints a cavity (dark throat, upper teeth, tongue, lower teeth when wide open),
so a smiling portrait with visible teeth and a closed-mouth one animate alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
from scipy.spatial import Delaunay

from synth.face.motion import CHANNEL_INDEX, CHANNELS, MotionTrack
from synth.face.shading import Cues, ShadingStyle, shade_expression
from synth.face.neutral import (
    PhotoExpression, estimate_expression, fold_softening, lip_colour, neutral_landmarks, paint_closed_lips,
    soften_smile_folds,
)
from synth.face.rig import (
    INNER_LIPS, LANDMARKS, LEFT_EYE, POINTS, PUPILS, RIGHT_EYE, FaceFrame, pose_canonical,
    pose_track, with_pupils,
)

OUTPUT_SIZES = (256, 512)

# Framing: a square ~3 face widths across (a face is ~2.15 inter-ocular distances wide), its
# centre a little below the eyes, so hair, chin and some neck are in the picture.
FRAME_SIDE_IODS = 6.4
FRAME_CENTER_BELOW_EYES_IODS = 0.55

# Canonical-frame positions (unit = inter-ocular distance, origin between the eyes).
FOREHEAD = np.array([[-0.85, -0.72], [-0.42, -0.8], [0.0, -0.82], [0.42, -0.8], [0.85, -0.72]])
RING_CENTER, RING_RADII, RING_POINTS = (0.0, 0.5), (1.75, 2.05), 20
# How far ring points follow the head: half-way around the skull, little below the chin,
# where neck and shoulders do not turn with the head.
RING_FOLLOW_AROUND_HEAD, RING_FOLLOW_BELOW_CHIN = 0.5, 0.15
BORDER_POINTS_PER_SIDE = 4
# Landmarks whose place the rig changes only with head pose (eye corners, nose bridge, jaw
# ends): the similarity fitted to them says where the head went, untouched by blinks or speech.
HEAD_POINTS = (0, 16, 27, 28, 29, 30, 36, 39, 42, 45)
# The mesh is built on the rest face with the mouth opened this far, so that the triangles
# inside the lips are the centre fan even when the portrait's lips touch.
LAYOUT_JAW_OPEN = 0.6

MAX_TRIANGLES = 255             # owner ids are uint8, 0 meaning "no moving triangle"
MOUTH_CENTER = POINTS            # index of the mouth-centre control point
_SUBPIXEL_BITS = 4                # cv2 drawing at 1/16 px
_MOVED_PX = 1e-3
_DEGENERATE_PX2 = 0.05


@dataclass(frozen=True)
class Framing:
    """Where the output frame sits in the portrait: a crop from `origin`, scaled by `scale`."""

    origin: tuple[float, float]
    scale: float
    size: tuple[int, int]        # output (width, height)

    def to_output(self, points: np.ndarray) -> np.ndarray:
        # Pixel centres sit at +0.5: this is how cv2.resize lines the two grids up.
        return (np.asarray(points, dtype=float) - self.origin + 0.5) * self.scale - 0.5


@dataclass(frozen=True)
class CavityStyle:
    """Colours (RGB) and proportions of the painted mouth interior."""

    wall: tuple[int, int, int] = (112, 42, 44)
    throat: tuple[int, int, int] = (34, 9, 11)
    teeth: tuple[int, int, int] = (226, 219, 204)
    tongue: tuple[int, int, int] = (158, 66, 70)
    teeth_height_iods: float = 0.12      # upper incisors' visible height when wide open
    teeth_share_of_gap: float = 0.45     # ... but never more than this share of the opening
    smile_teeth_share: float = 0.7       # in a full smile the upper teeth fill most of the parted lips
    smile_teeth_half_width: float = 0.86 # and show further round the arch (premolars)
    teeth_half_width: float = 0.78       # fraction of the mouth's half-width the teeth span
    lower_teeth_half_width: float = 0.6  # the lower arch is narrower and mostly hidden
    lower_teeth_alpha: float = 0.4
    lower_teeth_from_gap_iods: float = 0.22
    lower_teeth_height_iods: float = 0.06
    tongue_from_gap_iods: float = 0.1
    rim_iods: float = 0.02               # how far the cavity reaches past the inner-lip points
    seam: tuple[int, int, int] = (92, 38, 40)
    seam_iods: float = 0.02              # closed-lip seam thickness
    seam_alpha: float = 0.5


# ---------------------------------------------------------------------------- framing


def frame_portrait(image: np.ndarray, landmarks: np.ndarray,
                   output_size: int | None) -> tuple[np.ndarray, Framing]:
    """The framed portrait and its framing; None keeps the whole image as it is."""
    height, width = image.shape[:2]
    if output_size is None:
        return image.copy(), Framing((0.0, 0.0), 1.0, (width, height))
    if output_size not in OUTPUT_SIZES:
        raise ValueError(f"output_size must be one of {OUTPUT_SIZES} or None; got {output_size}")
    face = FaceFrame.of(landmarks)
    side = int(round(min(FRAME_SIDE_IODS * face.scale, max(width, height))))
    center_x = face.center[0]
    center_y = face.center[1] + FRAME_CENTER_BELOW_EYES_IODS * face.scale
    x0 = _window_start(center_x, side, width)
    y0 = _window_start(center_y, side, height)
    crop = _crop_replicating(image, x0, y0, side)
    interpolation = cv2.INTER_AREA if side > output_size else cv2.INTER_CUBIC
    framed = cv2.resize(crop, (int(output_size), int(output_size)), interpolation=interpolation)
    return framed, Framing((float(x0), float(y0)), output_size / side, (output_size, output_size))


def _window_start(center: float, side: int, length: int) -> int:
    """Start of a window of `side` around `center`, slid inside [0, length) where it fits."""
    start = int(round(center - side / 2))
    if side <= length:
        return min(max(start, 0), length - side)
    return (length - side) // 2


def _crop_replicating(image: np.ndarray, x0: int, y0: int, side: int) -> np.ndarray:
    height, width = image.shape[:2]
    pad = (max(0, -y0), max(0, y0 + side - height), max(0, -x0), max(0, x0 + side - width))
    if any(pad):
        image = cv2.copyMakeBorder(image, *pad, borderType=cv2.BORDER_REPLICATE)
        x0, y0 = x0 + pad[2], y0 + pad[0]
    return np.ascontiguousarray(image[y0:y0 + side, x0:x0 + side])


# ---------------------------------------------------------------------------- control points


def fit_head_frame(canonical: np.ndarray, points: np.ndarray) -> FaceFrame:
    """The similarity (as a FaceFrame) taking canonical head points to image points."""
    p = canonical[list(HEAD_POINTS)] @ (1, 1j)
    q = points[list(HEAD_POINTS)] @ (1, 1j)
    p_mean, q_mean = p.mean(), q.mean()
    gain = np.vdot(p - p_mean, q - q_mean) / np.vdot(p - p_mean, p - p_mean)
    center = q_mean - gain * p_mean
    return FaceFrame(np.array([center.real, center.imag]), float(abs(gain)), float(np.angle(gain)))


def _ring(center: tuple[float, float], radii: tuple[float, float], count: int) -> np.ndarray:
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False)
    return np.column_stack([center[0] + radii[0] * np.cos(angles), center[1] + radii[1] * np.sin(angles)])


def _border(width: int, height: int, per_side: int) -> np.ndarray:
    # Just outside the pixel centres, so the mesh covers every pixel of the frame.
    xs = np.linspace(-1.0, width, per_side + 1)
    ys = np.linspace(-1.0, height, per_side + 1)
    top = np.column_stack([xs[:-1], np.full(per_side, -1.0)])
    right = np.column_stack([np.full(per_side, float(width)), ys[:-1]])
    bottom = np.column_stack([xs[::-1][:-1], np.full(per_side, float(height))])
    left = np.column_stack([np.full(per_side, -1.0), ys[::-1][:-1]])
    return np.concatenate([top, right, bottom, left])


def _inside(points: np.ndarray, width: int, height: int, margin: float) -> np.ndarray:
    return ((points[:, 0] >= margin) & (points[:, 0] <= width - 1 - margin)
            & (points[:, 1] >= margin) & (points[:, 1] <= height - 1 - margin))


def keep_pupils_in_eyes(points70: np.ndarray, margin: float = 0.2) -> np.ndarray:
    """Points with each pupil moved, if need be, inside its eye outline.

    A blink brings the upper lid below the pupil's resting height; the pupil is the hub of the
    eye's triangle fan, so it must stay between the lids or the fan folds over itself."""
    points = points70.copy()
    for pupil, eye in ((PUPILS[0], RIGHT_EYE), (PUPILS[1], LEFT_EYE)):
        outer, inner = points[eye[0]], points[eye[3]]
        length = max(float(np.hypot(*(inner - outer))), 1e-6)
        axis = (inner - outer) / length
        normal = np.array([-axis[1], axis[0]])      # down the face for an upright head

        def local(indices):
            relative = points[list(indices)] - outer
            return relative @ axis, relative @ normal
        upper_u, upper_v = local((eye[0], eye[1], eye[2], eye[3]))
        lower_u, lower_v = local((eye[0], eye[5], eye[4], eye[3]))
        u, v = (points[pupil] - outer) @ axis, (points[pupil] - outer) @ normal
        u = float(np.clip(u, margin * length, (1 - margin) * length))
        top = float(np.interp(u, *_increasing(upper_u, upper_v)))
        bottom = float(np.interp(u, *_increasing(lower_u, lower_v)))
        opening = bottom - top
        if opening <= 0:
            v = (top + bottom) / 2
        else:
            v = float(np.clip(v, top + margin * opening, bottom - margin * opening))
        points[pupil] = outer + u * axis + v * normal
    return points


def mouth_center(points: np.ndarray) -> np.ndarray:
    """Hub of the inner-lip fan: midway between the middle inner-lip points, so it lies on the
    lip line when the lips close, where the polygon's mean would not."""
    return (points[62] + points[66]) / 2


# ---------------------------------------------------------------------------- mesh


def _layout(source70: np.ndarray) -> np.ndarray:
    """The rest face with the jaw dropped: only used to choose the triangles."""
    face = FaceFrame.of(source70[:LANDMARKS])
    motion = np.zeros(len(CHANNELS))
    motion[CHANNEL_INDEX["jaw_open"]] = LAYOUT_JAW_OPEN
    return face.to_image(pose_canonical(face.to_canonical(source70), motion))


def _crossing(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> bool:
    """Whether segments ab and cd cross at a point inside both."""
    def side(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    return side(a, b, c) * side(a, b, d) < 0 and side(c, d, a) * side(c, d, b) < 0


def _force_edge(triangles: list[tuple[int, int, int]], points: np.ndarray, a: int,
                b: int) -> list[tuple[int, int, int]] | None:
    """Flip edges crossing segment a-b until a-b is an edge of the mesh (after Sloan 1993);
    None if the flips get nowhere.

    Delaunay keeps a polygon's edges only when no other point is in the way; the lips and
    eyelids must stay edges, or a triangle would bridge the mouth or an eye."""
    triangles = list(triangles)
    for _ in range(4 * len(triangles)):
        crossing = None
        for t in triangles:
            for u, v in ((t[0], t[1]), (t[1], t[2]), (t[2], t[0])):
                shares_an_end = a in (u, v) or b in (u, v)
                if not shares_an_end and _crossing(points[a], points[b], points[u], points[v]):
                    crossing = (u, v)
                    break
            if crossing:
                break
        if crossing is None:
            return triangles
        u, v = crossing
        pair = [t for t in triangles if u in t and v in t]
        w, z = (next(i for i in t if i not in (u, v)) for t in pair)
        if not _crossing(points[u], points[v], points[w], points[z]):
            # The two triangles form a non-convex quad, which cannot flip: look at another
            # crossing edge first by rotating the search order.
            triangles = triangles[1:] + triangles[:1]
            continue
        triangles = [t for t in triangles if t not in pair] + [(w, z, u), (w, z, v)]
    return None


def _polygon_edges(polygon: tuple[int, ...]) -> list[tuple[int, int]]:
    return [(polygon[i], polygon[(i + 1) % len(polygon)]) for i in range(len(polygon))]


def mesh_edges(triangles: np.ndarray) -> set[frozenset[int]]:
    return {frozenset(edge) for t in triangles for edge in ((t[0], t[1]), (t[1], t[2]), (t[2], t[0]))}


_FANS = ((MOUTH_CENTER, INNER_LIPS), (PUPILS[0], RIGHT_EYE), (PUPILS[1], LEFT_EYE))


def build_mesh(layout: np.ndarray) -> np.ndarray:
    """Triangles (n, 3) over the control points. The inner lips and each eye outline stay mesh
    edges, and their insides are fans around the mouth centre and the pupils: the mouth opens
    as one piece, and a pupil moving drags the whole eye's texture with it."""
    triangles = [tuple(int(i) for i in t) for t in Delaunay(layout).simplices]
    for hub, polygon in _FANS:
        for a, b in _polygon_edges(polygon) + [(hub, vertex) for vertex in polygon]:
            if frozenset((a, b)) not in mesh_edges(triangles):
                # Should flipping fail on some odd face, the Delaunay mesh is still a valid
                # mesh: only that fan is less tidy.
                triangles = _force_edge(triangles, layout, a, b) or triangles
    # Fans first: the warp draws triangles in this order, and a closed mouth or a blink folds
    # its fan over the lips or lids, whose own triangles must then be drawn on top.
    hubs = {hub for hub, _ in _FANS}
    triangles.sort(key=lambda t: not hubs.intersection(t))
    return np.array(triangles, dtype=np.int32)


# ---------------------------------------------------------------------------- warping


def _inverse_affines(target: np.ndarray, source: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per triangle, the 2x3 map from target pixels back to source pixels, and which are usable."""
    corners = np.concatenate([target, np.ones((*target.shape[:2], 1))], axis=2)     # (n, 3, 3)
    # Slivers would map their few pixels far across the source; their neighbours cover them.
    usable = np.abs(np.linalg.det(corners)) / 2 > _DEGENERATE_PX2
    maps = np.zeros((len(target), 2, 3))
    if usable.any():
        # source^T = A @ corners^T  ->  A = source^T @ inv(corners^T)
        maps[usable] = np.swapaxes(source[usable], 1, 2) @ np.linalg.inv(np.swapaxes(corners[usable], 1, 2))
    return maps, usable


def _affine_per_pixel(coefficients: np.ndarray, owner: np.ndarray, columns: np.ndarray,
                      rows: np.ndarray) -> np.ndarray:
    """a * x + b * y + c, with (a, b, c) looked up per pixel by the triangle that owns it."""
    # The renderer's hot loop: cv2.LUT is a 256-entry lookup twice as fast as numpy's take,
    # hence the uint8 owner image and the cap on mesh size.
    result = cv2.LUT(owner, coefficients[0])
    result *= columns
    term = cv2.LUT(owner, coefficients[1])
    term *= rows
    result += term
    result += cv2.LUT(owner, coefficients[2])
    return result


# ---------------------------------------------------------------------------- mouth cavity


def _smoothstep(low: float, high: float, value: np.ndarray | float) -> np.ndarray | float:
    t = np.clip((np.asarray(value) - low) / (high - low), 0.0, 1.0)
    return t * t * (3 - 2 * t)


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
    polygon = np.round((outline - (x0, y0)) * (1 << _SUBPIXEL_BITS)).astype(np.int32)
    cv2.fillPoly(mask, [polygon], 255, lineType=cv2.LINE_AA, shift=_SUBPIXEL_BITS)
    if not mask.any():
        return
    interior = _cavity_colours(points70, (x0, y0), mask.shape, iod, style, smile)
    _blend(frame[y0:y1, x0:x1], interior, mask)


def _paint_seam(frame: np.ndarray, points70: np.ndarray, iod: float, style: CavityStyle) -> None:
    upper, _ = _lip_contours(points70)
    seam = np.round(upper * (1 << _SUBPIXEL_BITS)).astype(np.int32)
    thickness = max(1, int(round(style.seam_iods * iod)))
    height, width = frame.shape[:2]
    x0, y0 = np.maximum(np.floor(upper.min(axis=0)).astype(int) - thickness - 1, 0)
    x1, y1 = np.minimum(np.ceil(upper.max(axis=0)).astype(int) + thickness + 2, (width, height))
    if x1 <= x0 or y1 <= y0:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    seam -= np.array([x0, y0], np.int32) << _SUBPIXEL_BITS
    cv2.polylines(mask, [seam], False, int(255 * style.seam_alpha), thickness, cv2.LINE_AA, _SUBPIXEL_BITS)
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
    top = np.interp(along, *_increasing(upper_u, upper_v))
    bottom = np.interp(along, *_increasing(lower_u, lower_v))
    gap = np.maximum(bottom - top, 1e-3)
    across = np.clip(along / half_width, -1.0, 1.0)           # -1 left corner .. 1 right corner
    depth_down = np.clip((down - top) / gap, 0.0, 1.0)          # 0 upper lip .. 1 lower lip
    max_gap_iods = float(np.max(lower_v - upper_v)) / iod

    # Darkest deep in the middle, lit near the lips and corners.
    darkness = (1 - across ** 2) * (1 - (2 * depth_down - 1) ** 2) ** 0.5
    colour = _mix(style.wall, style.throat, np.clip(0.35 + 0.75 * darkness, 0, 1))

    tongue_from = style.tongue_from_gap_iods
    tongue_alpha = 0.75 * _smoothstep(tongue_from, 2.5 * tongue_from, max_gap_iods)
    if tongue_alpha > 0:
        tongue = ((across / 0.62) ** 2 + ((depth_down - 1.0) / 0.42) ** 2)
        shade = np.clip(1.15 - 0.5 * tongue, 0.55, 1.0)[..., None]
        colour = _over(colour, np.array(style.tongue, np.float32) * shade,
                       tongue_alpha * _smoothstep(1.0, 0.75, tongue))

    lower_from = style.lower_teeth_from_gap_iods
    if max_gap_iods > lower_from:
        lower_alpha = style.lower_teeth_alpha * _smoothstep(lower_from, 1.6 * lower_from, max_gap_iods)
        band = _teeth_alpha(bottom - down, style.lower_teeth_height_iods * iod, across,
                            style.lower_teeth_half_width)
        colour = _over(colour, _teeth_colour(style, across), lower_alpha * band)

    share = style.teeth_share_of_gap + smile * (style.smile_teeth_share - style.teeth_share_of_gap)
    upper_height = np.minimum(style.teeth_height_iods * iod, share * gap)
    half = style.teeth_half_width + smile * (style.smile_teeth_half_width - style.teeth_half_width)
    band = _teeth_alpha(down - top, upper_height, across, half)
    # The upper lip shades the top of the teeth.
    lip_shadow = (0.8 + 0.2 * _smoothstep(0.0, 0.35 * upper_height, down - top))[..., None]
    return _over(colour, _teeth_colour(style, across) * lip_shadow, band)


def _increasing(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(u)
    return u[order], v[order]


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


# ---------------------------------------------------------------------------- renderer


def neutralised_portrait(framed: np.ndarray, photo68: np.ndarray,
                         cavity: CavityStyle = CavityStyle()) -> tuple[np.ndarray, np.ndarray]:
    """The framed photo warped once to its neutral landmarks (`neutral.neutral_landmarks`), and
    those landmarks. Where the photo's mouth was open, its teeth and mouth shadow would be
    squeezed into the closed lips: closed lips are painted there in the lips' own colour."""
    neutral = neutral_landmarks(photo68)
    warper = PortraitRenderer(framed, photo68, None, cavity, neutralise=False, shading=None)
    image = warper._warp(warper._control_points(keep_pupils_in_eyes(with_pupils(neutral))))
    expression = estimate_expression(photo68)
    if expression.open_mouth:
        paint_closed_lips(image, neutral, lip_colour(framed, photo68))
    soften_smile_folds(image, neutral, fold_softening(expression))
    return image, neutral


class PortraitRenderer:
    """Warps one framed portrait to posed landmarks and paints the mouth interior.

    With `neutralise` (the default) a portrait that is not neutral (`photo_expression`) is
    first warped to its neutral face, which becomes the rest pose: a smiling photo can then
    look sad, and no emotion starts from the photo's own.

    `source_points` are the 70 rest points in output pixels; pose them with the rig (e.g.
    `rig.pose_track(renderer.source_points[:68], track)`) and pass each frame's 70 points to
    `render`, or call `render_track(track)`.
    """

    def __init__(self, image: np.ndarray, landmarks68: np.ndarray, output_size: int | None = None,
                 cavity: CavityStyle = CavityStyle(), neutralise: bool = True,
                 shading: ShadingStyle | None = ShadingStyle()) -> None:
        image = np.asarray(image)
        landmarks68 = np.asarray(landmarks68, dtype=float)
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"the portrait must be an (H, W, 3) uint8 RGB image; "
                             f"got {image.shape} {image.dtype}")
        if landmarks68.shape != (LANDMARKS, 2) or not np.all(np.isfinite(landmarks68)):
            raise ValueError(f"landmarks must be a finite ({LANDMARKS}, 2) array; got {landmarks68.shape}")
        framed, self.framing = frame_portrait(image, landmarks68, output_size)
        photo = self.framing.to_output(landmarks68)
        self.photo_expression: PhotoExpression = estimate_expression(photo)
        if neutralise and not self.photo_expression.neutral:
            framed, rest = neutralised_portrait(framed, photo, cavity)
        else:
            rest = photo
        self.image, self.cavity, self.shading = framed, cavity, shading
        self.source_points = keep_pupils_in_eyes(with_pupils(rest))
        width, height = self.framing.size
        self._canonical = FaceFrame.of(self.source_points[:LANDMARKS]).to_canonical(self.source_points)
        head = fit_head_frame(self._canonical, self.source_points)
        self._iod = head.scale
        # Extra points outside the frame would drag its edge along: keep those inside.
        ring = _ring(RING_CENTER, RING_RADII, RING_POINTS)
        margin = 0.03 * head.scale
        self._forehead_canonical = FOREHEAD[_inside(head.to_image(FOREHEAD), width, height, margin)]
        self._ring_canonical = ring[_inside(head.to_image(ring), width, height, margin)]
        self._border = _border(width, height, BORDER_POINTS_PER_SIDE)
        self._rest_ring = head.to_image(self._ring_canonical)
        below_chin = _smoothstep(1.4, RING_CENTER[1] + RING_RADII[1], self._ring_canonical[:, 1])
        self._ring_follow = (RING_FOLLOW_AROUND_HEAD
                             + (RING_FOLLOW_BELOW_CHIN - RING_FOLLOW_AROUND_HEAD) * below_chin)[:, None]
        self._source = self._control_points(self.source_points)
        layout = self._source.copy()
        layout[:POINTS] = _layout(self.source_points)
        layout[MOUTH_CENTER] = mouth_center(layout)
        self.triangles = build_mesh(layout)
        if len(self.triangles) > MAX_TRIANGLES:
            raise ValueError(f"the mesh has {len(self.triangles)} triangles; "
                             f"the warp handles {MAX_TRIANGLES}")
        self._source_corners = self._source[self.triangles]

    @property
    def size(self) -> tuple[int, int]:
        """Output (width, height) in pixels."""
        return self.framing.size

    @property
    def control_points(self) -> np.ndarray:
        """Every mesh vertex at rest, in output pixels: 70 rig points, mouth centre, forehead,
        ring, border."""
        return self._source.copy()

    def _control_points(self, points70: np.ndarray) -> np.ndarray:
        head = fit_head_frame(self._canonical, points70)
        ring = self._rest_ring + self._ring_follow * (head.to_image(self._ring_canonical) - self._rest_ring)
        return np.concatenate([points70, mouth_center(points70)[None],
                               head.to_image(self._forehead_canonical), ring, self._border])

    def render(self, points70: np.ndarray) -> np.ndarray:
        """One frame: the portrait warped so its 70 rest points land on `points70`."""
        points70 = np.asarray(points70, dtype=float)
        if points70.shape != (POINTS, 2) or not np.all(np.isfinite(points70)):
            raise ValueError(f"render needs a finite ({POINTS}, 2) array of points; got {points70.shape}")
        points70 = keep_pupils_in_eyes(points70)
        target = self._control_points(points70)
        frame = self._warp(target)
        if self.shading is not None:
            cues = shade_expression(frame, self.source_points, points70, self._iod, self.shading)
        else:
            cues = Cues.of(self.source_points, points70)
        paint_cavity(frame, points70, self._iod, self.cavity, cues.smile)
        return frame

    def render_track(self, track: MotionTrack) -> Iterator[np.ndarray]:
        """Frames for a whole motion track, posed by the rig."""
        for points in pose_track(self.source_points[:LANDMARKS], track):
            yield self.render(points)

    def _warp(self, target: np.ndarray) -> np.ndarray:
        frame = self.image.copy()
        moved = np.hypot(*(target - self._source).T) > _MOVED_PX
        moving = moved[self.triangles].any(axis=1)
        if not moving.any():
            return frame
        corners = target[self.triangles[moving]]
        maps, usable = _inverse_affines(corners, self._source_corners[moving])
        corners, maps = corners[usable], maps[usable]
        width, height = self.size
        x0, y0 = np.maximum(np.floor(corners.reshape(-1, 2).min(axis=0)).astype(int), 0)
        x1, y1 = np.minimum(np.ceil(corners.reshape(-1, 2).max(axis=0)).astype(int) + 1, (width, height))
        if x1 <= x0 or y1 <= y0:
            return frame
        # Which moving triangle each pixel of the box lies in; 0 = none (the pixel stays).
        owner = np.zeros((y1 - y0, x1 - x0), np.uint8)
        fixed = np.round((corners - (x0, y0)) * (1 << _SUBPIXEL_BITS)).astype(np.int32)
        for index, triangle in enumerate(fixed, start=1):
            cv2.fillConvexPoly(owner, triangle, index, lineType=cv2.LINE_8, shift=_SUBPIXEL_BITS)
        # Row 0 of each coefficient table is the identity map, for pixels no moving triangle owns.
        table = np.zeros((6, 256), np.float32)
        table[:, 0] = (1, 0, 0, 0, 1, 0)
        table[:, 1:len(maps) + 1] = maps.reshape(-1, 6).T
        columns = np.arange(x0, x1, dtype=np.float32)[None, :]
        rows = np.arange(y0, y1, dtype=np.float32)[:, None]
        map_x = _affine_per_pixel(table[0:3], owner, columns, rows)
        map_y = _affine_per_pixel(table[3:6], owner, columns, rows)
        frame[y0:y1, x0:x1] = cv2.remap(self.image, map_x, map_y, cv2.INTER_LINEAR,
                                        borderMode=cv2.BORDER_REPLICATE)
        return frame
