"""A C2PA-style provenance record: what made a file, when, with whose consent, and which
watermark it carries; written inside WAV (RIFF LIST/INFO and iXML chunks) and MP4 (a
`comment` metadata tag) and beside any output as `<output>.provenance.json`.

The record is not a signed C2PA manifest (no certificate can be had offline); it follows
C2PA's vocabulary (claim generator, `c2pa.actions` with the IPTC digital source type
`trainedAlgorithmicMedia`) so tools and people read it the same way.
"""

from __future__ import annotations

import hashlib
import json
import struct
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from common.atomic import atomic_write_bytes
from conditioning.checkpoints import read_manifest

from .payload import Payload

SIDECAR_SUFFIX = ".provenance.json"
AI_NOTICE = "AI-generated: synthetic speech/video made by emostudio"
TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
IXML_TAG = "EMOSTUDIO_PROVENANCE"
MP4_SUFFIXES = {".mp4", ".m4a", ".mov"}


class ProvenanceError(ValueError):
    """A record that cannot be written or read, with the reason."""


def recipe_sha256(recipe: dict) -> str:
    """The hash of a recipe's canonical JSON (sorted keys, no spaces): the same settings, the same hash."""
    try:
        canonical = json.dumps(recipe, sort_keys=True, separators=(",", ":"), default=str)
    except (TypeError, ValueError) as error:
        raise ProvenanceError(f"the recipe is not JSON-serialisable ({error})") from None
    return hashlib.sha256(canonical.encode()).hexdigest()


def checkpoint_hashes(names: Sequence[str]) -> list[dict]:
    """[{name, sha256}] for the named checkpoints, from checkpoints/manifest.json."""
    shipped = read_manifest().get("checkpoints", {})
    return [{"name": name, "sha256": shipped.get(name, {}).get("sha256")} for name in names]


@dataclass(frozen=True)
class ProvenanceRecord:
    generator: str                      # speak | convert | animate | dub | ...
    created: str                        # ISO 8601, UTC
    recipe: dict                        # voice, emotion, seed, settings, text
    recipe_sha256: str
    models: list = field(default_factory=list)       # [{name, sha256}]
    consent: dict | None = None         # the consent record of a cloned voice or converted recording
    watermark: dict | None = None       # the payload the audio mark carries
    claim_generator: str = "emostudio"
    notice: str = AI_NOTICE

    def to_dict(self) -> dict:
        return {
            "claim_generator": self.claim_generator,
            "notice": self.notice,
            "assertions": {"c2pa.actions": [{"action": "c2pa.created", "when": self.created,
                                              "softwareAgent": f"{self.claim_generator} {self.generator}",
                                              "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA}]},
            "generator": self.generator,
            "created": self.created,
            "recipe": self.recipe,
            "recipe_sha256": self.recipe_sha256,
            "models": self.models,
            "consent": self.consent,
            "watermark": self.watermark,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), default=str)

    @classmethod
    def from_dict(cls, data: dict) -> "ProvenanceRecord":
        try:
            return cls(generator=data["generator"], created=data["created"], recipe=data["recipe"],
                       recipe_sha256=data["recipe_sha256"], models=list(data.get("models") or []),
                       consent=data.get("consent"), watermark=data.get("watermark"),
                       claim_generator=data.get("claim_generator", "emostudio"),
                       notice=data.get("notice", AI_NOTICE))
        except (KeyError, TypeError) as error:
            raise ProvenanceError(f"not a provenance record (missing {error})") from None

    @classmethod
    def from_json(cls, text: str) -> "ProvenanceRecord":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ProvenanceError(f"the provenance record is not valid JSON ({error})") from None
        if not isinstance(data, dict):
            raise ProvenanceError("the provenance record is not a JSON object")
        return cls.from_dict(data)


def make_record(generator: str, recipe: dict, payload: Payload | None = None, consent: dict | None = None,
                checkpoints: Sequence[str] = (), created: datetime | None = None) -> ProvenanceRecord:
    if not isinstance(recipe, dict):
        raise ProvenanceError(f"recipe must be a dict; got {type(recipe).__name__}")
    if consent is not None and not isinstance(consent, dict):
        raise ProvenanceError(f"consent must be a dict (the consent record); got {type(consent).__name__}")
    when = (created or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")
    return ProvenanceRecord(generator, when, recipe, recipe_sha256(recipe), checkpoint_hashes(checkpoints),
                            consent, None if payload is None else payload.to_dict())


# --- sidecar --------------------------------------------------------------------------


def sidecar_path(path: Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + SIDECAR_SUFFIX)


def write_sidecar(path: Path, record: ProvenanceRecord) -> Path:
    target = sidecar_path(path)
    atomic_write_bytes(target, (json.dumps(record.to_dict(), indent=2, sort_keys=True, default=str) + "\n").encode())
    return target


def read_sidecar(path: Path) -> ProvenanceRecord | None:
    target = sidecar_path(path)
    return ProvenanceRecord.from_json(target.read_text(encoding="utf-8")) if target.is_file() else None


# --- WAV: RIFF LIST/INFO and iXML chunks -----------------------------------------------


def _riff_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ProvenanceError("not a RIFF/WAVE file")
    chunks, at = [], 12
    while at + 8 <= len(data):
        kind, size = data[at:at + 4], struct.unpack("<I", data[at + 4:at + 8])[0]
        body = data[at + 8:at + 8 + size]
        if len(body) < size:
            raise ProvenanceError(f"the WAV file is truncated inside its {kind!r} chunk")
        chunks.append((kind, body))
        at += 8 + size + (size & 1)     # chunks are padded to even sizes
    return chunks


def _chunk(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("<I", len(body)) + body + (b"\0" if len(body) & 1 else b"")


def _info_chunk(record: ProvenanceRecord) -> bytes:
    fields = {b"ISFT": record.claim_generator.encode(), b"ICMT": record.to_json().encode(),
              b"ICRD": record.created[:10].encode(), b"IGNR": record.notice.encode()}
    return b"INFO" + b"".join(_chunk(key, value + b"\0") for key, value in fields.items())


def _ixml_chunk(record: ProvenanceRecord) -> bytes:
    from xml.sax.saxutils import escape

    return (f'<?xml version="1.0" encoding="UTF-8"?><BWFXML><IXML_VERSION>2.10</IXML_VERSION>'
            f"<NOTE>{escape(record.notice)}</NOTE><{IXML_TAG}>{escape(record.to_json())}</{IXML_TAG}>"
            "</BWFXML>").encode()


def write_wav_record(path: Path, record: ProvenanceRecord) -> None:
    """Rewrites the WAV with the record in a LIST/INFO and an iXML chunk (replacing any before)."""
    path = Path(path)
    chunks = [(kind, body) for kind, body in _riff_chunks(path.read_bytes())
              if kind != b"iXML" and not (kind == b"LIST" and body[:4] == b"INFO")]
    chunks += [(b"LIST", _info_chunk(record)), (b"iXML", _ixml_chunk(record))]
    body = b"WAVE" + b"".join(_chunk(kind, data) for kind, data in chunks)
    if len(body) >= 2 ** 32:
        raise ProvenanceError(f"{path} is too large for a RIFF WAV file with a record")
    atomic_write_bytes(path, b"RIFF" + struct.pack("<I", len(body)) + body)


def read_wav_record(path: Path) -> ProvenanceRecord | None:
    import defusedxml.ElementTree as ElementTree

    for kind, body in _riff_chunks(Path(path).read_bytes()):
        if kind == b"iXML":
            try:
                element = ElementTree.fromstring(body.rstrip(b"\0")).find(IXML_TAG)
            except ElementTree.ParseError:
                continue
            if element is not None and element.text:
                return ProvenanceRecord.from_json(element.text)
    return None


# --- MP4: a metadata tag, streams copied ------------------------------------------------


def _ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def write_mp4_record(path: Path, record: ProvenanceRecord) -> None:
    """Rewrites the MP4 (streams copied, not re-encoded) with the record as its `comment` tag."""
    path = Path(path)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.name}.") as folder:
        temporary = Path(folder) / f"out{path.suffix}"
        command = [_ffmpeg(), "-y", "-loglevel", "error", "-i", str(path), "-map", "0", "-c", "copy",
                   "-metadata", f"comment={record.to_json()}", "-metadata", f"description={record.notice}",
                   "-movflags", "use_metadata_tags", str(temporary)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise ProvenanceError(f"could not write the record into {path}: {done.stderr.strip()[-300:]}")
        temporary.replace(path)


def read_mp4_record(path: Path) -> ProvenanceRecord | None:
    done = subprocess.run([_ffmpeg(), "-loglevel", "error", "-i", str(path), "-f", "ffmetadata", "-"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise ProvenanceError(f"could not read the metadata of {path}: {done.stderr.strip()[-300:]}")
    for line in done.stdout.splitlines():
        if line.startswith("comment="):
            value = _unescape_ffmetadata(line[len("comment="):])
            try:
                return ProvenanceRecord.from_json(value)
            except ProvenanceError:
                return None
    return None


def _unescape_ffmetadata(value: str) -> str:
    # ffmetadata escapes '=', ';', '#', '\' and newlines with a backslash.
    out, escaped = [], False
    for char in value:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            out.append(char)
    return "".join(out)


# --- one entry point each way -----------------------------------------------------------


def write_record(path: Path, record: ProvenanceRecord) -> list[Path]:
    """Puts the record inside a written WAV or MP4 and beside any output as a sidecar; returns
    the files written."""
    path = Path(path)
    if not path.is_file():
        raise ProvenanceError(f"no output file at {path}")
    suffix = path.suffix.lower()
    if suffix == ".wav":
        write_wav_record(path, record)
    elif suffix in MP4_SUFFIXES:
        write_mp4_record(path, record)
    return [path, write_sidecar(path, record)]


@dataclass(frozen=True)
class FoundRecord:
    record: ProvenanceRecord
    source: str          # "wav" | "mp4" | "sidecar"


def read_record(path: Path) -> FoundRecord | None:
    """The record inside the file, else its sidecar's, else None."""
    path = Path(path)
    suffix = path.suffix.lower()
    embedded = None
    if suffix == ".wav":
        embedded = read_wav_record(path)
    elif suffix in MP4_SUFFIXES:
        embedded = read_mp4_record(path)
    if embedded is not None:
        return FoundRecord(embedded, suffix.lstrip(".") if suffix == ".wav" else "mp4")
    sidecar = read_sidecar(path)
    return None if sidecar is None else FoundRecord(sidecar, "sidecar")

