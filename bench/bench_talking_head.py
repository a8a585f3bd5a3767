"""Speed of the talking head on 2 cores: `python -m bench.bench_talking_head`.

For 10 s of speech: frames per second of the motion stage (mouth model at 4/8/16 flow
steps, expression and behaviour tracks), of the cartoon renderer, and of the whole pipeline
(motion + posing + rendering + H.264/AAC encoding + FER scoring) at 256 and 512 px, as a
multiple of real time. Medians of several runs; needs the shipped checkpoints.
"""

from __future__ import annotations

import resource
import tempfile
from pathlib import Path

import numpy as np
import torch

from bench.bench_face_render import varied_motion
from bench.timing import median_seconds
from conditioning.parse import parse_emotion
from synth.face.cartoon import CartoonRenderer
from synth.face.motion import FPS
from synth.face.pipeline import AnimateOptions, TalkingHeadPipeline
from synth.face.rig import pose_track

SECONDS = 10.0
SAMPLE_RATE = 22050


def speech_like(seconds: float = SECONDS, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Voiced buzz with a syllable-rate envelope and pauses: stands in for speech for timing."""
    t = np.arange(int(seconds * rate)) / rate
    envelope = np.clip(np.sin(2 * np.pi * 2.5 * t), 0, None) * (np.sin(2 * np.pi * 0.2 * t) > -0.6)
    return (0.3 * envelope * np.sign(np.sin(2 * np.pi * 120 * t))).astype(np.float32)


def main() -> None:
    torch.set_num_threads(2)
    pipeline = TalkingHeadPipeline.shipped()
    audio, emotion = speech_like(), parse_emotion("happy:0.8")
    frames = int(SECONDS * FPS)
    print(f"talking head, {SECONDS:g} s of audio ({frames} frames), torch threads {torch.get_num_threads()}")
    print(f"{'stage':>34} {'frames/s':>9} {'x real time':>12}")
    for steps in (4, 8, 16):
        seconds = median_seconds(lambda: pipeline.motion(audio, SAMPLE_RATE, emotion, AnimateOptions(steps=steps)), 5)
        print(f"{f'motion, {steps} flow steps':>34} {frames / seconds:9.0f} {SECONDS / seconds:12.1f}")
    track = varied_motion(frames)
    for size in (256, 512):
        cartoon = CartoonRenderer(size=size)
        points = pose_track(cartoon.source_points[:68], track)
        seconds = median_seconds(lambda: [cartoon.render(p) for p in points], 3)
        print(f"{f'cartoon render {size} px':>34} {frames / seconds:9.0f} {SECONDS / seconds:12.1f}")
    with tempfile.TemporaryDirectory() as folder:
        for size in (256, 512):
            output = Path(folder) / f"bench-{size}.mp4"
            seconds = median_seconds(lambda: pipeline.animate(None, audio, SAMPLE_RATE, emotion, output,
                                                              AnimateOptions(size=size)), 3)
            print(f"{f'whole pipeline, photo {size} px':>34} {frames / seconds:9.0f} {SECONDS / seconds:12.1f}")
    print(f"peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
