"""The dub's manifest.jsonl: one line per cue (what was asked, what was made), appended as
each cue is rendered, so an interrupted run keeps its cues; a rerun keeps every cue whose
request matches a line and whose rendering is still on disk, and renders only the rest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from common.atomic import atomic_write_bytes

MANIFEST_NAME = "manifest.jsonl"


def request_key(request: dict) -> str:
    return json.dumps(request, sort_keys=True)


def read_rendered(manifest: Path) -> dict[str, dict]:
    """A previous run's cue lines by their request; a line torn by an interruption is skipped."""
    if not manifest.is_file():
        return {}
    done = {}
    for text in manifest.read_text(encoding="utf-8").splitlines():
        try:
            line = json.loads(text)
        except json.JSONDecodeError:
            continue
        if isinstance(line, dict) and isinstance(line.get("request"), dict):
            done[request_key(line["request"])] = line
    return done


def append_line(manifest: Path, line: dict) -> None:
    with open(manifest, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")
        handle.flush()


def write_manifest(manifest: Path, lines: Iterable[dict]) -> Path:
    atomic_write_bytes(manifest, "".join(json.dumps(line) + "\n" for line in lines).encode())
    return manifest


def read_manifest(manifest: Path) -> list[dict]:
    return [json.loads(text) for text in Path(manifest).read_text(encoding="utf-8").splitlines() if text.strip()]
