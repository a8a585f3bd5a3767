"""A tiny run of the description-head training script: the loss falls, runs repeat exactly."""

import torch

from conditioning.text_head import DescriptionReader
from train.train_text_head import parse_arguments, train


def tiny_run(tmp_path, name):
    args = parse_arguments(["--train-size", "240", "--test-size", "40", "--epochs", "15",
                            "--batch-size", "32", "--hidden-dim", "32", "--no-manifest",
                            "--output", str(tmp_path / name)])
    return train(args)


def test_tiny_training_lowers_the_loss_and_is_deterministic(tmp_path):
    first = tiny_run(tmp_path, "a.pt")
    assert first["losses"]["final"] < 0.8 * first["losses"]["initial"]
    second = tiny_run(tmp_path, "b.pt")
    for key, value in first["state_dict"].items():
        assert torch.equal(value, second["state_dict"][key]), key
    reader = DescriptionReader.from_checkpoint(tmp_path / "a.pt")
    assert reader.head.config.hidden_dim == 32
    assert len(reader.read(["a sad voice", "furious"])) == 2
