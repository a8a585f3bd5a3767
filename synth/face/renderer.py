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

import cv2
import numpy as np

from synth.face.contours import SUBPIXEL_BITS, smoothstep
from synth.face.framing import OUTPUT_SIZES, Framing, frame_portrait
from synth.face.mesh import (BORDER_POINTS_PER_SIDE, FOREHEAD, MOUTH_CENTER, RING_CENTER, RING_FOLLOW_AROUND_HEAD,
                             RING_FOLLOW_BELOW_CHIN, RING_POINTS, RING_RADII, border_points, build_mesh,
                             fit_head_frame, inside_frame, keep_pupils_in_eyes, mesh_edges, mesh_layout, mouth_center,
                             ring_points)
from synth.face.motion import MotionTrack
from synth.face.mouth_cavity import CavityStyle, paint_cavity
from synth.face.neutral import (
    PhotoExpression, estimate_expression, fold_softening, lip_colour, neutral_landmarks, paint_closed_lips,
    soften_smile_folds,
)
from synth.face.rig import LANDMARKS, POINTS, FaceFrame, pose_track, with_pupils
from synth.face.shading import Cues, ShadingStyle, shade_expression

# The framing, mesh and mouth-cavity names stay importable from here, where they lived first.
__all__ = ["OUTPUT_SIZES", "MOUTH_CENTER", "CavityStyle", "Framing", "PortraitRenderer", "build_mesh", "frame_portrait",
           "keep_pupils_in_eyes", "mesh_edges", "mouth_center", "neutralised_portrait", "paint_cavity"]

MAX_TRIANGLES = 255             # owner ids are uint8, 0 meaning "no moving triangle"
_MOVED_PX = 1e-3
_DEGENERATE_PX2 = 0.05


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
        ring = ring_points(RING_CENTER, RING_RADII, RING_POINTS)
        margin = 0.03 * head.scale
        self._forehead_canonical = FOREHEAD[inside_frame(head.to_image(FOREHEAD), width, height, margin)]
        self._ring_canonical = ring[inside_frame(head.to_image(ring), width, height, margin)]
        self._border = border_points(width, height, BORDER_POINTS_PER_SIDE)
        self._rest_ring = head.to_image(self._ring_canonical)
        below_chin = smoothstep(1.4, RING_CENTER[1] + RING_RADII[1], self._ring_canonical[:, 1])
        self._ring_follow = (RING_FOLLOW_AROUND_HEAD
                             + (RING_FOLLOW_BELOW_CHIN - RING_FOLLOW_AROUND_HEAD) * below_chin)[:, None]
        self._source = self._control_points(self.source_points)
        layout = self._source.copy()
        layout[:POINTS] = mesh_layout(self.source_points)
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
        fixed = np.round((corners - (x0, y0)) * (1 << SUBPIXEL_BITS)).astype(np.int32)
        for index, triangle in enumerate(fixed, start=1):
            cv2.fillConvexPoly(owner, triangle, index, lineType=cv2.LINE_8, shift=SUBPIXEL_BITS)
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
