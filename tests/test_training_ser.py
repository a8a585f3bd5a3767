"""A tiny speech emotion recognizer training run: the loss falls and a seed repeats exactly."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from conditioning.ser import SpeechEmotionRecognizer
from train.evaluate_ser_robustness import conditions, main as robustness_main
from train.ser_data import CropConfig, EpochSampler, SERDataset, collate, load_corpus_audio
from train.train_ser import main, parse_arguments, train

pytestmark = pytest.mark.slow


def _run(corpus, *extra):
    return train(parse_arguments(["--corpus", str(corpus), "--epochs", "10", "--batch-size", "6", "--hidden", "48",
                                  "--learning-rate", "3e-3", "--workers", "0", *extra]))


def test_loss_falls_and_a_seed_repeats(tiny_corpus):
    torch.set_num_threads(2)
    first = _run(tiny_corpus, "--no-augment")
    losses = first["module"].train_losses
    assert len(losses) == 10 and min(losses[5:]) < 0.8 * losses[0], losses  # random crops: epochs are noisy
    second = _run(tiny_corpus, "--no-augment")
    for (name, a), b in zip(first["module"].net.state_dict().items(), second["module"].net.state_dict().values()):
        torch.testing.assert_close(a, b, msg=f"{name} differs between two runs with one seed")
    assert set(first["test"]) >= {"uar", "ccc_arousal", "ccc_valence", "ccc_dominance", "confusion"}
    assert first["test"]["voices"] == ["kal16"]


def test_augmented_batches_repeat_for_a_seed_and_differ_by_epoch(tiny_corpus):
    corpus = load_corpus_audio(tiny_corpus)
    dataset = SERDataset(corpus, CropConfig())
    sampler = EpochSampler(corpus.indices("train"), seed=3)
    first = collate([dataset[key] for key in sampler])
    again = collate([dataset[key] for key in sampler])
    sampler.set_epoch(1)
    other = collate([dataset[key] for key in sampler])
    torch.testing.assert_close(first["audio"], again["audio"])
    assert first["audio"].shape != other["audio"].shape or not torch.equal(first["audio"], other["audio"])
    assert torch.isfinite(first["audio"]).all() and first["audio"].abs().max() <= 1.0
    np.testing.assert_allclose(first["categories"].sum(dim=1).numpy(), 1.0, atol=1e-5)


def test_script_writes_a_loadable_checkpoint_and_image(tiny_corpus, tmp_path):
    output, image = tmp_path / "ser.pt", tmp_path / "confusion.png"
    main(["--corpus", str(tiny_corpus), "--epochs", "1", "--batch-size", "8", "--hidden", "32", "--workers", "0",
          "--output", str(output), "--confusion-image", str(image), "--no-manifest", "--utterance-normalisation",
          "--pitch-shift-probability", "1.0", "--roughness-probability", "1.0", "--roughness-strength", "0.5"])
    recognizer = SpeechEmotionRecognizer.from_checkpoint(output)
    assert recognizer.net.config.hidden == 32 and recognizer.net.config.utterance_normalisation
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    audio = np.sin(np.arange(16000) * 0.05).astype(np.float32) * 0.3
    assert len(recognizer.recognize(audio, 16000).frames) >= 1


def test_robustness_report_covers_every_condition(tiny_corpus, tmp_path):
    output = tmp_path / "robustness.json"
    assert robustness_main(["--corpus", str(tiny_corpus), "--items", "5", "--output", str(output)]) == 0
    report = json.loads(output.read_text())
    assert list(report) == list(conditions(0))
    assert all(r["items"] == 5 and 0.0 <= r["uar"] <= 1.0 and -1.0 <= r["ccc_arousal"] <= 1.0
               for r in report.values())
