"""A training run killed midway and run again with the same command ends where an uninterrupted
run of the same seed ends: the same weights and the same loss history, with shuffling,
augmentation and dropout drawn again as they were (issue 31)."""

from __future__ import annotations

import lightning
import pytest
import torch
from torch.utils.data import DataLoader, Dataset

from train import scaffold, train_text_head, train_tts
from train.scaffold import RESUME_NAME


class _NoisyPoints(Dataset):
    """Points with noise drawn from torch's global generator, as augmentation draws it."""

    def __init__(self):
        generator = torch.Generator().manual_seed(11)
        self.inputs, self.targets = torch.randn(24, 3, generator=generator), torch.randn(24, 1, generator=generator)

    def __len__(self):
        return len(self.inputs)

    def __getitem__(self, index):
        return self.inputs[index] + 0.1 * torch.randn(3), self.targets[index]


class _EpochBatches(torch.utils.data.Sampler):
    """Batches in an order drawn from the epoch, as train/tts's LengthBatches draws them."""

    def __init__(self, items: int, size: int):
        self.items, self.size, self.epoch = items, size, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self):
        return -(-self.items // self.size)

    def __iter__(self):   # not lazy: a DataLoader's iterator draws the order when it is made
        order = torch.randperm(self.items, generator=torch.Generator().manual_seed(self.epoch)).tolist()
        return iter([order[k:k + self.size] for k in range(0, self.items, self.size)])


class _Dropping(lightning.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.Dropout(0.3), torch.nn.Linear(16, 1))
        self.train_losses: list[float] = []
        self.validation_losses: list[float] = []
        self._steps: list[float] = []

    def training_step(self, batch, _index):
        loss = torch.nn.functional.mse_loss(self.net(batch[0]), batch[1])
        self._steps.append(float(loss))
        return loss

    def validation_step(self, batch, _index):
        self.validation_losses.append(float(torch.nn.functional.mse_loss(self.net(batch[0]), batch[1])))

    def on_train_epoch_end(self):
        self.train_losses.append(sum(self._steps) / len(self._steps))
        self._steps.clear()

    def configure_optimizers(self):
        optimizer = torch.optim.AdamW(self.parameters(), lr=0.02)
        return {"optimizer": optimizer, "lr_scheduler": torch.optim.lr_scheduler.StepLR(optimizer, 2, 0.5)}


class _KilledAt(lightning.Callback):
    """Dies after `batch` optimiser steps of `epoch`, as a killed process would, mid-epoch."""

    def __init__(self, epoch: int, batch: int):
        self.epoch, self.batch = epoch, batch

    def on_train_batch_end(self, trainer, module, outputs, batch, index):
        if trainer.current_epoch == self.epoch and index + 1 == self.batch:
            raise RuntimeError("killed")


@pytest.fixture
def resume_root(tmp_path, monkeypatch):
    monkeypatch.setenv(scaffold.RESUME_ROOT_VARIABLE, str(tmp_path / "resume"))
    return tmp_path / "resume"


def _arguments(*extra):
    parser = scaffold.training_parser("train.example", "an example")
    scaffold.add_run_arguments(parser, epochs=4, batch_size=4, output_help="where")
    return parser, parser.parse_args(["--seed", "5", *extra])


def _run(args, command, callbacks=(), batches="shuffled"):
    scaffold.start_run(args)   # each run is a fresh process: seeded at its start
    module = _Dropping()
    if batches == "shuffled":
        train = DataLoader(_NoisyPoints(), batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(3))
    else:   # with the callback that sets its epoch, as train_tts.py has
        train = DataLoader(_NoisyPoints(), batch_sampler=_EpochBatches(24, 5))
        callbacks = [*callbacks, train_tts._EpochBatches(train.batch_sampler)]
    validation = DataLoader(_NoisyPoints(), batch_size=8)
    scaffold.fit(scaffold.build_trainer(args, callbacks, num_sanity_val_steps=0), module, args, command,
                 train, validation)
    return module


def _same_weights(first: dict, second: dict) -> None:
    assert first.keys() == second.keys()
    for name, value in first.items():
        assert torch.equal(value, second[name]), name


@pytest.mark.parametrize("batches", ["shuffled", "by epoch"])
def test_a_run_killed_midway_resumes_by_default_to_the_uninterrupted_result(resume_root, batches):
    parser, args = _arguments()
    command = scaffold.reproducing_command(parser, args)
    uninterrupted = _run(args, command, batches=batches)
    assert not resume_root.exists() or not any(resume_root.iterdir())   # a finished run leaves nothing

    with pytest.raises(RuntimeError, match="killed"):
        _run(args, command, [_KilledAt(epoch=2, batch=3)], batches)
    folder = scaffold.checkpoint_folder(args, command)
    assert folder.parent == resume_root and (folder / f"{RESUME_NAME}.ckpt").exists()

    resumed = _run(args, command, batches=batches)
    _same_weights(uninterrupted.state_dict(), resumed.state_dict())
    assert resumed.train_losses == uninterrupted.train_losses and len(resumed.train_losses) == 4
    assert resumed.validation_losses == uninterrupted.validation_losses
    assert not folder.exists()


def test_each_epoch_draws_anew_and_no_resume_keeps_nothing(resume_root):
    parser, args = _arguments("--no-resume")
    command = scaffold.reproducing_command(parser, args)
    assert command == "python -m train.example --seed 5" and scaffold.checkpoint_folder(args, command) is None
    with pytest.raises(RuntimeError, match="killed"):
        _run(args, command, [_KilledAt(epoch=1, batch=1)])
    assert not resume_root.exists()
    assert len({scaffold.epoch_seeds(5, epoch) for epoch in range(4)}) == 4


def test_runs_writing_elsewhere_keep_their_checkpoints_apart(tmp_path):
    parser, first = _arguments("--output", str(tmp_path / "a.pt"))
    _, second = _arguments("--output", str(tmp_path / "b.pt"))
    command = scaffold.reproducing_command(parser, first)
    assert command == scaffold.reproducing_command(parser, second)
    assert scaffold.checkpoint_folder(first, command) != scaffold.checkpoint_folder(second, command)
    _, chosen = _arguments("--checkpoint-dir", str(tmp_path / "mine"))
    assert scaffold.checkpoint_folder(chosen, command) == tmp_path / "mine"


def test_the_description_head_script_resumes_to_the_uninterrupted_weights(resume_root, tmp_path, monkeypatch):
    argv = ["--train-size", "96", "--test-size", "16", "--epochs", "4", "--batch-size", "16", "--hidden-dim", "16",
            "--no-manifest", "--output", str(tmp_path / "head.pt")]
    uninterrupted = train_text_head.train(train_text_head.parse_arguments(argv))

    def killed_midway(args, callbacks=(), **options):
        return scaffold.build_trainer(args, [*callbacks, _KilledAt(epoch=2, batch=2)], **options)

    with monkeypatch.context() as patch:
        patch.setattr(train_text_head, "build_trainer", killed_midway)
        with pytest.raises(RuntimeError, match="killed"):
            train_text_head.train(train_text_head.parse_arguments(argv))
    assert any(resume_root.glob(f"*/{RESUME_NAME}.ckpt"))
    resumed = train_text_head.train(train_text_head.parse_arguments(argv))
    _same_weights(uninterrupted["state_dict"], resumed["state_dict"])
    assert resumed["losses"] == uninterrupted["losses"]
    assert not any(resume_root.glob(f"*/{RESUME_NAME}.ckpt"))
