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
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from common.atomic import atomic_write_bytes


MANIFEST_NAME = "manifest.json"
ConfigT = TypeVar("ConfigT")


class MissingCheckpointError(FileNotFoundError):
    """A model's checkpoint is absent; the message says which script makes it."""


@dataclass(frozen=True)
class ShippedModel:
    """One model the studio ships: its file in checkpoints/, the dataclass its config is read
    into (named, not imported: conditioning must not import the synth layer that defines some),
    the command that trains it, and its model card."""

    checkpoint: str
    config: str        # "package.module.ClassName"
    made_by: str
    card: str          # relative to the repository root


def _tts(decoder: str) -> ShippedModel:
    return ShippedModel(f"tts_{decoder}.pt", "synth.tts.config.TTSConfig",
                        f"python -m train.train_tts --corpus data/corpus --decoder {decoder}", "docs/models/tts.md")


# Every shipped model, by the name its loader asks for. A loader, a training script's default
# output, the UI's missing-model notice and the manifest's card link all read this one table.
SHIPPED_MODELS: dict[str, ShippedModel] = {
    "text_head": ShippedModel("text_head.pt", "conditioning.text_head.TextHeadConfig",
                              "python -m train.train_text_head", "docs/models/text_head.md"),
    "ser": ShippedModel("speech_emotion.pt", "conditioning.ser.model.SERConfig",
                        "python -m train.train_ser --corpus data/corpus", "docs/models/ser.md"),
    "face_expression": ShippedModel("face_expression.pt", "conditioning.fer.model.FERConfig",
                                    "python -m train.train_fer", "docs/models/face_expression.md"),
    "tts_flow": _tts("flow"),
    "tts_diffusion": _tts("diffusion"),
    "mouth_motion": ShippedModel("mouth_motion.pt", "synth.face.mouth_model.MouthModelConfig",
                                 "python -m train.train_mouth --corpus data/corpus", "docs/models/mouth_motion.md"),
    "vc_planner": ShippedModel("vc_planner.pt", "synth.vc.plan_model.PlanModelConfig",
                               "python -m train.train_vc --corpus data/corpus", "docs/models/vc.md"),
}


def shipped_model(name: str) -> ShippedModel:
    try:
        return SHIPPED_MODELS[name]
    except KeyError:
        raise KeyError(f"no shipped model {name!r}; the shipped models are {', '.join(SHIPPED_MODELS)}") from None


def shipped_path(name: str) -> Path:
    """Where the shipped model `name` is (or would be) on this machine."""
    return checkpoint_path(shipped_model(name).checkpoint)


def shipped_model_of_checkpoint(checkpoint_name: str) -> ShippedModel | None:
    return next((model for model in SHIPPED_MODELS.values() if model.checkpoint == checkpoint_name), None)


def missing_shipped_models(names: typing.Iterable[str]) -> dict[str, ShippedModel]:
    """Those of `names` whose checkpoint is absent here, by name, in the order given."""
    return {name: shipped_model(name) for name in names if not shipped_path(name).exists()}


def checkpoints_dir() -> Path:
    override = os.environ.get("EMOSTUDIO_CHECKPOINTS")
    return Path(override) if override else Path(__file__).resolve().parents[1] / "checkpoints"


def checkpoint_path(name: str) -> Path:
    return checkpoints_dir() / name


def save_checkpoint(path: Path, config: Any, state_dict: dict, extra: dict | None = None) -> None:
    buffer = io.BytesIO()
    import torch  # lazily: reading the manifest or writing a file needs no torch

    torch.save({"config": dataclasses.asdict(config), "state_dict": state_dict, "extra": extra or {}}, buffer)
    atomic_write_bytes(Path(path), buffer.getvalue())


def config_from_dict(config_class: type[ConfigT], data: typing.Mapping[str, Any]) -> ConfigT:
    """A typed dataclass config from its `dataclasses.asdict` form (as JSON or torch.save
    keeps it): lists become the tuples the fields declare, nested configs are built from their
    dicts, and keys the class does not have are an error naming them (a checkpoint from other
    code, not something to drop silently)."""
    if not dataclasses.is_dataclass(config_class):
        raise TypeError(f"{config_class!r} is not a dataclass")
    names = {field.name for field in dataclasses.fields(config_class) if field.init}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f"{config_class.__name__} has no field {', '.join(map(repr, unknown))}; "
                         f"its fields are {', '.join(sorted(names))}")
    hints = typing.get_type_hints(config_class)
    return config_class(**{key: _typed_value(hints[key], value) for key, value in data.items()})


def _typed_value(hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        # e.g. `Config | None`: a dict fills the dataclass arm, anything else stays as it is
        nested = [arm for arm in typing.get_args(hint) if dataclasses.is_dataclass(arm)]
        return config_from_dict(nested[0], value) if nested and isinstance(value, typing.Mapping) else value
    if dataclasses.is_dataclass(hint) and isinstance(value, typing.Mapping):
        return config_from_dict(hint, value)
    if origin is tuple and isinstance(value, (list, tuple)):
        arguments = typing.get_args(hint)
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return tuple(_typed_value(arguments[0], item) for item in value)
        if arguments and len(arguments) == len(value):
            return tuple(_typed_value(argument, item) for argument, item in zip(arguments, value))
        return tuple(value)
    return value


def load_checkpoint(path: Path, config_class: type[ConfigT], made_by: str) -> tuple[ConfigT, dict, dict]:
    """(config, state_dict, extra) from a checkpoint; `made_by` names the script that makes it.
    `config_class` dict gives the stored config as it is."""
    path = Path(path)
    if not path.exists():
        raise MissingCheckpointError(f"checkpoint {path} is missing; make it with `{made_by}`")
    import torch

    payload = torch.load(path, map_location="cpu", weights_only=True)
    config = dict(payload["config"]) if config_class is dict else config_from_dict(config_class, payload["config"])
    return config, payload["state_dict"], payload.get("extra", {})


def load_shipped(name: str, config_class: type[ConfigT], path: Path | None = None) -> tuple[ConfigT, dict, dict]:
    """The shipped model `name` (or the checkpoint at `path`, made the same way): (config,
    state_dict, extra). A missing file's error names the command in the table that makes it."""
    model = shipped_model(name)
    given = f"{config_class.__module__}.{config_class.__qualname__}"
    if given != model.config:   # the table and the loader must not drift apart
        raise TypeError(f"shipped model {name!r} is read into {model.config}, not {given}")
    return load_checkpoint(Path(path) if path else checkpoint_path(model.checkpoint), config_class, model.made_by)


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
    shipped = shipped_model_of_checkpoint(checkpoint.name)
    manifest["checkpoints"][checkpoint.name] = {
        "sha256": sha256_of(checkpoint),
        "size_bytes": checkpoint.stat().st_size,
        **({"card": shipped.card} if shipped else {}),
        **entry,
    }
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    atomic_write_bytes(checkpoint.parent / MANIFEST_NAME, text.encode())
