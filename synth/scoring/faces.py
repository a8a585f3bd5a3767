"""The scoring loop for the talking head: candidates by seed (mouth sampling, blinks, gaze,
head motion) and expression intensity, judged by the FER over the rendered frames and by how
well the face kept its shape. Candidate videos are written to a temporary folder (so that a
person can still pick another); the kept one is copied onto the output atomically."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path

import numpy as np

from common.atomic import atomic_path
from conditioning.timeline import EmotionSource

from ..face.pipeline import AnimateOptions, Animation, FaceSource, Progress, TalkingHeadPipeline
from .judges import asked_target, face_judgement, landmark_drift
from .loop import ScoringConfig, run_scoring
from .strength import intensity_bounds, scaled_intensity


def scored_animation(pipeline: TalkingHeadPipeline, face: FaceSource, audio: np.ndarray, rate: int,
                     source: EmotionSource, output: Path, options: AnimateOptions, config: ScoringConfig,
                     frames_dir: Path | None = None, landmarks_json: Path | None = None,
                     progress: Progress | None = None) -> Animation:
    """The best of `config.best_of` animations (calibrated if asked), written to `output`, with
    `.scoring` listing every candidate (their videos stay in a temporary folder)."""
    folder = Path(tempfile.mkdtemp(prefix="emostudio-candidates-"))

    def make(seed: int, factor: float) -> Animation:
        name = f"candidate_{seed}_{factor:.3f}"
        return pipeline.animate(face, audio, rate, scaled_intensity(source, factor), folder / f"{name}.mp4",
                                dataclasses.replace(options, seed=seed),
                                folder / name if frames_dir else None,
                                folder / f"{name}.json" if landmarks_json else None)

    def judge(animation: Animation):
        return face_judgement(animation.recognized, landmark_drift(animation.points[0][:68], animation.points[:, :68]))

    scoring = run_scoring(make, judge, asked_target(source, len(audio) / rate), config, options.seed, 1.0,
                          intensity_bounds(source), progress)
    kept = scoring.best.result
    _copy_atomically(kept.video, output)
    if landmarks_json:
        _copy_atomically(kept.video.with_suffix(".json"), Path(landmarks_json))
    if frames_dir:
        shutil.copytree(kept.video.with_suffix(""), Path(frames_dir), dirs_exist_ok=True)
    return dataclasses.replace(kept, video=output, scoring=scoring)


def _copy_atomically(source: Path, target: Path) -> None:
    with atomic_path(target, suffix=".partial") as partial:
        shutil.copyfile(source, partial)
