"""Speed of the portrait renderer: `python -m bench.bench_face_render`.

Frames per second for `PortraitRenderer.render` on the shipped portrait at 256 and 512 px
and at the portrait's own framing, over 100 frames of varied motion (speech-like jaw and lip
movement, a smile, blinks, gaze and head turns), median of 7 runs. Posing (the rig) and
encoding are timed apart: they are not part of the renderer. Single process; OpenCV uses
its default threads.
"""

from __future__ import annotations

import resource

import cv2
import numpy as np

from bench.timing import median_seconds
from synth.face.motion import FPS, MotionTrack
from synth.face.portrait import default_portrait_path, detect_face, load_portrait
from synth.face.renderer import PortraitRenderer
from synth.face.rig import pose_track

FRAMES = 100
SIZES: tuple[int | None, ...] = (256, 512, None)


def varied_motion(frames: int = FRAMES) -> MotionTrack:
    """Speech-like motion touching every part of the mesh."""
    seconds = np.arange(frames) / FPS
    track = MotionTrack.rest(frames)
    track.set("jaw_open", np.clip(0.45 + 0.45 * np.sin(2 * np.pi * 3.1 * seconds), 0, 1))
    track.set("lip_close", (np.sin(2 * np.pi * 1.3 * seconds) > 0.8).astype(float))
    track.set("lip_width", 0.5 * np.sin(2 * np.pi * 0.9 * seconds))
    track.set("AU12", 0.5 + 0.5 * np.sin(2 * np.pi * 0.3 * seconds))
    track.set("AU1", 0.3 + 0.3 * np.sin(2 * np.pi * 0.5 * seconds))
    track.set("blink", (np.sin(2 * np.pi * 0.4 * seconds) > 0.95).astype(float))
    track.set("gaze_x", np.sin(2 * np.pi * 0.25 * seconds))
    track.set("head_yaw", 0.12 * np.sin(2 * np.pi * 0.35 * seconds))
    track.set("head_pitch", 0.06 * np.sin(2 * np.pi * 0.5 * seconds))
    track.set("head_roll", 0.08 * np.sin(2 * np.pi * 0.2 * seconds))
    return track


def main() -> None:
    portrait = load_portrait(default_portrait_path())
    landmarks = detect_face(portrait).landmarks
    track = varied_motion()
    print(f"portrait renderer: {FRAMES} frames of varied motion, median of 7 runs, "
          f"OpenCV threads {cv2.getNumThreads()}")
    print(f"{'output':>10} {'triangles':>10} {'render fps':>11} {'ms/frame':>9} {'pose fps':>9}")
    for size in SIZES:
        renderer = PortraitRenderer(portrait, landmarks, size)
        points = pose_track(renderer.source_points[:68], track)
        render = median_seconds(lambda: [renderer.render(p) for p in points])
        pose = median_seconds(lambda: pose_track(renderer.source_points[:68], track), repeats=3)
        width, height = renderer.size
        print(f"{f'{width}x{height}':>10} {len(renderer.triangles):>10} {FRAMES / render:11.0f} "
              f"{1000 * render / FRAMES:9.2f} {FRAMES / pose:9.0f}")
    print(f"peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
