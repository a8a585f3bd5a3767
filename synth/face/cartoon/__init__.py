"""A built-in 2D cartoon avatar, for users without a photo, driven by the same motion.

The avatar is drawn from the same 70 rig points the photo renderer warps by, so one motion
track (`motion.py` -> `rig.pose_track`) animates either. Everything that belongs to the head
but has no landmark (skull, hair, ears) is laid out in a *head frame*: a similarity frame
found from the posed eye corners, in template units, so it follows roll, translation and scale
of the posed face (`head_frame`). Expression cues the landmarks only imply (forehead
lines, brow furrow, smile creases, blush) are measured against the rest pose and drawn with
matching strength, so a face-expression recognizer trained on these renderings sees them.

Drawing is plain OpenCV: anti-aliased polygons with 4 bits of sub-pixel precision, Catmull-Rom
smoothed outlines, and small masked patches where one shape must stay inside another (irises
inside the eye opening, teeth inside the mouth).
"""


from .colours import RGB
from .cues import ExpressionCues
from .geometry import HeadShape, head_frame, shaped_landmarks, smooth
from .hair import HairShapes, hair_shapes
from .identity import COLOUR_FIELDS, DEFAULT, HAIR_STYLES, PARAMETER_RANGES, CartoonIdentity
from .palette import Palette
from .renderer import CartoonRenderer

__all__ = [
    "COLOUR_FIELDS", "DEFAULT", "HAIR_STYLES", "PARAMETER_RANGES", "RGB", "CartoonIdentity", "CartoonRenderer",
    "ExpressionCues", "HairShapes", "HeadShape", "Palette", "hair_shapes", "head_frame", "shaped_landmarks", "smooth",
]
