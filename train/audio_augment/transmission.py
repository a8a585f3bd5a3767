"""What sending speech on does to it: a telephone line (8 kHz, 300-3400 Hz, G.711 mu-law)
and lossy codecs at low bit rates (MP3, Opus, AMR-NB) through the ffmpeg imageio-ffmpeg
bundles. Both come after the room, the microphone and the background noise, as in a call."""

from __future__ import annotations

import functools
import subprocess

import numpy as np

from .channel import band_limit, resample_roundtrip
from .checks import check_audio, check_rate

TELEPHONE_RATE = 8000
TELEPHONE_BAND_HZ = (300.0, 3400.0)
MU = 255.0
# Codec -> (ffmpeg encoder, container, bit rates in kbit/s it is drawn from, sample rate it
# encodes at or None for the input's). AMR-NB is the narrow-band mobile-phone codec.
CODECS = {
    "mp3": ("libmp3lame", "mp3", (16, 24, 32), None),
    "opus": ("libopus", "ogg", (6, 8, 12, 16, 24), None),
    "amr_nb": ("libopencore_amrnb", "amr", (4.75, 5.9, 7.4, 10.2, 12.2), 8000),
}


def telephone(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """An analogue-to-G.711 telephone path: band-passed 300-3400 Hz, sampled at 8 kHz and
    companded to 8-bit mu-law, then back at the input's rate. Same length as the input."""
    x = check_audio(audio)
    rate = check_rate(sample_rate)
    x = band_limit(x, rate, *TELEPHONE_BAND_HZ) if rate > 2 * TELEPHONE_BAND_HZ[1] / 0.99 else x
    peak = float(np.max(np.abs(x)))
    if peak == 0.0:
        return x.copy()
    scaled = x / peak
    companded = np.sign(scaled) * np.log1p(MU * np.abs(scaled)) / np.log1p(MU)
    quantised = np.round(companded * 127.0) / 127.0
    expanded = np.sign(quantised) * np.expm1(np.abs(quantised) * np.log1p(MU)) / MU
    y = (expanded * peak).astype(np.float32)
    return resample_roundtrip(y, rate, TELEPHONE_RATE) if rate > TELEPHONE_RATE else y


@functools.lru_cache(maxsize=1)
def _ffmpeg() -> str:
    import imageio_ffmpeg
    return imageio_ffmpeg.get_ffmpeg_exe()


def codec_roundtrip(audio: np.ndarray, sample_rate: int, codec: str, kbps: float) -> np.ndarray:
    """Encode with ``codec`` at ``kbps`` and decode back to the input's rate; trimmed or
    zero-padded to the input's length (codecs add a little delay and padding)."""
    x = check_audio(audio)
    rate = check_rate(sample_rate)
    if codec not in CODECS:
        raise ValueError(f"codec must be one of {sorted(CODECS)}, got {codec!r}")
    encoder, container, _, codec_rate = CODECS[codec]
    raw = ["-f", "f32le", "-ac", "1", "-ar", str(rate)]
    encode = [_ffmpeg(), "-loglevel", "error", *raw, "-i", "pipe:0", "-c:a", encoder, "-b:a", f"{kbps * 1000:.0f}",
              *(["-ar", str(codec_rate)] if codec_rate else []), "-f", container, "pipe:1"]
    scale = max(1.0, float(np.max(np.abs(x))))   # codecs clip above full scale; the level is put back after
    encoded = subprocess.run(encode, input=(x / scale).astype("<f4").tobytes(), capture_output=True, check=True)
    decode = [_ffmpeg(), "-loglevel", "error", "-i", "pipe:0", *raw, "pipe:1"]
    decoded = np.frombuffer(subprocess.run(decode, input=encoded.stdout, capture_output=True, check=True).stdout,
                            dtype="<f4")
    out = np.zeros(x.size, np.float32)
    out[: min(x.size, decoded.size)] = decoded[: x.size] * scale
    return out
