"""A tiny mouth-motion training run: the flow-matching loss falls, a seed repeats exactly,
and the written checkpoint samples deterministic motion."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from synth.face.mouth_generator import MouthMotionGenerator
from train.train_mouth import main, parse_arguments, train

pytestmark = pytest.mark.slow


def _run(corpus, *extra):
    return train(parse_arguments(["--corpus", str(corpus), "--epochs", "8", "--batch-size", "6", "--channels", "32",
                                  "--learning-rate", "3e-3", "--workers", "0", "--evaluate-items", "2", *extra]))


def test_loss_falls_and_a_seed_repeats(tiny_corpus):
    torch.set_num_threads(2)
    first = _run(tiny_corpus, "--no-augment")
    losses = first["module"].train_losses
    assert len(losses) == 8 and min(losses[4:]) < 0.8 * losses[0], losses
    second = _run(tiny_corpus, "--no-augment")
    for (name, a), b in zip(first["module"].net.state_dict().items(), second["module"].net.state_dict().values()):
        torch.testing.assert_close(a, b, msg=f"{name} differs between two runs with one seed")
    assert {"jaw_open_r", "lip_close_mae", "items"} <= set(first["test"])


def test_script_writes_a_checkpoint_that_samples_deterministically(tiny_corpus, tmp_path):
    output = tmp_path / "mouth.pt"
    main(["--corpus", str(tiny_corpus), "--epochs", "1", "--batch-size", "8", "--channels", "32", "--workers", "0",
          "--evaluate-items", "1", "--output", str(output), "--no-manifest"])
    generator = MouthMotionGenerator.from_checkpoint(output)
    audio = (np.sin(np.arange(22050) * 0.07) * np.hanning(22050) * 0.3).astype(np.float32)
    first = generator.generate(audio, 22050, steps=4, seed=5)
    assert first.shape == (25, 3) and np.isfinite(first).all()
    np.testing.assert_array_equal(first, generator.generate(audio, 22050, steps=4, seed=5))
    assert not np.array_equal(first, generator.generate(audio, 22050, steps=4, seed=6))
    with pytest.raises(ValueError, match="steps"):
        generator.generate(audio, 22050, steps=0)
