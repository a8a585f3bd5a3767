"""Writing generated audio: one way for every generator. The file is written atomically, as
16-bit WAV or FLAC by its suffix, and its provenance record goes inside (WAV) and beside it
(`<file>.provenance.json`)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from common.atomic import atomic_write_bytes

AUDIO_FORMATS = {".wav": ("WAV", "PCM_16"), ".flac": ("FLAC", "PCM_16")}


def check_audio_path(path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() not in AUDIO_FORMATS:
        raise ValueError(f"audio output must end in {' or '.join(AUDIO_FORMATS)}; got {path.name!r}")
    return path


def write_audio(path: str | Path, audio: np.ndarray, sample_rate: int, record=None) -> Path:
    """`audio` at `path`; `record` (a synth.provenance.ProvenanceRecord) inside and beside it."""
    import soundfile as sf

    path = check_audio_path(path)
    audio_format, subtype = AUDIO_FORMATS[path.suffix.lower()]
    buffer = io.BytesIO()
    # Clipped first: libsndfile wraps float samples beyond ±1 around when it writes integers.
    sf.write(buffer, np.clip(audio, -1.0, 1.0), sample_rate, format=audio_format, subtype=subtype)
    atomic_write_bytes(path, buffer.getvalue())
    if record is not None:
        from .provenance import write_record

        write_record(path, record)
    return path
