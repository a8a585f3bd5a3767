"""Audio in: read and validate a recording once, the same way for every entry point.

Every model that takes speech (the recognizer, the WORLD transform, voice conversion)
calls :func:`check_audio`, so bad audio is refused with the same clear message wherever it
comes in: not numeric, not mono, empty, NaN/inf, silent, too short or too long, or at a
sample rate outside 4-192 kHz.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

MIN_SAMPLE_RATE = 4000
MAX_SAMPLE_RATE = 192000
SILENCE_PEAK = 1e-6


class AudioInputError(ValueError):
    """Audio that cannot be used, with the reason."""


def check_audio(audio, sample_rate, min_duration_s: float = 0.05,
                max_duration_s: float = 300.0) -> tuple[np.ndarray, int]:
    """Validated float64 mono audio in [-1, 1] (integer PCM is scaled) and its rate."""
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)):
        raise AudioInputError(f"sample_rate must be an integer number of Hz; got {sample_rate!r}")
    sample_rate = int(sample_rate)
    if not MIN_SAMPLE_RATE <= sample_rate <= MAX_SAMPLE_RATE:
        raise AudioInputError(f"sample_rate {sample_rate} Hz is outside the supported "
                              f"{MIN_SAMPLE_RATE}..{MAX_SAMPLE_RATE} Hz")
    x = np.asarray(audio)
    if x.dtype == object or not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
        raise AudioInputError(f"audio must be a numeric array; got dtype {x.dtype}")
    if x.ndim != 1:
        raise AudioInputError(f"audio must be mono (1-D); got shape {x.shape} (downmix stereo first, "
                              "e.g. ffmpeg -i in.wav -ac 1 out.wav)")
    if x.size == 0:
        raise AudioInputError("audio is empty")
    if np.issubdtype(x.dtype, np.integer):  # PCM integers -> [-1, 1)
        x = x.astype(np.float64) / float(2 ** (8 * x.dtype.itemsize - 1))
    return _checked_samples(x.astype(np.float64), sample_rate, min_duration_s, max_duration_s)


def _checked_samples(x: np.ndarray, sample_rate: int, min_duration_s: float,
                     max_duration_s: float) -> tuple[np.ndarray, int]:
    """Checks float64 mono samples in place of copying them (load_audio's own arrays)."""
    finite = bool(np.all(np.isfinite(x)))
    nonfinite = 0 if finite else int(np.sum(~np.isfinite(x)))
    peak = max(float(x.max()), -float(x.min())) if finite else 0.0  # no |x| copy of an hour of audio
    _check_summary(nonfinite, x.size, peak, sample_rate, min_duration_s, max_duration_s)
    return x, sample_rate


def _check_summary(nonfinite: int, frames: int, peak: float, sample_rate: int, min_duration_s: float,
                   max_duration_s: float) -> None:
    """The checks of samples, from what they add up to (so a file read in blocks is judged alike)."""
    if nonfinite:
        raise AudioInputError(f"audio contains {nonfinite} NaN/inf samples")
    duration = frames / sample_rate
    if duration < min_duration_s:
        raise AudioInputError(f"audio is {duration * 1000:.1f} ms long; at least {min_duration_s * 1000:.0f} ms needed")
    if duration > max_duration_s:
        raise AudioInputError(f"audio is {duration:.1f} s long; at most {max_duration_s:.0f} s is accepted")
    if peak < SILENCE_PEAK:
        raise AudioInputError(f"audio is silent (peak {peak:.2e})")


def load_audio(path, min_duration_s: float = 0.05, max_duration_s: float = 300.0) -> tuple[np.ndarray, int]:
    """Read a WAV/FLAC/OGG file -> validated mono float64 audio and its rate; several channels
    are averaged (every entry point takes stereo). The header is checked before any sample is
    read, so an overlong or odd file is refused without loading it, and channels are mixed
    down block by block, so memory stays that of the mono result."""
    path = Path(path)
    info = _checked_info(path)
    try:
        _check_header(info, min_duration_s, max_duration_s)
        audio = _read_mono(path, info)
        return _checked_samples(audio, int(info.samplerate), min_duration_s, max_duration_s)
    except AudioInputError as error:
        raise AudioInputError(f"{path}: {error}") from None


@dataclass(frozen=True)
class AudioFile:
    """A recording checked as load_audio checks it, whose samples stay on disk: `read` any part."""

    path: Path
    sample_rate: int
    frames: int

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate

    def read(self, start: int, stop: int) -> np.ndarray:
        """Mono float64 samples [start, stop), channels averaged as load_audio averages them."""
        start, stop = max(0, start), min(self.frames, stop)
        if stop <= start:
            return np.zeros(0)
        with sf.SoundFile(str(self.path)) as handle:
            handle.seek(start)
            block = handle.read(stop - start, dtype="float64", always_2d=True)
        return _mono(block)


@dataclass(frozen=True, eq=False)
class AudioArray:
    """Checked mono samples already in memory, read as an AudioFile is: the streaming readers
    then serve a long array without a second copy of it at another rate."""

    samples: np.ndarray
    sample_rate: int

    @property
    def frames(self) -> int:
        return len(self.samples)

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate

    def read(self, start: int, stop: int) -> np.ndarray:
        return np.asarray(self.samples[max(0, start):max(0, stop)], dtype=np.float64)


def open_audio(path, min_duration_s: float = 0.05, max_duration_s: float = 300.0) -> AudioFile:
    """load_audio's checks and messages, reading the samples block by block and keeping none:
    memory stays that of a block whatever the file's length."""
    path = Path(path)
    info = _checked_info(path)
    try:
        _check_header(info, min_duration_s, max_duration_s)
        frames, nonfinite, peak = _scan(path)
        _check_summary(nonfinite, frames, peak, int(info.samplerate), min_duration_s, max_duration_s)
    except AudioInputError as error:
        raise AudioInputError(f"{path}: {error}") from None
    return AudioFile(path, int(info.samplerate), frames)


def stated_duration_s(path) -> float:
    """The length a file's header states, read without its samples (refused as load_audio
    refuses a missing, empty or unreadable file): to choose between loading it and streaming it."""
    info = _checked_info(Path(path))
    return info.frames / info.samplerate


def _checked_info(path: Path):
    if not path.is_file():
        raise AudioInputError(f"no audio file at {path}")
    size = path.stat().st_size
    if size == 0:
        raise AudioInputError(f"{path} is empty (0 bytes)")
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError, TypeError) as error:
        raise AudioInputError(f"{path} is not a readable audio file ({_reason(error)})") from None
    _check_riff_size(path, size)
    return info


def _scan(path: Path) -> tuple[int, int, float]:
    """(samples, NaN/inf samples, peak) of the mono mix, a block at a time."""
    frames, nonfinite, peak = 0, 0, 0.0
    for samples in _mono_blocks(path, lambda: frames):
        finite = np.isfinite(samples)
        nonfinite += int(samples.size - np.count_nonzero(finite))
        if samples.size:
            peak = max(peak, float(np.max(np.abs(samples[finite]), initial=0.0)))
        frames += samples.size
    return frames, nonfinite, peak


def _reason(error: Exception) -> str:
    # libsndfile says "Error opening '<path>': <reason>"; the path is already in our message.
    return str(error).split(": ", 1)[-1] if str(error).startswith("Error opening") else str(error)


def _check_riff_size(path: Path, size: int) -> None:
    """libsndfile reads a cut-off WAV's first part without a word; its RIFF header says how
    long the file was meant to be. (0 and 0xFFFFFFFF mean 'unknown', as streaming writers leave.)"""
    with open(path, "rb") as handle:
        head = handle.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return
    declared = int.from_bytes(head[4:8], "little") + 8
    if 8 < declared < 0xFFFFFFFF + 8 and declared > size:
        raise AudioInputError(f"{path} is truncated: its header gives {declared} bytes but the file has {size} "
                              "(an interrupted copy or download?)")


def _check_header(info, min_duration_s: float, max_duration_s: float) -> None:
    if not MIN_SAMPLE_RATE <= info.samplerate <= MAX_SAMPLE_RATE:
        raise AudioInputError(f"sample_rate {info.samplerate} Hz is outside the supported "
                              f"{MIN_SAMPLE_RATE}..{MAX_SAMPLE_RATE} Hz")
    if info.frames <= 0:
        raise AudioInputError("audio is empty (the file holds no samples)")
    duration = info.frames / info.samplerate
    if duration > max_duration_s:
        raise AudioInputError(f"audio is {duration:.1f} s long; at most {max_duration_s:.0f} s is accepted")


READ_BLOCK_FRAMES = 1 << 16


def _read_mono(path: Path, info) -> np.ndarray:
    mono = np.empty(info.frames, dtype=np.float64)
    filled = 0
    for samples in _mono_blocks(path, lambda: filled):
        if filled + len(samples) > len(mono):  # a header that undercounts: grow, rarely
            mono = np.concatenate([mono[:filled], np.empty(len(samples) + filled, dtype=np.float64)])
        mono[filled:filled + len(samples)] = samples
        filled += len(samples)
    return mono[:filled]


def _mono(block: np.ndarray) -> np.ndarray:
    """(frames, channels) -> frames: the channels' mean, the one downmix every reader uses."""
    return block.mean(axis=1) if block.shape[1] > 1 else block[:, 0]


def _mono_blocks(path: Path, done):
    """The file's mono mix a block at a time; `done()` says how many samples the caller has had
    (for the message when the file breaks off)."""
    try:
        for block in sf.blocks(str(path), blocksize=READ_BLOCK_FRAMES, dtype="float64", always_2d=True):
            yield _mono(block)
    except (sf.LibsndfileError, RuntimeError) as error:
        raise AudioInputError(f"the file is damaged or cut off after {done()} samples ({_reason(error)})") from None


def resample(audio: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Polyphase resampling (anti-aliased); returns the input unchanged at equal rates."""
    if from_rate == to_rate:
        return audio
    g = math.gcd(int(from_rate), int(to_rate))
    from scipy.signal import resample_poly  # scipy.signal takes ~1 s to import

    return resample_poly(audio, int(to_rate) // g, int(from_rate) // g)


# A reader of samples [start, stop): AudioFile.read, AudioArray.read, or a stage built on one.
Reader = Callable[[int, int], np.ndarray]


def resampled(read: Reader, length: int, from_rate: int, to_rate: int) -> tuple[int, Reader]:
    """(length, reader) of `resample` of the samples `read` gives: each piece
    is resampled with the input the polyphase filter reaches either side of it."""
    if from_rate == to_rate:
        return length, read
    from scipy.signal import resample_poly

    g = math.gcd(int(from_rate), int(to_rate))
    up, down = int(to_rate) // g, int(from_rate) // g
    out_length = -(-length * up // down)
    reach = -(-10 * max(up, down) // up) + 2   # scipy's filter is 10 * max(up, down) taps either side, upsampled

    def read_out(start: int, stop: int) -> np.ndarray:
        start, stop = max(0, start), min(out_length, stop)
        # A piece starting at a multiple of `down` keeps the whole's output grid.
        first = max(0, start * down // up - reach) // down * down
        last = min(length, stop * down // up + reach + 1)
        offset = first * up // down
        return resample_poly(read(first, last), up, down)[start - offset:stop - offset]

    return out_length, read_out
