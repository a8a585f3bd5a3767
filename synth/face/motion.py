"""The motion space: what a talking face does in one video frame, as named numbers.

Every part of the talking head speaks this one vocabulary: the motion model and the viseme
targets fill the mouth channels, the expression model fills the FACS action units, the
behaviour model fills blinks, gaze and head pose, and the rig (`rig.py`) turns a frame of it
into landmark positions that the renderers draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FPS = 25.0

MOUTH_CHANNELS: tuple[str, ...] = (
    "jaw_open",     # 0 closed teeth .. 1 wide open
    "lip_width",    # -1 rounded/protruded .. +1 spread
    "lip_close",    # 1 lips pressed together (bilabials, rest) .. 0 lips follow the jaw
)
# FACS action units (Ekman & Friesen 1978), intensity 0..1.
ACTION_UNITS: tuple[str, ...] = (
    "AU1", "AU2", "AU4", "AU5", "AU6", "AU7", "AU9", "AU10",
    "AU12", "AU15", "AU16", "AU20", "AU23", "AU26",
)
BEHAVIOUR_CHANNELS: tuple[str, ...] = (
    "blink",        # 0 open .. 1 shut (AU45)
    "gaze_x",       # -1 looks to image left .. +1 image right
    "gaze_y",       # -1 up .. +1 down
    "head_yaw",     # radians, + turns toward image right
    "head_pitch",   # radians, + nods down
    "head_roll",    # radians, + tilts clockwise in the image
)
CHANNELS: tuple[str, ...] = MOUTH_CHANNELS + ACTION_UNITS + BEHAVIOUR_CHANNELS
CHANNEL_INDEX: dict[str, int] = {name: i for i, name in enumerate(CHANNELS)}
ACTION_UNIT_SLICE = slice(len(MOUTH_CHANNELS), len(MOUTH_CHANNELS) + len(ACTION_UNITS))


def channel_slice(names: tuple[str, ...]) -> list[int]:
    return [CHANNEL_INDEX[name] for name in names]


@dataclass
class MotionTrack:
    """Per-frame motion: `values` is (frames, len(CHANNELS)) at `fps` frames per second."""

    values: np.ndarray
    fps: float = FPS

    def __post_init__(self) -> None:
        self.values = np.asarray(self.values, dtype=np.float32)
        if self.values.ndim != 2 or self.values.shape[1] != len(CHANNELS):
            raise ValueError(f"motion values must be (frames, {len(CHANNELS)}); got {self.values.shape}")

    @classmethod
    def rest(cls, frames: int, fps: float = FPS) -> "MotionTrack":
        """A still, closed-mouth, neutral face looking ahead."""
        values = np.zeros((frames, len(CHANNELS)), dtype=np.float32)
        values[:, CHANNEL_INDEX["lip_close"]] = 1.0
        return cls(values, fps)

    @property
    def frames(self) -> int:
        return len(self.values)

    @property
    def duration(self) -> float:
        return self.frames / self.fps

    def column(self, name: str) -> np.ndarray:
        return self.values[:, CHANNEL_INDEX[name]]

    def set(self, name: str, values: np.ndarray) -> None:
        self.values[:, CHANNEL_INDEX[name]] = values

    def frame_dict(self, index: int) -> dict[str, float]:
        return {name: round(float(v), 4) for name, v in zip(CHANNELS, self.values[index])}
