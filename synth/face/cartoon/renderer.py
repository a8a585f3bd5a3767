"""The cartoon renderer: one identity drawn, back to front, at any pose of the 70 rig points."""

from __future__ import annotations

import numpy as np

from ..rig import POINTS, FaceFrame, with_pupils
from .colours import mix, shade
from .cues import EYE_PAIRS, ExpressionCues
from .drawing import background_gradient, disc, fill_outlined, fill_polygon, paint_inside, stroke_curve
from .geometry import (BODY, SAMPLES, HeadShape, ear_shapes, ellipse, face_outline, head_frame, shaped_landmarks,
                       smooth, tapered_stroke)
from .hair import hair_shapes
from .identity import DEFAULT, CartoonIdentity
from .palette import Palette

_EYE_CLOSED = 0.22            # below this fraction of the rest opening the eye is drawn shut


class CartoonRenderer:
    """Draws one cartoon identity at any pose of the 70 rig points.

    `source_points` are the identity's rest points in canvas pixels; pose them with
    `rig.pose_track(renderer.source_points[:68], track)` and `render` each frame.
    """

    def __init__(self, identity: CartoonIdentity = DEFAULT, size: int = 256) -> None:
        if not isinstance(size, (int, np.integer)) or not 64 <= size <= 4096:
            raise ValueError(f"cartoon size must be an integer in 64..4096 pixels; got {size!r}")
        self.identity = identity
        self.size = int(size)
        self.palette = Palette.of(identity)
        canonical = shaped_landmarks(identity)
        self._placement = FaceFrame(np.array([0.5, 0.4]) * size, 0.23 * size, 0.0)
        self._source = with_pupils(self._placement.to_image(canonical))
        # Head-frame units stay template units whatever the identity's eye spacing.
        self._unit_ratio = self._placement.scale / head_frame(self._source).scale
        # Line widths stay fixed while the head turns: widths rounded to whole pixels would
        # otherwise flicker between frames.
        self._pen = self._placement.scale
        self._rest = self._head_frame(self._source).to_canonical(self._source)
        self._head = HeadShape(float(abs(self._rest[[0, 16], 0]).mean()),
                               float(self._rest[[0, 16], 1].mean()), identity.forehead_height)
        brows = self._rest[17:27]
        brow_top = float(brows[:, 1].min()) - 0.16 - identity.brow_thickness / 2
        self._hair = hair_shapes(identity, self._head, brow_top, float(abs(brows[:, 0]).max()) + 0.08)
        rest_eye_height = np.mean([self._rest[lo, 1] - self._rest[up, 1]
                                   for pairs in EYE_PAIRS for up, lo in pairs])
        self._iris_radius = 0.62 * float(rest_eye_height)
        self._ears = ear_shapes(self._head.half_width)
        self._body = self._placement.to_image(BODY)
        self._neck_base = self._placement.to_image(np.array([(0.5, 2.5), (-0.5, 2.5)]))
        self._background = background_gradient(self.size, self.palette.background)

    @property
    def source_points(self) -> np.ndarray:
        return self._source.copy()

    def _head_frame(self, points: np.ndarray) -> FaceFrame:
        return head_frame(points, self._unit_ratio)

    def render(self, points: np.ndarray) -> np.ndarray:
        """70 posed points (canvas pixels) -> (size, size, 3) uint8 RGB frame."""
        points = np.asarray(points, dtype=float)
        if points.shape != (POINTS, 2) or not np.all(np.isfinite(points)):
            raise ValueError(f"render needs ({POINTS}, 2) finite points; got shape {points.shape}")
        head = self._head_frame(points)
        posed = head.to_canonical(points)
        cues = ExpressionCues.of(self._rest, posed)
        pen = self._pen
        canvas = self._background.copy()
        colours = self.palette

        for polygon in self._hair.back:
            fill_outlined(canvas, head.to_image(polygon), colours.hair, colours.hair_line, 0.035 * pen)
        self._draw_neck_and_body(canvas, head)
        self._draw_ears(canvas, head)
        outline = face_outline(posed, self._head)
        fill_outlined(canvas, head.to_image(outline), colours.skin, colours.line, 0.035 * pen)
        if self.identity.hair_style == "bald":
            scalp_shine = mix(colours.skin, (255, 255, 255), 0.45)
            stroke_curve(canvas, head.to_image(self._hair.shine), scalp_shine, 0.09 * pen)
        self._draw_cheeks(canvas, head, posed, cues)
        self._draw_creases(canvas, head, posed, cues)
        for side, eye in enumerate((slice(36, 42), slice(42, 48))):
            self._draw_eye(canvas, head, points[eye], posed[eye], points[68 + side],
                           posed[68 + side], cues.eye_openness[side], outer_first=side == 0)
        for brow, outer_first in ((slice(17, 22), True), (slice(22, 27), False)):
            self._draw_brow(canvas, points[brow], head.scale, outer_first)
        self._draw_nose(canvas, points, pen)
        self._draw_mouth(canvas, head, points, cues)
        for polygon in self._hair.front:
            fill_polygon(canvas, head.to_image(polygon), colours.hair)
        for edge in self._hair.front_edges:
            stroke_curve(canvas, head.to_image(edge), colours.hair_line, 0.035 * pen)
        if self.identity.hair_style != "bald":
            stroke_curve(canvas, head.to_image(self._hair.shine), colours.hair_shine, 0.06 * pen)
        return canvas

    # -- parts, back to front

    def _draw_neck_and_body(self, canvas: np.ndarray, head: FaceFrame) -> None:
        colours = self.palette
        top = head.to_image(np.array([(-0.42, 0.9), (0.42, 0.9)]))
        neck = np.concatenate([top, self._neck_base])
        fill_outlined(canvas, neck, colours.skin_shadow, colours.line, 0.03 * self._pen)
        fill_outlined(canvas, self._body, colours.shirt, colours.shirt_line, 0.035 * self._pen)

    def _draw_ears(self, canvas: np.ndarray, head: FaceFrame) -> None:
        colours = self.palette
        for ear, fold in self._ears:
            fill_outlined(canvas, head.to_image(ear), colours.skin, colours.line, 0.03 * self._pen)
            stroke_curve(canvas, head.to_image(fold), colours.skin_shadow, 0.035 * self._pen)

    def _draw_cheeks(self, canvas: np.ndarray, head: FaceFrame, posed: np.ndarray,
                     cues: ExpressionCues) -> None:
        strength = float(np.clip(self.identity.blush * 0.45 + 4.0 * max(cues.cheek_raise, 0.0)
                                 + 2.5 * max(cues.corner_rise, 0.0), 0.0, 0.6))
        if strength < 0.02:
            return
        colour = mix(self.palette.skin, self.palette.blush, strength)
        # Anchored on the eye corners, which a blink leaves in place.
        for side, corners in ((-1.0, [36, 39]), (1.0, [42, 45])):
            center = posed[corners].mean(axis=0) + (0.1 * side, 0.42 - 0.6 * max(cues.cheek_raise, 0.0))
            fill_polygon(canvas, head.to_image(ellipse(tuple(center), (0.19, 0.1), count=20)), colour)

    def _draw_creases(self, canvas: np.ndarray, head: FaceFrame, posed: np.ndarray,
                      cues: ExpressionCues) -> None:
        """Lines the landmarks only imply: forehead, frown, nose and smile creases."""
        skin, line, pen = self.palette.skin, self.palette.line, self._pen
        brow_line = float(posed[17:27, 1].min())
        raise_strength = np.clip((cues.brow_raise - 0.02) / 0.07, 0.0, 1.0)
        if raise_strength > 0:
            colour = mix(skin, line, 0.55 * raise_strength)
            for lift, half in ((0.12, 0.36), (0.22, 0.3)):
                arc = ellipse((0.0, brow_line - lift + 0.5), (half / np.sin(0.9), 0.5), -np.pi / 2 - 0.9,
                               -np.pi / 2 + 0.9, 10)
                stroke_curve(canvas, head.to_image(arc), colour, 0.025 * pen)
        furrow_strength = np.clip((cues.brow_furrow - 0.02) / 0.08, 0.0, 1.0)
        if furrow_strength > 0:
            colour = mix(skin, line, 0.7 * furrow_strength)
            middle = (posed[21] + posed[22]) / 2
            for dx in (-0.05, 0.05):
                crease = np.array([middle + (dx, 0.0), middle + (dx * 0.6, 0.15)])
                stroke_curve(canvas, head.to_image(crease), colour, 0.025 * pen)
        wrinkle_strength = np.clip((cues.nose_wrinkle - 0.01) / 0.035, 0.0, 1.0)
        if wrinkle_strength > 0:
            colour = mix(skin, line, 0.6 * wrinkle_strength)
            for dx in (-1.0, 1.0):
                crease = posed[28] + np.array([(0.04 * dx, -0.05), (0.11 * dx, 0.0), (0.05 * dx, 0.05)])
                stroke_curve(canvas, head.to_image(smooth(crease, closed=False, samples=3)), colour, 0.022 * pen)
        smile_strength = np.clip((cues.corner_rise - 0.02) / 0.07, 0.0, 1.0)
        if smile_strength > 0:
            colour = mix(skin, line, 0.6 * smile_strength)
            for corner, dx in ((48, -1.0), (54, 1.0)):
                crease = posed[corner] + np.array([(0.02 * dx, -0.1), (0.09 * dx, -0.02), (0.05 * dx, 0.07)])
                stroke_curve(canvas, head.to_image(smooth(crease, closed=False, samples=3)), colour, 0.025 * pen)

    def _draw_eye(self, canvas: np.ndarray, head: FaceFrame, eye: np.ndarray, eye_canonical: np.ndarray,
                  pupil: np.ndarray, pupil_canonical: np.ndarray, openness: float, outer_first: bool) -> None:
        colours, px, pen = self.palette, head.scale, self._pen
        opening = smooth(eye, closed=True)
        upper_lid = opening[:3 * SAMPLES + 1]
        outer_corner = eye_canonical[0] if outer_first else eye_canonical[3]
        lash_direction = -1.0 if outer_first else 1.0
        lash = head.to_image(np.array([outer_corner, outer_corner + (0.08 * lash_direction, -0.06)]))
        if openness < _EYE_CLOSED:
            stroke_curve(canvas, upper_lid, colours.line, 0.05 * pen)
            stroke_curve(canvas, lash, colours.line, 0.04 * pen)
            return
        fill_polygon(canvas, opening, colours.sclera)
        iris_radius = self._iris_radius * px
        highlight = head.to_image(pupil_canonical + (0.35, -0.35) * np.array(self._iris_radius))

        def paint(patch: np.ndarray, origin: np.ndarray) -> None:
            disc(patch, pupil - origin, iris_radius, colours.iris)
            stroke_curve(patch, ellipse(tuple(pupil - origin), (iris_radius, iris_radius), count=24),
                    shade(colours.iris, 0.6), 0.02 * pen, closed=True)
            disc(patch, pupil - origin, 0.5 * iris_radius, colours.pupil)
            disc(patch, highlight - origin, 0.28 * iris_radius, (255, 255, 255))

        paint_inside(canvas, opening, paint)
        stroke_curve(canvas, opening[3 * SAMPLES:], mix(colours.skin, colours.line, 0.45), 0.02 * pen)
        stroke_curve(canvas, upper_lid, colours.line, 0.045 * pen)
        stroke_curve(canvas, lash, colours.line, 0.035 * pen)

    def _draw_brow(self, canvas: np.ndarray, brow: np.ndarray, px: float, outer_first: bool) -> None:
        curve = smooth(brow, closed=False, samples=4)
        t = np.linspace(0.0, 1.0, len(curve))
        toward_inner = t if outer_first else 1 - t
        # Full width over the inner 70 %, tapering to a third at the tail.
        taper = np.sin(np.clip(toward_inner / 0.7, 0.0, 1.0) * np.pi / 2)
        widths = self.identity.brow_thickness * px * (0.35 + 0.65 * taper)
        fill_polygon(canvas, tapered_stroke(curve, widths), self.palette.brow)
        inner_end = curve[-1] if outer_first else curve[0]
        disc(canvas, inner_end, self.identity.brow_thickness * px / 2, self.palette.brow)

    def _draw_nose(self, canvas: np.ndarray, points: np.ndarray, pen: float) -> None:
        colours = self.palette
        tip = smooth(np.concatenate([points[[30]], points[31:36]]), closed=True, samples=4)
        fill_polygon(canvas, tip, mix(colours.skin, colours.skin_shadow, 0.6))
        stroke_curve(canvas, smooth(points[31:36], closed=False, samples=4), colours.line, 0.035 * pen)
        bridge = smooth(points[[28, 29, 30, 31]], closed=False, samples=3)[4:]
        stroke_curve(canvas, bridge, mix(colours.skin, colours.line, 0.3), 0.022 * pen)

    def _draw_mouth(self, canvas: np.ndarray, head: FaceFrame, points: np.ndarray,
                    cues: ExpressionCues) -> None:
        colours, pen = self.palette, self._pen
        lips = smooth(points[48:60], closed=True, samples=4)
        fill_outlined(canvas, lips, colours.lip, colours.lip_line, 0.025 * pen)
        opening = smooth(points[60:68], closed=True, samples=4)
        upper_inner = opening[:4 * 4 + 1]
        if cues.mouth_gap > 0.015:
            down = head.to_image(np.array([(0.0, 0.0), (0.0, 1.0)]))
            step = down[1] - down[0]
            teeth = np.concatenate([upper_inner, (upper_inner + step * 0.1)[::-1]])
            tongue_center = head.to_canonical(points[66]) - (0.0, 0.06)
            tongue = head.to_image(ellipse(tuple(tongue_center), (0.2, 0.09), count=20))

            def paint(patch: np.ndarray, origin: np.ndarray) -> None:
                patch[:] = colours.cavity
                fill_polygon(patch, tongue - origin, colours.tongue)
                fill_polygon(patch, teeth - origin, colours.teeth)

            paint_inside(canvas, opening, paint)
        stroke_curve(canvas, upper_inner, colours.lip_line, 0.035 * pen)
