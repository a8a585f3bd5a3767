"""What every training script builds the same way: its parser's common arguments, the start of
a run (seed, threads), the Lightning Trainer with resumable checkpoints, and the command line
that reproduces the run, read back from the parsed arguments and the parser itself (so the
"made by" a manifest records cannot drift from the flags the script really takes)."""

from __future__ import annotations

import argparse
import hashlib
import os
import shlex
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import lightning
import numpy as np
import torch
from torch.utils.data import DataLoader

# Where and how a run goes, not what it trains: left out of the reproducing command.
RUN_ONLY = frozenset({"accelerator", "devices", "threads", "workers", "output", "no_manifest", "checkpoint_dir",
                      "no_resume"})
RESUME_NAME = "resume"   # the one checkpoint a run keeps, overwritten each epoch
COMMAND_NAME = "command.txt"   # beside it: the run it belongs to, so another run never resumes from it
RESUME_ROOT_VARIABLE = "EMOSTUDIO_TRAIN_RESUME"   # where runs keep their checkpoints unless told
DEFAULT_RESUME_ROOT = Path(__file__).resolve().parents[1] / ".cache" / "train-resume"


def training_parser(module: str, description: str) -> argparse.ArgumentParser:
    """A parser whose program name is the command that runs it (`python -m train.train_ser`)."""
    return argparse.ArgumentParser(prog=f"python -m {module}", description=description)


def add_corpus_arguments(parser: argparse.ArgumentParser, *, corpus_help: str, workers: int) -> None:
    """The arguments of a script that trains on a built corpus."""
    parser.add_argument("--corpus", type=Path, required=True, help=corpus_help)
    parser.add_argument("--limit-train", type=int, default=None, help="use only the first N training items")
    parser.add_argument("--workers", type=int, default=workers, help="data-loading processes")


def add_run_arguments(parser: argparse.ArgumentParser, *, epochs: int, batch_size: int, output_help: str,
                      learning_rate: float | None = None) -> None:
    """The schedule (epochs, batch size, learning rate, seed) and where the run goes: devices,
    threads, output, manifest and the resumable checkpoints."""
    parser.add_argument("--epochs", type=int, default=epochs)
    parser.add_argument("--batch-size", type=int, default=batch_size)
    if learning_rate is not None:
        parser.add_argument("--learning-rate", type=float, default=learning_rate)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--accelerator", default="cpu", help="lightning accelerator: cpu, gpu, auto ...")
    parser.add_argument("--devices", default="1", help="lightning devices (e.g. 4 for DDP on four GPUs)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--output", type=Path, default=None, help=output_help)
    parser.add_argument("--no-manifest", action="store_true", help="do not record the checkpoint in the manifest")
    parser.add_argument("--checkpoint-dir", type=Path, default=None,
                        help="keep a Lightning checkpoint here after every epoch; the same command run again "
                             "resumes from it, and a finished run removes it (default: .cache/train-resume/<hash "
                             "of the reproducing command and --output> in the checkout, or under "
                             f"${RESUME_ROOT_VARIABLE})")
    parser.add_argument("--no-resume", action="store_true",
                        help="keep no checkpoint: a killed run starts over (and one left by an earlier run is ignored)")


def start_run(args: argparse.Namespace) -> None:
    """Seeds every generator (data-loading workers too) and sets the CPU threads if asked."""
    if args.threads:
        torch.set_num_threads(args.threads)
    lightning.seed_everything(args.seed, workers=True, verbose=False)


def build_trainer(args: argparse.Namespace, callbacks: Sequence[lightning.Callback] = (),
                  **options) -> lightning.Trainer:
    """The Trainer every script fits with: the devices asked for (the CPU by default), no logger,
    plain progress lines when not on a terminal, each epoch's randomness drawn from the seed and
    the epoch, and (unless --no-resume) a resumable checkpoint, whose folder `fit` decides;
    `options` are the script's own Trainer settings (gradient clipping ...)."""
    callbacks = [EpochRandomness(args.seed), *callbacks]
    if not args.no_resume:
        callbacks += [KeepHistories(), lightning.pytorch.callbacks.ModelCheckpoint(
            filename=RESUME_NAME, save_top_k=1, enable_version_counter=False)]
    return lightning.Trainer(
        max_epochs=args.epochs, accelerator=args.accelerator, devices=args.devices, logger=False,
        enable_checkpointing=not args.no_resume, callbacks=callbacks, enable_model_summary=False,
        enable_progress_bar=sys.stdout.isatty(), **options)


def fit(trainer: lightning.Trainer, module: lightning.LightningModule, args: argparse.Namespace, command: str,
        *loaders) -> None:
    """`trainer.fit`, from the checkpoint an interrupted run of `command` left, if one did; a run
    that finishes removes its checkpoint, so the next run of the command starts afresh."""
    folder = checkpoint_folder(args, command)
    if folder is not None:   # decided here, where the command is known; ModelCheckpoint reads it at fit's start
        trainer.checkpoint_callback.dirpath = os.path.realpath(folder)
    trainer.fit(module, *loaders, ckpt_path=resume_point(folder, command))
    if folder is not None and trainer.is_global_zero:
        forget_run(folder)


def checkpoint_folder(args: argparse.Namespace, command: str) -> Path | None:
    """Where a run of `command` keeps its checkpoint: --checkpoint-dir, none with --no-resume, or
    by default a folder named by the command and the output (two runs differing only in where
    they write must not share one) under $EMOSTUDIO_TRAIN_RESUME or the checkout's .cache."""
    if args.no_resume:
        return None
    if args.checkpoint_dir is not None:
        return args.checkpoint_dir
    run = f"{command}\n{Path(args.output).resolve() if args.output else ''}"
    root = Path(os.environ.get(RESUME_ROOT_VARIABLE) or DEFAULT_RESUME_ROOT)
    return root / hashlib.sha256(run.encode()).hexdigest()[:16]


def forget_run(folder: Path) -> None:
    """Removes a finished run's checkpoint and record, and the folder if nothing else is in it."""
    for name in (f"{RESUME_NAME}.ckpt", COMMAND_NAME):
        (folder / name).unlink(missing_ok=True)
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def resume_point(folder: Path | None, command: str) -> Path | None:
    """The checkpoint to resume from, if `folder` holds one of this very command; records the
    command there otherwise. A checkpoint of another command is an error, never a silent start."""
    if folder is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    recorded, checkpoint = folder / COMMAND_NAME, folder / f"{RESUME_NAME}.ckpt"
    if recorded.exists() and recorded.read_text().strip() != command:
        raise SystemExit(f"{folder} holds the checkpoint of another run ({recorded.read_text().strip()}); "
                         f"give this one ({command}) another --checkpoint-dir")
    recorded.write_text(command + "\n")
    return checkpoint if checkpoint.exists() else None


class EpochRandomness(lightning.Callback):
    """Seeds every generator an epoch draws from (torch's, numpy's, Python's and the training
    loaders' own) from the run's seed and the epoch, before the epoch's batches are drawn.
    Lightning's checkpoints keep no generator state, so without this a resumed epoch would
    shuffle, augment and drop out differently from the same epoch of an uninterrupted run."""

    def __init__(self, seed: int):
        self.seed, self.first_of_fit = seed, True

    def on_train_start(self, trainer, module):
        self.first_of_fit = True

    def on_train_epoch_start(self, trainer, module):
        everything, loaders = epoch_seeds(self.seed, trainer.current_epoch)
        lightning.seed_everything(everything, workers=True, verbose=False)
        for loader in _flat_loaders(trainer.train_dataloader):
            for sampler in _samplers(loader):   # Lightning sets a sampler's epoch, not a batch sampler's
                if callable(getattr(sampler, "set_epoch", None)):
                    sampler.set_epoch(trainer.current_epoch)
            for generator in _loader_generators(loader):
                generator.manual_seed(loaders)
        if self.first_of_fit:
            # Lightning makes a fit's first iterator before this hook (and before it sets the
            # samplers' epoch): its base seed and its first indices (a batch sampler's at once)
            # come from before the seeds above. Made again, the first epoch of a resumed fit
            # draws as that epoch did in the uninterrupted run, where the iterator comes after.
            self.first_of_fit = False
            fetcher = getattr(trainer.fit_loop, "_data_fetcher", None)
            if fetcher is not None:
                iter(fetcher)


def epoch_seeds(seed: int, epoch: int) -> tuple[int, int]:
    """Two independent seeds (the global generators', the loaders') for one epoch of one run."""
    everything, loaders = np.random.SeedSequence([seed, epoch]).generate_state(2)
    return int(everything), int(loaders)


def _flat_loaders(loaders) -> list:
    if isinstance(loaders, dict):
        loaders = list(loaders.values())
    if isinstance(loaders, (list, tuple)):
        return [flat for loader in loaders for flat in _flat_loaders(loader)]
    return [loaders] if loaders is not None else []


def _loader_generators(loader) -> list[torch.Generator]:
    """The generators a DataLoader shuffles with: its own and those of its samplers, down through
    samplers that wrap samplers (a BatchSampler over a RandomSampler)."""
    if not isinstance(loader, DataLoader):
        return []
    found = [loader.generator, *(getattr(sampler, "generator", None) for sampler in _samplers(loader))]
    return [generator for generator in found if isinstance(generator, torch.Generator)]


def _samplers(loader) -> list:
    """A DataLoader's sampler and batch sampler, and the samplers they wrap."""
    if not isinstance(loader, DataLoader):
        return []
    found, pending = [], [loader.sampler, loader.batch_sampler]
    while pending:
        sampler = pending.pop()
        if sampler is not None and all(sampler is not seen for seen in found):
            found.append(sampler)
            pending.append(getattr(sampler, "sampler", None))
    return found


class KeepHistories(lightning.Callback):
    """Carries the module's per-epoch lists (losses, validation history) through a checkpoint,
    so a resumed run reports every epoch, not only those after the restart."""

    def on_save_checkpoint(self, trainer, module, checkpoint):
        checkpoint["histories"] = {name: list(value) for name, value in vars(module).items()
                                   if isinstance(value, list) and not name.startswith("_")}   # not Lightning's own

    def on_load_checkpoint(self, trainer, module, checkpoint):
        for name, value in checkpoint.get("histories", {}).items():
            setattr(module, name, value)


def reproducing_command(parser: argparse.ArgumentParser, args: argparse.Namespace,
                        leave_out: Iterable[str] = RUN_ONLY) -> str:
    """`parser.prog` and every argument whose value differs from its default, in the parser's
    order, quoted for a shell: parsing it back gives `args` again (except `leave_out`)."""
    leave_out = set(leave_out)
    words = []
    for action in parser._actions:
        if action.dest in leave_out or action.dest == argparse.SUPPRESS or not hasattr(args, action.dest):
            continue
        value = getattr(args, action.dest)
        if value == _parsed_default(action):
            continue
        words += _argument_words(action, value)
    return " ".join([parser.prog, *(shlex.quote(str(word)) for word in words)])


def _parsed_default(action: argparse.Action):
    # argparse passes a string default through the argument's type, as if it had been typed
    if isinstance(action.default, str) and action.type is not None:
        return action.type(action.default)
    return action.default


def _argument_words(action: argparse.Action, value) -> list:
    flag = action.option_strings[-1] if action.option_strings else None
    if action.nargs == 0:   # store_true, store_false, store_const: the flag alone sets the value
        if value != action.const:
            raise ValueError(f"{flag} cannot give {value!r}")
        return [flag]
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    return values if flag is None else [flag, *values]


def sliced_batch_loader(dataset, batch_size: int, seed: int) -> DataLoader:
    """Shuffled batches of a dataset indexed by a list of positions, so that a whole batch is
    one tensor slice: for small models, where per-item loading and collation would dominate."""
    sampler = torch.utils.data.BatchSampler(
        torch.utils.data.RandomSampler(dataset, generator=torch.Generator().manual_seed(seed)),
        batch_size=batch_size, drop_last=False)
    return DataLoader(dataset, sampler=sampler, batch_size=None)
