"""The voice store: voices people add from a few clips of a speaker, with that speaker's
consent, kept one JSON file per voice in a folder (``EMOSTUDIO_VOICES``; by default
``$XDG_DATA_HOME/emostudio/voices``, i.e. ``~/.local/share/emostudio/voices``).

A stored voice is spoken at once (zero-shot): the built-in voice nearest to the clips by the
speaker embedding (conditioning/speaker.py) says the words, and its timbre is moved toward the
clips' speaker by WORLD (synth/render/timbre.py), before the emotion is rendered on top. Each
file holds the speaker embedding, the clips' sha256 hashes and measured statistics, the consent
statement, the date, what the voice was built from and the timbre, and the clips' WORLD frames
(the coded envelope and voicing, float16: what the frame-wise timbre of
synth/render/knn_timbre.py looks up); never the clips themselves unless asked (``keep_clips``:
copied beside the JSON). A file without frames (written before they were stored) loads and
speaks with the statistical timbre.

Listing reads JSON only (no model, no engine), so ``emostudio voice list`` answers at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import numpy as np

from common.atomic import atomic_folder, atomic_write_bytes
from conditioning.checkpoints import sha256_of

from .voices import Voice

VOICES_ENV = "EMOSTUDIO_VOICES"
FORMAT = "emostudio-voice/1"
# How a zero-shot voice's envelope is moved toward the clips' speaker: "statistics" (global
# statistics only, synth/render/timbre.py) or "knn" (frame by frame, synth/render/knn_timbre.py).
# Statistics by default: on the held-out kal16 the frame-wise mapping scored the same by the
# independent encoder (Resemblyzer 0.765 vs 0.764) and lost words (WER 0.18 vs 0.13); it is
# opt-in (docs/models/voice_timbre.md, "Zero-shot: frame-wise").
MAPPINGS = ("knn", "statistics")
DEFAULT_MAPPING = "statistics"
NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")
MIN_CONSENT_WORDS = 3
CONSENT_HELP = ("a voice can be added only with the speaker's consent: give a statement (--consent \"...\" on "
                "the command line, the consent box in the studio) saying who the speaker is and that they agreed "
                "to their voice being used (e.g. \"I, Ana Lima, recorded these clips and agree to this studio "
                "speaking with my voice\")")


class VoiceStoreError(ValueError):
    """A voice that cannot be added, found or removed, with the reason."""


def voices_dir() -> Path:
    """Where stored voices live: $EMOSTUDIO_VOICES, else $XDG_DATA_HOME/emostudio/voices."""
    if os.environ.get(VOICES_ENV):
        return Path(os.environ[VOICES_ENV]).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home).expanduser() / "emostudio" / "voices"


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise VoiceStoreError(f"voice name {name!r} must start with a letter and hold only letters, digits, "
                              "'_' or '-' (at most 40)")
    from .voices import BUILT_IN

    if name in {voice.name for voice in BUILT_IN}:
        raise VoiceStoreError(f"{name!r} is a built-in voice; choose another name")
    return name


def check_consent(statement) -> str:
    """The consent statement, stripped; refused in plain words when missing or empty."""
    text = " ".join(str(statement or "").split())
    if len(text.split()) < MIN_CONSENT_WORDS:
        raise VoiceStoreError(CONSENT_HELP)
    return text


@dataclass(frozen=True)
class StoredVoice:
    """One stored voice, as its JSON file says."""
    name: str
    created: str
    consent: dict                # {"statement", "recorded_at"}
    clips: tuple[dict, ...]      # per clip: file, sha256, duration_s, sample_rate, speech_s, f0_median_hz
    embedding: tuple[float, ...]
    stats: dict                  # the clips' measured statistics (synth.render.timbre.SpeakerStats)
    timbre: dict                 # synth.render.timbre.Timbre
    built_from: dict             # method, base voice, the fit's cosines, software
    path: Path | None = None
    frames: dict | None = None   # the clips' WORLD frames (synth.render.knn_timbre.ClipFrames); older files: none

    def to_dict(self) -> dict:
        return {"format": FORMAT, "name": self.name, "created": self.created, "consent": self.consent,
                "clips": list(self.clips), "built_from": self.built_from, "stats": self.stats,
                "timbre": self.timbre, "embedding": list(self.embedding),
                **({"frames": self.frames} if self.frames is not None else {})}

    @classmethod
    def from_dict(cls, data: dict, path: Path | None = None) -> "StoredVoice":
        if data.get("format") != FORMAT:
            raise VoiceStoreError(f"{path}: not an emostudio voice file (format {data.get('format')!r})")
        return cls(data["name"], data["created"], data["consent"], tuple(data["clips"]),
                   tuple(float(v) for v in data["embedding"]), data["stats"], data["timbre"], data["built_from"], path,
                   data.get("frames"))

    @property
    def base_voice(self) -> str:
        return self.timbre["base_voice"]

    def consent_record(self) -> dict:
        """What a generated file's provenance carries: whose voice, their statement, the clips."""
        return {"voice": self.name, "statement": self.consent["statement"],
                "recorded_at": self.consent["recorded_at"], "clips_sha256": [c["sha256"] for c in self.clips]}

    @property
    def model_path(self) -> Path | None:
        """A fine-tuned voice's timbre network, beside the JSON; None for a zero-shot voice."""
        model = self.timbre.get("model")
        return (self.path.parent / model) if model and self.path is not None else None

    def timbre_step(self):
        """What moves the base voice's analysis toward the speaker: the statistical Timbre, the
        frame-wise KnnTimbre (a zero-shot voice whose timbre names the "knn" mapping and whose
        file holds the clips' frames), or a fine-tuned voice's LearnedTimbre (each applied where
        the engine's rendering passes)."""
        from .render.timbre import Timbre

        if self.model_path is None:
            statistical = Timbre.from_dict(self.timbre)
            mapping = self.timbre.get("mapping") or {}
            if mapping.get("method") != "knn" or self.frames is None:
                return statistical
            from .render.knn_timbre import ClipFrames, knn_timbre

            return knn_timbre(statistical, ClipFrames.from_dict(self.frames), mapping)
        from .render.timbre_net import load_learned_timbre

        return load_learned_timbre(self.model_path)

    def as_voice(self) -> Voice:
        f0 = self.stats.get("f0_median_hz")
        how = (f"fine-tuned on {len(self.clips)} recordings" if self.model_path is not None
               else f"zero-shot from {len(self.clips)} clips")
        return Voice(self.name, "unknown", "unknown", "unknown", f"{self.base_voice} + WORLD timbre",
                     how + (f", F0 {f0:.0f} Hz" if f0 else ""),
                     f"stored voice ({self.created[:10]}), base {self.base_voice}", origin="user")


def _path_for(name: str, directory: Path | None) -> Path:
    return (directory or voices_dir()) / f"{name}.json"


def load_voice(name: str, directory: Path | None = None) -> StoredVoice | None:
    """The stored voice called ``name``, or None when there is none."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        return None
    path = _path_for(name, directory)
    if not path.is_file():
        return None
    try:
        return StoredVoice.from_dict(json.loads(path.read_text(encoding="utf-8")), path)
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise VoiceStoreError(f"{path}: unreadable voice file ({error})") from None


def stored_voices(directory: Path | None = None) -> tuple[StoredVoice, ...]:
    """Every readable stored voice, by name; unreadable files are skipped (listing must not fail)."""
    folder = directory or voices_dir()
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        try:
            voice = load_voice(path.stem, folder)
        except VoiceStoreError:
            continue
        if voice is not None:
            found.append(voice)
    return tuple(found)


def remove_voice(name: str, directory: Path | None = None) -> Path:
    path = _path_for(name, directory)
    stored = load_voice(name, directory)
    if stored is None:
        raise VoiceStoreError(f"no stored voice {name!r} in {path.parent}")
    if stored.model_path is not None:
        stored.model_path.unlink(missing_ok=True)
    clips = path.with_suffix(".clips")
    if clips.is_dir():
        shutil.rmtree(clips)
    path.unlink()
    return path


ClipInput = str | Path | tuple[np.ndarray, int]


def _sha256(clip: ClipInput, audio: np.ndarray) -> str:
    if isinstance(clip, tuple):
        return hashlib.sha256(np.asarray(audio, dtype="<f4").tobytes()).hexdigest()
    return sha256_of(Path(clip))


def add_voice(name: str, clips: Sequence[ClipInput], consent: str, bases: Sequence[str] | None = None,
              keep_clips: bool = False, force: bool = False, directory: Path | None = None,
              progress=None, mapping: str = DEFAULT_MAPPING) -> StoredVoice:
    """Measure ``clips`` (checked one by one: see synth/voice_clips.py), pick the base voice, fit
    the timbre and store the voice as ``<directory>/<name>.json``, atomically. ``bases`` limits the
    built-in voices tried as its base (default: every installed one); ``mapping`` (MAPPINGS) how
    the envelope is moved: both are stored, the clips' frames always."""
    from .voice_clips import build_voice

    if mapping not in MAPPINGS:
        raise VoiceStoreError(f"mapping must be one of {', '.join(MAPPINGS)}; got {mapping!r}")
    name, statement, path = _new_voice(name, consent, force, directory)
    if not clips:
        raise VoiceStoreError("give at least one clip of the speaker (a few seconds of speech each)")
    built = build_voice(clips, bases, progress, mapping)
    records = tuple({**record, "sha256": _sha256(clip, audio)} for clip, audio, record in built.clips)
    if keep_clips:
        _keep_clips(path.with_suffix(".clips"), [clip for clip, _, _ in built.clips])
    timbre = built.timbre
    if mapping == "knn":
        from .render.knn_timbre import KnnTimbre

        timbre = {**timbre, "mapping": KnnTimbre.default_settings()}
    return _write_voice(path, statement, records, built.embedding, built.stats, timbre,
                        {**built.built_from, "mapping": mapping}, built.frames)


def _new_voice(name: str, consent: str, force: bool, directory: Path | None) -> tuple[str, str, Path]:
    """The checked name and consent statement, and the JSON path, which must be free unless ``force``."""
    name = check_name(name)
    statement = check_consent(consent)
    path = _path_for(name, directory)
    if path.exists() and not force:
        raise VoiceStoreError(f"a voice {name!r} is stored already ({path}); remove it first or pass --force")
    return name, statement, path


def _write_voice(path: Path, statement: str, records: Sequence[dict], embedding, stats: dict, timbre: dict,
                 built_from: dict, frames: dict | None = None) -> StoredVoice:
    """The voice, consented and dated now, written atomically as ``path``."""
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    voice = StoredVoice(path.stem, now, {"statement": statement, "recorded_at": now}, tuple(records),
                        tuple(round(float(v), 6) for v in embedding), stats, timbre, built_from, path, frames)
    atomic_write_bytes(path, (json.dumps(voice.to_dict(), indent=1) + "\n").encode("utf-8"))
    return voice


def store_trained_voice(name: str, consent: str, recordings: Sequence[dict], embedding: np.ndarray, stats: dict,
                        timbre: dict, built_from: dict, model_bytes: bytes, force: bool = False,
                        directory: Path | None = None) -> StoredVoice:
    """A fine-tuned voice (train/train_voice.py): its timbre network as ``NAME.timbre.pt`` beside
    the JSON, each written atomically (the model first, so a JSON never names a missing file)."""
    name, statement, path = _new_voice(name, consent, force, directory)
    model = path.with_name(f"{name}.timbre.pt")
    atomic_write_bytes(model, model_bytes)
    return _write_voice(path, statement, recordings, embedding, stats, {**timbre, "model": model.name}, built_from)


def _keep_clips(folder: Path, clips: Sequence[ClipInput]) -> None:
    """Copies of the clip files beside the voice (arrays are written as WAV), replaced whole."""
    import soundfile as sf

    with atomic_folder(folder) as staging:
        for index, clip in enumerate(clips, 1):
            if isinstance(clip, tuple):
                sf.write(staging / f"clip{index}.wav", np.asarray(clip[0], dtype=np.float32), int(clip[1]))
            else:
                shutil.copyfile(clip, staging / f"{index:02d}_{Path(clip).name}")


__all__ = ["DEFAULT_MAPPING", "MAPPINGS", "VOICES_ENV", "StoredVoice", "VoiceStoreError", "add_voice", "check_consent",
           "check_name", "load_voice", "remove_voice", "store_trained_voice", "stored_voices", "voices_dir"]
