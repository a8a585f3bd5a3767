"""Shipped checkpoints match their manifest; the CLI resolves emotions and reports errors."""

import json

import pytest

from conditioning.checkpoints import (add_to_manifest_entry, checkpoints_dir, read_manifest, record_in_manifest,
                                     sha256_of)
from synth.cli import main


def test_every_checkpoint_is_in_the_manifest_with_matching_sha256():
    manifest = read_manifest()["checkpoints"]
    files = {p.name for p in checkpoints_dir().glob("*.pt")}
    assert files and files == set(manifest)
    for name, entry in manifest.items():
        assert sha256_of(checkpoints_dir() / name) == entry["sha256"], name
        for field in ("config", "data", "training_seconds", "metrics", "made_by"):
            assert field in entry, (name, field)
    total = sum(p.stat().st_size for p in checkpoints_dir().rglob("*") if p.is_file())
    assert total < 150 * 2**20


def test_an_evaluation_is_added_to_an_entry_and_the_sha256_follows_the_file(tmp_path):
    checkpoint = tmp_path / "model.pt"
    checkpoint.write_bytes(b"weights")
    record_in_manifest(checkpoint, {"made_by": "python -m train.x", "metrics": {"loss": 1.0}})
    checkpoint.write_bytes(b"weights, revised")
    add_to_manifest_entry(checkpoint, evaluation={"uar": 0.5})
    entry = read_manifest(tmp_path)["checkpoints"]["model.pt"]
    assert entry["made_by"] == "python -m train.x" and entry["evaluation"] == {"uar": 0.5}
    assert entry["sha256"] == sha256_of(checkpoint) and entry["size_bytes"] == len(b"weights, revised")
    with pytest.raises(KeyError, match="other.pt"):
        add_to_manifest_entry(tmp_path / "other.pt", evaluation={})


def test_cli_emotion_json(capsys):
    assert main(["emotion", "angry:0.4", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["target"]["intensity"] == 0.4
    assert summary["nearest_words"]


def test_cli_emotionml_and_text(capsys):
    assert main(["emotion", "0s calm; 2s sad", "--emotionml"]) == 0
    assert "offset-to-start" in capsys.readouterr().out
    assert main(["text", "It costs $5.", "--json"]) == 0
    assert "five dollars" in json.loads(capsys.readouterr().out)["normalized"]


def test_cli_reports_bad_input_without_a_traceback(capsys):
    assert main(["emotion", "angyr"]) == 2
    assert "did you mean 'angry'" in capsys.readouterr().err
    assert main(["text", "   "]) == 2
