"""The scoring loop for the talking head: candidates by seed (mouth sampling, blinks, gaze,
head motion) and expression intensity, judged by the outside FER (trained on real photos, not
on the rig's renders: conditioning/fer/fer2013.py) over frames decoded from each candidate's
video, and by how well the face kept its shape. Candidate videos are written to a temporary
folder (so that a person can still pick another); the kept one is copied onto the output
atomically."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path

import numpy as np

from common.atomic import atomic_path
from conditioning.fer.fer2013 import check_available
from conditioning.timeline import EmotionSource

from ..face.pipeline import AnimateOptions, Animation, FaceSource, Progress, TalkingHeadPipeline
from .judges import asked_target, landmark_drift, outside_face_judgement
from .loop import ScoringConfig, run_scoring
from .strength import intensity_bounds, scaled_intensity

# Every 5th frame (5 a second) is judged: expressions change over a second or more, and dlib's
# detection per frame is most of the judging time.
JUDGED_EVERY = 5


def scored_animation(pipeline: TalkingHeadPipeline, face: FaceSource, audio: np.ndarray, rate: int,
                     source: EmotionSource, output: Path, options: AnimateOptions, config: ScoringConfig,
                     frames_dir: Path | None = None, landmarks_json: Path | None = None,
                     progress: Progress | None = None) -> Animation:
    """The best of `config.best_of` animations (calibrated if asked), written to `output`, with
    `.scoring` listing every candidate (their videos stay in a temporary folder). Raises
    JudgeUnavailable, before rendering anything, when the outside FER's weights are missing."""
    check_available()
    folder = Path(tempfile.mkdtemp(prefix="emostudio-candidates-"))

    def make(seed: int, factor: float) -> Animation:
        name = f"candidate_{seed}_{factor:.3f}"
        return pipeline.animate(face, audio, rate, scaled_intensity(source, factor), folder / f"{name}.mp4",
                                dataclasses.replace(options, seed=seed),
                                folder / name if frames_dir else None,
                                folder / f"{name}.json" if landmarks_json else None)

    def judge(animation: Animation):
        return outside_face_judgement(video_frames(animation.video, JUDGED_EVERY),
                                      landmark_drift(animation.points[0][:68], animation.points[:, :68]))

    scoring = run_scoring(make, judge, asked_target(source, len(audio) / rate), config, options.seed, 1.0,
                          intensity_bounds(source), progress)
    kept = scoring.best.result
    copy_atomically(kept.video, output)
    if landmarks_json:
        copy_atomically(kept.video.with_suffix(".json"), Path(landmarks_json))
    if frames_dir:
        shutil.copytree(kept.video.with_suffix(""), Path(frames_dir), dirs_exist_ok=True)
    return dataclasses.replace(kept, video=output, scoring=scoring)


def video_frames(video: Path, every: int = 1) -> list[np.ndarray]:
    """Every `every`-th frame of an MP4 as (height, width, 3) uint8 RGB, by imageio-ffmpeg's ffmpeg."""
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(video))
    width, height = next(reader)["size"]
    return [np.frombuffer(frame, np.uint8).reshape(height, width, 3)
            for index, frame in enumerate(reader) if index % every == 0]


def copy_atomically(source: Path, target: Path) -> None:
    with atomic_path(target, suffix=".partial") as partial:
        shutil.copyfile(source, partial)
