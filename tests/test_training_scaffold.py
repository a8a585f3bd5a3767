"""The training scaffold: the reproducing command parses back to the same run, and a killed run
resumes from its checkpoint when the same command runs again."""

from __future__ import annotations

import argparse
import json
import shlex
from pathlib import Path

import lightning
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from train import scaffold, train_fer, train_mouth, train_ser, train_text_head, train_tts, train_vc

SCRIPTS = {"train_fer": train_fer, "train_mouth": train_mouth, "train_ser": train_ser,
           "train_text_head": train_text_head, "train_tts": train_tts, "train_vc": train_vc}
MANIFEST = Path(__file__).resolve().parents[1] / "checkpoints" / "manifest.json"


def example_parser() -> argparse.ArgumentParser:
    parser = scaffold.training_parser("train.example", "an example")
    scaffold.add_corpus_arguments(parser, corpus_help="a corpus", workers=1)
    scaffold.add_run_arguments(parser, epochs=5, batch_size=8, learning_rate=1e-3, output_help="where")
    parser.add_argument("--mode", choices=("a", "b"), default="a")
    parser.add_argument("--keep", action="store_false", dest="drop")
    parser.add_argument("--image", type=Path, default="docs/x.png")
    parser.add_argument("--weight", type=float, default=0.0)
    return parser


def parsed_back(parser: argparse.ArgumentParser, command: str) -> argparse.Namespace:
    words = shlex.split(command)
    prog = parser.prog.split()
    assert words[:len(prog)] == prog
    return parser.parse_args(words[len(prog):])


def run_settings(args: argparse.Namespace, leave_out=scaffold.RUN_ONLY) -> dict:
    return {name: value for name, value in vars(args).items() if name not in leave_out}


def test_the_command_round_trips_through_the_parser():
    parser = example_parser()
    argv = ["--weight", "0.25", "--corpus", "my corpus/a b", "--keep", "--mode", "b", "--learning-rate", "3e-4",
            "--limit-train", "7", "--image", "other.png", "--workers", "0", "--output", "x.pt", "--no-manifest"]
    args = parser.parse_args(argv)
    again = parsed_back(parser, scaffold.reproducing_command(parser, args))
    assert run_settings(again) == run_settings(args)
    assert again.corpus == Path("my corpus/a b") and again.drop is False and again.learning_rate == 3e-4


def test_the_command_names_only_non_defaults_in_the_parsers_order():
    parser = example_parser()
    assert scaffold.reproducing_command(parser, parser.parse_args(["--corpus", "c"])) == (
        "python -m train.example --corpus c")
    # a string default goes through its type as argparse does: the same path is no change
    assert scaffold.reproducing_command(parser, parser.parse_args(["--corpus", "c", "--image", "docs/x.png"])) == (
        "python -m train.example --corpus c")
    first = parser.parse_args(["--seed", "3", "--mode", "b", "--corpus", "c", "--epochs", "9"])
    second = parser.parse_args(["--epochs", "9", "--corpus", "c", "--mode", "b", "--seed", "3"])
    command = scaffold.reproducing_command(parser, first)
    assert command == scaffold.reproducing_command(parser, second)
    assert command == "python -m train.example --corpus c --epochs 9 --seed 3 --mode b"
    # where the run goes is not part of what it trains
    moved = parser.parse_args(["--corpus", "c", "--accelerator", "gpu", "--devices", "2", "--threads", "4",
                               "--output", "o.pt", "--checkpoint-dir", "ck", "--workers", "3", "--no-manifest"])
    assert scaffold.reproducing_command(parser, moved) == "python -m train.example --corpus c"


def test_every_recorded_training_command_is_valid_and_round_trips():
    def made_by(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "made_by" and isinstance(value, str) and value.startswith("python -m train.train_"):
                    yield value
                else:
                    yield from made_by(value)

    commands = list(made_by(json.loads(MANIFEST.read_text())))
    assert {command.split()[2].removeprefix("train.") for command in commands} == set(SCRIPTS)
    for command in commands:
        script = SCRIPTS[command.split()[2].removeprefix("train.")]
        args = script.parse_arguments(shlex.split(command)[3:])
        derived = script.reproducing_command(args)
        assert derived.startswith(f"python -m {command.split()[2]}")
        again = script.parse_arguments(shlex.split(derived)[3:])
        assert run_settings(again, scaffold.RUN_ONLY | {"confusion_image"}) == run_settings(
            args, scaffold.RUN_ONLY | {"confusion_image"}), command


def test_each_script_takes_the_common_arguments():
    for name, script in SCRIPTS.items():
        parser = script.build_parser()
        assert parser.prog == f"python -m train.{name}"
        options = {option for action in parser._actions for option in action.option_strings}
        assert {"--epochs", "--batch-size", "--seed", "--accelerator", "--devices", "--threads", "--output",
                "--no-manifest", "--checkpoint-dir"} <= options, name


def test_a_checkpoint_folder_belongs_to_one_command(tmp_path):
    folder = tmp_path / "run"
    assert scaffold.resume_point(folder, "python -m train.x --epochs 2") is None
    (folder / f"{scaffold.RESUME_NAME}.ckpt").write_bytes(b"")
    assert scaffold.resume_point(folder, "python -m train.x --epochs 2") == folder / f"{scaffold.RESUME_NAME}.ckpt"
    with pytest.raises(SystemExit, match="another run"):
        scaffold.resume_point(folder, "python -m train.x --epochs 3")
    assert scaffold.resume_point(None, "anything") is None


class _Tiny(lightning.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(2, 1)
        self.train_losses: list[float] = []

    def training_step(self, batch, _index):
        inputs, targets = batch
        return torch.nn.functional.mse_loss(self.layer(inputs), targets)

    def on_train_epoch_end(self):
        self.train_losses.append(float(self.current_epoch))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


class _KilledAt(lightning.Callback):
    def __init__(self, epoch: int):
        self.epoch = epoch

    def on_train_epoch_start(self, trainer, module):
        if trainer.current_epoch == self.epoch:
            raise RuntimeError("killed")


def test_a_killed_run_resumes_with_the_same_command(tmp_path):
    parser = example_parser()
    args = parser.parse_args(["--corpus", "c", "--epochs", "3", "--checkpoint-dir", str(tmp_path / "ck")])
    command = scaffold.reproducing_command(parser, args)
    loader = DataLoader(TensorDataset(torch.randn(8, 2), torch.randn(8, 1)), batch_size=4)
    scaffold.start_run(args)
    killed = _Tiny()
    with pytest.raises(RuntimeError, match="killed"):
        scaffold.fit(scaffold.build_trainer(args, [_KilledAt(2)]), killed, args, command, loader)
    assert killed.train_losses == [0.0, 1.0]

    resumed = _Tiny()
    trainer = scaffold.build_trainer(args)
    scaffold.fit(trainer, resumed, args, command, loader)
    assert trainer.current_epoch == 3 and trainer.global_step == 6
    assert resumed.train_losses == [0.0, 1.0, 2.0]   # the epochs before the kill are still reported
