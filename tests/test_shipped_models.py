"""The table of shipped models and the one config reader every loader uses."""

import dataclasses
import importlib
import json
from pathlib import Path

import pytest

from conditioning.checkpoints import (SHIPPED_MODELS, MissingCheckpointError, config_from_dict,
                                      load_shipped, read_manifest, shipped_path)
from conditioning.encoder import EmotionEncoderConfig
from conditioning.fer.model import FERConfig
from synth.face.mouth_model import MouthModelConfig
from synth.tts.config import TTSConfig

ROOT = Path(__file__).resolve().parents[1]


def _config_class(dotted: str) -> type:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("config", [
    TTSConfig(hidden=64, decoder_dilations=(1, 2), emotion=EmotionEncoderConfig(hidden_dim=32)),
    MouthModelConfig(audio_dilations=(1, 3), motion_std=(0.1, 0.2, 0.3), emotion=EmotionEncoderConfig(embedding_dim=8)),
    FERConfig(channels=(8, 16)),
])
def test_a_config_round_trips_through_json_with_its_tuples_and_nested_configs(config):
    stored = json.loads(json.dumps(dataclasses.asdict(config)))   # lists and plain dicts, as a checkpoint holds
    restored = config_from_dict(type(config), stored)
    assert restored == config
    assert all(isinstance(getattr(restored, f.name), tuple) for f in dataclasses.fields(config)
               if isinstance(getattr(config, f.name), tuple))


def test_unknown_keys_are_an_error_naming_them():
    with pytest.raises(ValueError, match="'widths'.*'zoom'"):
        config_from_dict(FERConfig, {"zoom": 2, "widths": [1], "hidden": 64})
    with pytest.raises(ValueError, match="EmotionEncoderConfig has no field 'depth'"):
        config_from_dict(TTSConfig, {"emotion": {"depth": 3}})


def test_every_shipped_checkpoint_reads_into_its_table_config():
    for name, model in SHIPPED_MODELS.items():
        config_class = _config_class(model.config)
        assert dataclasses.is_dataclass(config_class), name
        if shipped_path(name).exists():
            config, state, _ = load_shipped(name, config_class)
            assert isinstance(config, config_class) and state, name


def test_the_loader_and_the_table_cannot_disagree_and_a_missing_file_names_its_command(tmp_path):
    with pytest.raises(TypeError, match="TTSConfig"):
        load_shipped("tts_flow", FERConfig)
    with pytest.raises(MissingCheckpointError, match="train.train_fer"):
        load_shipped("face_expression", FERConfig, tmp_path / "absent.pt")
    with pytest.raises(KeyError, match="mouth_motion"):
        load_shipped("mouth", MouthModelConfig)


def test_the_manifest_links_each_checkpoint_to_the_card_in_the_table():
    manifest = read_manifest()["checkpoints"]
    by_checkpoint = {model.checkpoint: model for model in SHIPPED_MODELS.values()}
    assert set(manifest) <= set(by_checkpoint)
    for checkpoint, entry in manifest.items():
        card = by_checkpoint[checkpoint].card
        if (ROOT / card).exists():
            assert entry.get("card") == card, checkpoint
        if "card" in entry:
            assert (ROOT / entry["card"]).is_file(), checkpoint
