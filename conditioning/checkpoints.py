"""Checkpoints: weights plus the typed config they were built with, in one file.

A checkpoint loads without side files. Where checkpoints live is never hard-coded in
callers: `checkpoint_path(name)` looks in $EMOSTUDIO_CHECKPOINTS, else in the
repository's `checkpoints/` folder.
"""

from __future__ import annotations

import dataclasses
import io
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, TypeVar


MANIFEST_NAME = "manifest.json"
ConfigT = TypeVar("ConfigT")


class MissingCheckpointError(FileNotFoundError):
    """A model's checkpoint is absent; the message says which script makes it."""


def checkpoints_dir() -> Path:
    override = os.environ.get("EMOSTUDIO_CHECKPOINTS")
    return Path(override) if override else Path(__file__).resolve().parents[1] / "checkpoints"


def checkpoint_path(name: str) -> Path:
    return checkpoints_dir() / name


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Writes to a temporary file beside `path`, then renames: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)  # mkstemp makes files private; checkpoints are shared
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_checkpoint(path: Path, config: Any, state_dict: dict, extra: dict | None = None) -> None:
    buffer = io.BytesIO()
    import torch  # lazily: reading the manifest or writing a file needs no torch

    torch.save({"config": dataclasses.asdict(config), "state_dict": state_dict, "extra": extra or {}}, buffer)
    atomic_write_bytes(Path(path), buffer.getvalue())


def load_checkpoint(path: Path, config_class: type[ConfigT], made_by: str) -> tuple[ConfigT, dict, dict]:
    """(config, state_dict, extra) from a checkpoint; `made_by` names the script that makes it."""
    path = Path(path)
    if not path.exists():
        raise MissingCheckpointError(f"checkpoint {path} is missing; make it with `{made_by}`")
    import torch

    payload = torch.load(path, map_location="cpu", weights_only=True)
    return config_class(**payload["config"]), payload["state_dict"], payload.get("extra", {})


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(directory: Path | None = None) -> dict:
    path = (directory or checkpoints_dir()) / MANIFEST_NAME
    return json.loads(path.read_text()) if path.exists() else {"checkpoints": {}}


def add_to_manifest_entry(checkpoint: Path, **fields) -> None:
    """Adds fields (e.g. an evaluation made after training) to the checkpoint's existing entry."""
    checkpoint = Path(checkpoint)
    entry = read_manifest(checkpoint.parent)["checkpoints"].get(checkpoint.name)
    if entry is None:
        raise KeyError(f"{checkpoint.name} has no manifest entry to add to")
    record_in_manifest(checkpoint, {**{k: v for k, v in entry.items() if k not in ("sha256", "size_bytes")}, **fields})


def record_in_manifest(checkpoint: Path, entry: dict) -> None:
    """Adds or replaces the checkpoint's manifest entry, with its sha256 and size."""
    checkpoint = Path(checkpoint)
    manifest = read_manifest(checkpoint.parent)
    manifest["checkpoints"][checkpoint.name] = {
        "sha256": sha256_of(checkpoint),
        "size_bytes": checkpoint.stat().st_size,
        **entry,
    }
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    atomic_write_bytes(checkpoint.parent / MANIFEST_NAME, text.encode())
