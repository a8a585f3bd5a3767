"""Verify a file: decode its audio mark (WAV/FLAC/OGG through soundfile, MP3/MP4/anything
else through imageio-ffmpeg's ffmpeg) and read its provenance record (embedded or sidecar)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from common.audio_io import AudioInputError

from .record import FoundRecord, ProvenanceError, read_record
from .watermark import Detection, detect

DECODE_RATE = 16000          # the mark lives under 3.5 kHz; 16 kHz keeps it and decodes fast
MAX_SECONDS = 3600


@dataclass(frozen=True)
class Verification:
    path: str
    detection: Detection
    record: FoundRecord | None
    record_error: str | None = None

    @property
    def watermarked(self) -> bool:
        return self.detection.watermarked

    def to_dict(self) -> dict:
        payload = self.detection.payload
        return {"file": self.path, "watermarked": self.detection.watermarked,
                "score": round(self.detection.score, 2), "threshold": round(self.detection.threshold, 2),
                "payload": None if payload is None else payload.to_dict(),
                "record": None if self.record is None else self.record.record.to_dict(),
                "record_source": None if self.record is None else self.record.source,
                "record_error": self.record_error,
                "payload_matches_record": self._matches()}

    def _matches(self) -> bool | None:
        payload = self.detection.payload
        if payload is None or self.record is None or not self.record.record.watermark:
            return None
        return payload.to_dict() == self.record.record.watermark


def load_any_audio(path: Path) -> tuple[np.ndarray, int]:
    """Mono float audio of any file soundfile or ffmpeg can decode."""
    path = Path(path)
    if not path.is_file():
        raise AudioInputError(f"no file at {path}")
    if path.stat().st_size == 0:
        raise AudioInputError(f"{path} is empty")
    try:
        audio, rate = sf.read(str(path), dtype="float64", always_2d=True)
        return audio.mean(axis=1), int(rate)
    except (sf.LibsndfileError, RuntimeError, TypeError):
        pass
    import imageio_ffmpeg

    done = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(path), "-vn",
                           "-ac", "1", "-ar", str(DECODE_RATE), "-t", str(MAX_SECONDS), "-f", "f32le", "-"],
                          capture_output=True)
    if done.returncode != 0 or not done.stdout:
        reason = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no audio stream"]
        raise AudioInputError(f"{path}: no decodable audio ({reason[0]})")
    return np.frombuffer(done.stdout, dtype="<f4").astype(np.float64), DECODE_RATE


def verify(path: Path) -> Verification:
    audio, rate = load_any_audio(path)
    if audio.size < rate // 4:
        raise AudioInputError(f"{path}: {audio.size / rate:.2f} s of audio is too short to carry a mark")
    detection = detect(audio, rate)
    try:
        record, error = read_record(path), None
    except ProvenanceError as problem:
        record, error = None, str(problem)
    return Verification(str(path), detection, record, error)
