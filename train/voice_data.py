"""A person's recordings for a fine-tuned voice (train/train_voice.py), found, checked and
cleaned: LJSpeech-style (``metadata.csv``: ``id|text[|normalized]``, audio in ``wavs/``) or
audio files with a ``.txt`` transcript beside each. Every refusal names the file.

Cleaning: mono, resampled to RATE (a recording under MIN_RATE is refused: it lacks the upper
band the envelope is learnt over), clipping measured (over MAX_CLIPPED of samples at full scale
refused), edge silence trimmed to EDGE_S, loudness brought to LOUDNESS_LUFS by BS.1770.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from common.audio_io import resample
from conditioning.checkpoints import sha256_of
from synth.loudness import integrated_loudness, normalize_loudness

RATE = 22050
MIN_RATE = 16000
MAX_CLIPPED = 0.001
CLIP_LEVEL = 0.999
MIN_S, MAX_S = 0.5, 30.0
EDGE_S = 0.2
TRIM_TOP_DB = 40.0
LOUDNESS_LUFS = -23.0
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg")


class VoiceDataError(ValueError):
    """Recordings that cannot train a voice; the message names the file."""


@dataclass(frozen=True)
class Recording:
    name: str
    text: str
    audio: np.ndarray          # float32 mono at RATE, trimmed and levelled
    sha256: str
    record: dict               # what the checks measured (for the voice file)


def find_items(folder: Path) -> list[tuple[Path, str]]:
    """(audio path, transcript) of every recording in ``folder``, in a stable order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise VoiceDataError(f"{folder} is not a folder of recordings")
    metadata = folder / "metadata.csv"
    items = _ljspeech(folder, metadata) if metadata.is_file() else _beside(folder)
    if not items:
        raise VoiceDataError(f"{folder} holds no recordings: give metadata.csv with wavs/, or audio files "
                             "with a .txt transcript beside each")
    return items


def _ljspeech(folder: Path, metadata: Path) -> list[tuple[Path, str]]:
    items = []
    with open(metadata, encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.reader(handle, delimiter="|", quoting=csv.QUOTE_NONE), 1):
            if not row or not row[0].strip():
                continue
            text = (row[2] if len(row) > 2 and row[2].strip() else row[1] if len(row) > 1 else "").strip()
            if not text:
                raise VoiceDataError(f"{metadata.name} line {line} ({row[0]}): the transcript is empty")
            audio = next((folder / "wavs" / f"{row[0]}{s}" for s in AUDIO_SUFFIXES
                          if (folder / "wavs" / f"{row[0]}{s}").is_file()), None)
            if audio is None:
                raise VoiceDataError(f"{metadata.name} line {line}: no audio wavs/{row[0]}.wav for its transcript")
            items.append((audio, text))
    return items


def _beside(folder: Path) -> list[tuple[Path, str]]:
    items = []
    for audio in sorted(p for p in folder.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES):
        transcript = audio.with_suffix(".txt")
        if not transcript.is_file():
            raise VoiceDataError(f"{audio.name} has no transcript: write what it says in {transcript.name}")
        text = " ".join(transcript.read_text(encoding="utf-8").split())
        if not text:
            raise VoiceDataError(f"{transcript.name} is empty: write what {audio.name} says")
        items.append((audio, text))
    return items


def _trim(audio: np.ndarray) -> np.ndarray:
    import librosa

    _, (start, end) = librosa.effects.trim(audio, top_db=TRIM_TOP_DB, frame_length=1024, hop_length=256)
    margin = int(EDGE_S * RATE)
    return audio[max(0, start - margin):min(audio.size, end + margin)]


def _level(audio: np.ndarray, label: str) -> np.ndarray:
    if not np.isfinite(integrated_loudness(audio, RATE)):
        raise VoiceDataError(f"{label} is silent")
    return normalize_loudness(audio, RATE, LOUDNESS_LUFS)


def clean(path: Path, text: str) -> Recording:
    """One recording checked and cleaned (see the module doc)."""
    label = Path(path).name
    try:
        raw, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, sf.LibsndfileError) as error:
        raise VoiceDataError(f"{label}: unreadable audio ({error})") from None
    if rate < MIN_RATE:
        raise VoiceDataError(f"{label}: recorded at {rate} Hz; record at {MIN_RATE} Hz or more")
    if raw.size == 0 or not np.all(np.isfinite(raw)):
        raise VoiceDataError(f"{label}: empty or holds NaN/inf samples")
    clipped = float(np.mean(np.abs(raw) >= CLIP_LEVEL))
    if clipped > MAX_CLIPPED:
        raise VoiceDataError(f"{label}: {clipped:.2%} of its samples are clipped (at most {MAX_CLIPPED:.1%}); "
                             "record it again with the input level lower")
    audio = _trim(resample(raw.mean(axis=1), int(rate), RATE).astype(np.float32))
    seconds = audio.size / RATE
    if not MIN_S <= seconds <= MAX_S:
        raise VoiceDataError(f"{label}: {seconds:.1f} s of sound after trimming; each recording must hold "
                             f"{MIN_S}-{MAX_S:g} s (split long ones at sentence ends)")
    record = {"file": label, "sha256": sha256_of(path), "sample_rate": int(rate), "duration_s": round(seconds, 3),
              "clipped_fraction": round(clipped, 6), "text": text}
    return Recording(label, text, _level(audio, label), record["sha256"], record)


def load_recordings(folder: Path) -> list[Recording]:
    return [clean(path, text) for path, text in find_items(folder)]


__all__ = ["RATE", "Recording", "VoiceDataError", "clean", "find_items", "load_recordings"]
