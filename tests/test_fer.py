"""The face expression recognizer: aligned crops, a tiny training run, and the shipped model
on rendered expressions of the default portrait."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from conditioning.fer.alignment import AlignmentConfig, alignment_matrix, aligned_face
from conditioning.fer.recognizer import FaceExpressionRecognizer, mean_target
from conditioning.parse import parse_emotion
from synth.face.expression import action_units
from synth.face.motion import ACTION_UNIT_SLICE, MotionTrack
from synth.face.rig import TEMPLATE, FaceFrame, pose_track


def test_alignment_puts_the_eyes_in_place_whatever_the_framing():
    config = AlignmentConfig()
    for face in (FaceFrame(np.array([100.0, 90.0]), 30.0, 0.0), FaceFrame(np.array([300.0, 200.0]), 80.0, 0.4)):
        landmarks = face.to_image(TEMPLATE)
        matrix = alignment_matrix(landmarks, config)
        eyes = np.stack([landmarks[36:42].mean(0), landmarks[42:48].mean(0)])
        placed = eyes @ matrix[:, :2].T + matrix[:, 2]
        eye_y = config.eye_height * config.size
        np.testing.assert_allclose(placed, [[config.size * (0.5 - config.eye_distance / 2), eye_y],
                                            [config.size * (0.5 + config.eye_distance / 2), eye_y]], atol=1e-6)


def test_aligned_crop_ignores_rotation_and_brightness():
    image = np.zeros((200, 200, 3), np.uint8)
    face = FaceFrame(np.array([100.0, 80.0]), 40.0, 0.0)
    landmarks = face.to_image(TEMPLATE)
    for a, b in ((36, 41), (42, 47), (48, 59), (17, 21), (22, 26)):
        cv2.fillPoly(image, [landmarks[a:b + 1].astype(np.int32)], (200, 180, 160))
    rotation = cv2.getRotationMatrix2D((100, 100), 20, 1.0)
    rotated = cv2.warpAffine(image, rotation, (200, 200))
    moved = landmarks @ rotation[:, :2].T + rotation[:, 2]
    first, second = aligned_face(image, landmarks), aligned_face((rotated * 0.6).astype(np.uint8), moved)
    assert first.shape == (64, 64) and first.dtype == np.float32
    assert np.abs(first - second).mean() < 0.05


def test_mean_target_averages_frames():
    happy, sad = parse_emotion("happy"), parse_emotion("sad")
    assert mean_target([happy, happy, sad]).category == "happy"
    with pytest.raises(ValueError):
        mean_target([])


@pytest.mark.slow
def test_tiny_training_lowers_the_loss_and_writes_a_loadable_model(tmp_path):
    from train.train_fer import main, parse_arguments, train

    torch.set_num_threads(2)
    arguments = ["--portrait-identities", "2", "--cartoon-identities", "3", "--samples-per-identity", "24",
                 "--epochs", "6", "--batch-size", "16"]
    result = train(parse_arguments(arguments))
    losses = result["module"].train_losses
    assert len(losses) == 6 and losses[-1] < 0.8 * losses[0], losses
    assert set(result["held_out"]) == {"portrait", "cartoon", "all"}
    output = tmp_path / "fer.pt"
    main(arguments[:6] + ["--epochs", "1", "--output", str(output), "--confusion-image", str(tmp_path / "c.png"),
                          "--no-manifest"])
    recognizer = FaceExpressionRecognizer.from_checkpoint(output)
    face = FaceFrame(np.array([128.0, 110.0]), 60.0, 0.0).to_image(TEMPLATE)
    target = recognizer.recognize(np.full((256, 256, 3), 128, np.uint8), face)
    assert abs(sum(target.categories) - 1) < 1e-6


@pytest.mark.slow
@pytest.mark.parametrize("category", ["happy", "surprised", "sad", "angry"])
def test_shipped_recognizer_reads_rendered_portrait_expressions(category):
    from conditioning.fer.recognizer import shipped_face_recognizer
    from synth.face.portrait import default_portrait_path, detect_face, load_portrait
    from synth.face.renderer import PortraitRenderer

    image = load_portrait(default_portrait_path())
    renderer = PortraitRenderer(image, detect_face(image).landmarks, 256)
    track = MotionTrack.rest(1)
    track.values[0, ACTION_UNIT_SLICE] = action_units(parse_emotion(f"{category}:1.0"))
    frame = renderer.render(pose_track(renderer.source_points[:68], track)[0])
    assert shipped_face_recognizer().recognize(frame).category == category   # dlib re-finds the face


def test_a_face_reading_is_reliable_only_when_a_fer_trained_on_real_photos_agrees(monkeypatch):
    import numpy as np

    from conditioning.fer import judgement
    from conditioning.fer.judgement import FaceEmotion
    from conditioning.parse import parse_emotion

    calm, neutral, sad = (parse_emotion(t).at(0.0) for t in ("calm", "neutral", "sad"))
    assert FaceEmotion(calm, calm, neutral, 1.0).reliable               # FER2013 has no calm: neutral is its calm
    disagreeing = FaceEmotion(sad, sad, neutral, 1.0)
    assert not disagreeing.reliable and disagreeing.label == "uncertain"
    assert disagreeing.to_dict()["outside"]["categories"]["neutral"] == 1.0

    # without the outside network the in-repo reading stands alone, unchecked and not reliable
    def missing():
        raise judgement.JudgeUnavailable("not installed")
    monkeypatch.setattr(judgement, "check_available", missing)

    class Network:
        def recognize_faces(self, frames, landmarks):
            return [sad] * len(frames)
    alone = judgement.judge_face_clip(Network(), [np.zeros((8, 8, 3), np.uint8)] * 2, [None, None])
    assert alone.outside is None and alone.target == sad and not alone.reliable
    assert alone.check()["checked_by_outside_fer"] is False and alone.label == "uncertain"
