"""The portrait's warp mesh: its control points (rig points, mouth centre, forehead, a ring
that follows the head half-way, the fixed frame border) and the triangles over them, with the
inner lips and eyelids kept as edges and fanned around the mouth centre and the pupils."""

from __future__ import annotations

import numpy as np
from scipy.spatial import Delaunay

from synth.face.contours import sorted_by_first
from synth.face.motion import CHANNEL_INDEX, CHANNELS
from synth.face.rig import INNER_LIPS, LANDMARKS, LEFT_EYE, POINTS, PUPILS, RIGHT_EYE, FaceFrame, pose_canonical

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
MOUTH_CENTER = POINTS            # index of the mouth-centre control point


def fit_head_frame(canonical: np.ndarray, points: np.ndarray) -> FaceFrame:
    """The similarity (as a FaceFrame) taking canonical head points to image points."""
    p = canonical[list(HEAD_POINTS)] @ (1, 1j)
    q = points[list(HEAD_POINTS)] @ (1, 1j)
    p_mean, q_mean = p.mean(), q.mean()
    gain = np.vdot(p - p_mean, q - q_mean) / np.vdot(p - p_mean, p - p_mean)
    center = q_mean - gain * p_mean
    return FaceFrame(np.array([center.real, center.imag]), float(abs(gain)), float(np.angle(gain)))


def ring_points(center: tuple[float, float], radii: tuple[float, float], count: int) -> np.ndarray:
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False)
    return np.column_stack([center[0] + radii[0] * np.cos(angles), center[1] + radii[1] * np.sin(angles)])


def border_points(width: int, height: int, per_side: int) -> np.ndarray:
    # Just outside the pixel centres, so the mesh covers every pixel of the frame.
    xs = np.linspace(-1.0, width, per_side + 1)
    ys = np.linspace(-1.0, height, per_side + 1)
    top = np.column_stack([xs[:-1], np.full(per_side, -1.0)])
    right = np.column_stack([np.full(per_side, float(width)), ys[:-1]])
    bottom = np.column_stack([xs[::-1][:-1], np.full(per_side, float(height))])
    left = np.column_stack([np.full(per_side, -1.0), ys[::-1][:-1]])
    return np.concatenate([top, right, bottom, left])


def inside_frame(points: np.ndarray, width: int, height: int, margin: float) -> np.ndarray:
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
        top = float(np.interp(u, *sorted_by_first(upper_u, upper_v)))
        bottom = float(np.interp(u, *sorted_by_first(lower_u, lower_v)))
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


def mesh_layout(source70: np.ndarray) -> np.ndarray:
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
