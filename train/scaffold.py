"""What every training script builds the same way: its parser's common arguments, the start of
a run (seed, threads), the Lightning Trainer with resumable checkpoints, and the command line
that reproduces the run, read back from the parsed arguments and the parser itself (so the
"made by" a manifest records cannot drift from the flags the script really takes)."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import lightning
import torch

# Where and how a run goes, not what it trains: left out of the reproducing command.
RUN_ONLY = frozenset({"accelerator", "devices", "threads", "workers", "output", "no_manifest", "checkpoint_dir"})
RESUME_NAME = "resume"   # the one checkpoint a --checkpoint-dir keeps, overwritten each epoch
COMMAND_NAME = "command.txt"   # beside it: the run it belongs to, so another run never resumes from it


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
                             "resumes from it (default: no checkpoints, a killed run starts over)")


def start_run(args: argparse.Namespace) -> None:
    """Seeds every generator (data-loading workers too) and sets the CPU threads if asked."""
    if args.threads:
        torch.set_num_threads(args.threads)
    lightning.seed_everything(args.seed, workers=True, verbose=False)


def build_trainer(args: argparse.Namespace, callbacks: Sequence[lightning.Callback] = (),
                  **options) -> lightning.Trainer:
    """The Trainer every script fits with: the devices asked for (the CPU by default), no logger,
    plain progress lines when not on a terminal, and a resumable checkpoint under
    --checkpoint-dir; `options` are the script's own Trainer settings (gradient clipping ...)."""
    callbacks = list(callbacks)
    if args.checkpoint_dir is not None:
        callbacks += [KeepHistories(), lightning.pytorch.callbacks.ModelCheckpoint(
            dirpath=args.checkpoint_dir, filename=RESUME_NAME, save_top_k=1, enable_version_counter=False)]
    return lightning.Trainer(
        max_epochs=args.epochs, accelerator=args.accelerator, devices=args.devices, logger=False,
        enable_checkpointing=args.checkpoint_dir is not None, callbacks=callbacks, enable_model_summary=False,
        enable_progress_bar=sys.stdout.isatty(), **options)


def fit(trainer: lightning.Trainer, module: lightning.LightningModule, args: argparse.Namespace, command: str,
        *loaders) -> None:
    """`trainer.fit`, from the --checkpoint-dir's checkpoint when one run of `command` left it."""
    trainer.fit(module, *loaders, ckpt_path=resume_point(args.checkpoint_dir, command))


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
