"""The TTS evaluation runs end to end on a tiny checkpoint and reports every must-show number."""

from __future__ import annotations

import json
import numpy as np

import pytest

from synth.tts.synthesizer import Synthesizer
from train.corpus.build import HELD_OUT_VOICE
from conditioning.categories import CATEGORIES
from conditioning.target import EmotionTarget
from train.evaluate_acoustic_coding import main as evaluate_coding
from train.judges.emotion_metrics import rank_correlation
from train.evaluate_tts import INTENSITIES, judged, main as evaluate
from train.train_ser import main as train_ser
from train.train_tts import main as train
from train.tts.features import build_features

pytestmark = pytest.mark.slow


def test_report_has_uar_ccc_spearman_drift_and_confusion_image(tiny_corpus, tmp_path):
    build_features(tiny_corpus, jobs=2, progress=False)
    checkpoint = tmp_path / "tts.pt"
    train(["--corpus", str(tiny_corpus), "--epochs", "1", "--hidden", "32", "--decoder-channels", "32",
           "--output", str(checkpoint), "--no-manifest"])
    output = tmp_path / "report.json"
    spoken = Synthesizer.from_checkpoint("flow", checkpoint).voices
    assert HELD_OUT_VOICE not in spoken and len(spoken) >= 2   # the tiny corpus trains four voices
    voices = list(spoken[:2])
    assert evaluate(["--corpus", str(tiny_corpus), "--sentences", "1", "--steps", "1", "--voices", *voices,
                     "--checkpoint", str(checkpoint), "--output", str(output)]) == 0
    report = json.loads(output.read_text())
    assert report["items"] == len(voices) * 22 and len(voices) == 2
    assert {"uar", "ccc_arousal", "intensity_spearman", "identity_drift", "confusion"} <= set(report)
    assert report["corpus_reference"]["items"] > 0 and "uar" in report["corpus_reference"]
    assert set(report["identity_drift"]["relative_to_between_voice_distance"]) == set(voices)
    assert (tmp_path / "tts_confusion_flow.png").read_bytes()[:4] == b"\x89PNG"
    assert report["with_reference"]["items"] == report["items"]   # the shipped recognizer takes a reference
    assert report["corpus_reference"]["with_reference"]["items"] == report["corpus_reference"]["items"]
    assert (tmp_path / "tts_confusion_flow_with_reference.png").read_bytes()[:4] == b"\x89PNG"


def test_a_recognizer_without_the_reference_branch_judges_clips_alone(tiny_corpus, tmp_path):
    build_features(tiny_corpus, jobs=2, progress=False)
    checkpoint, recognizer, output = tmp_path / "tts.pt", tmp_path / "ser.pt", tmp_path / "report.json"
    train(["--corpus", str(tiny_corpus), "--epochs", "1", "--hidden", "32", "--decoder-channels", "32",
           "--output", str(checkpoint), "--no-manifest"])
    train_ser(["--corpus", str(tiny_corpus), "--epochs", "1", "--hidden", "32", "--workers", "0",
               "--output", str(recognizer), "--confusion-image", str(tmp_path / "c.png"), "--no-manifest"])
    voices = list(Synthesizer.from_checkpoint("flow", checkpoint).voices[:2])
    assert evaluate(["--corpus", str(tiny_corpus), "--sentences", "2", "--steps", "1", "--voices", *voices,
                     "--checkpoint", str(checkpoint), "--recognizer", str(recognizer), "--output", str(output)]) == 0
    report = json.loads(output.read_text())
    assert report["items"] == 2 * len(voices) * 22 and report["recognizer"] == str(recognizer)
    assert "with_reference" not in report and "with_reference" not in report["corpus_reference"]
    assert not (tmp_path / "tts_confusion_flow_with_reference.png").exists()


def test_rank_correlation_is_none_where_undefined():
    assert rank_correlation(np.array([0.5, 0.5, 0.5]), np.array([0.1, 0.2, 0.3])) is None
    assert rank_correlation(np.array([0.5, 0.75, 1.0]), np.array([0.2, 0.2, 0.2])) is None
    assert rank_correlation(np.array([0.5, 0.75, 1.0]), np.array([0.1, 0.3, 0.2])) == 0.5


def test_within_category_spearman_asks_only_whether_more_gives_more():
    """Heard intensity rises with the ask inside each emotion, though angry at 0.5 is heard
    stronger than calm at 1.0: the pooled rank correlation is low, the within-category one is 1."""
    def target(category: str, intensity: float) -> EmotionTarget:
        return EmotionTarget((0.0, 0.0, 0.0), [float(c == category) for c in CATEGORIES], intensity)

    asked = [target(c, i) for c in ("angry", "calm") for i in INTENSITIES]
    heard = [target(c, 0.1 * (level + 1) + (0.45 if c == "angry" else 0.0))
             for c in ("angry", "calm") for level in range(len(INTENSITIES))]
    report = judged(heard, asked)
    assert report["intensity_spearman_by_category"] == {"calm": 1.0, "angry": 1.0}
    assert report["intensity_spearman_within_category"] == 1.0
    assert report["intensity_spearman"] < 0.6


def test_acoustic_coding_report_judges_each_representation(tiny_corpus, tmp_path):
    output = tmp_path / "coding.json"
    assert evaluate_coding(["--corpus", str(tiny_corpus), "--categories", "sad", "--envelope-dims", "40",
                            "--output", str(output)]) == 0
    report = json.loads(output.read_text())
    assert list(report) == ["as rendered", "WORLD 10 ms, uncoded", "WORLD 10 ms, envelope coded to 40"]
    for judged_sad in (r["sad"] for r in report.values()):
        assert 0.0 <= judged_sad["recall"] <= 1.0 and sum(judged_sad["heard_as"].values()) >= 1
