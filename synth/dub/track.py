"""Cues onto one track: each cue's samples from round(start * rate), short fades at its
edges, one loudness gain for the whole dialogue (so a shouted cue stays louder than a
whispered one), written by streaming so a long script never sits in memory whole; and the
dialogue mixed over a background with ducking."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import soundfile as sf

from common.atomic import PendingFile
from common.audio_io import AudioArray, AudioFile, resampled

FADE_S = 0.01                # raised-cosine fade at each cue edge: no clicks where cues join
DUCK_DB = -12.0              # background level under dialogue
DUCK_RAMP_S = 0.25           # background eases down before a cue and back up after it
TRACK_FORMATS = {".wav": ("WAV", "PCM_16"), ".flac": ("FLAC", "PCM_16")}
_BLOCK = 1 << 16


def start_sample(start_s: float, sample_rate: int) -> int:
    return int(round(start_s * sample_rate))


def fade_edges(audio: np.ndarray, sample_rate: int, fade_s: float = FADE_S) -> np.ndarray:
    audio = np.array(audio, dtype=np.float32)
    length = min(int(fade_s * sample_rate), len(audio) // 2)
    if length > 0:
        ramp = (0.5 - 0.5 * np.cos(np.pi * (np.arange(length) + 0.5) / length)).astype(np.float32)
        audio[:length] *= ramp
        audio[-length:] *= ramp[::-1]
    return audio


def dialogue_gain_db(cue_loudness: Sequence[tuple[float, float]], target_lufs: float | None) -> float:
    """One gain (dB) bringing the dialogue to `target_lufs`, from each cue's (BS.1770 loudness,
    seconds): their energy mean, as the standard's gating would see the track (the silences
    between cues fall under its absolute gate). 0 when there is no target or nothing sounds."""
    if target_lufs is None:
        return 0.0
    measured = [(lufs, seconds) for lufs, seconds in cue_loudness if np.isfinite(lufs) and seconds > 0]
    if not measured:
        return 0.0
    energy = sum(seconds * 10 ** (lufs / 10) for lufs, seconds in measured) / sum(s for _, s in measured)
    return float(target_lufs - 10 * np.log10(energy))


def audio_format(path: Path) -> tuple[str, str]:
    suffix = path.suffix.lower()
    if suffix not in TRACK_FORMATS:
        raise ValueError(f"the dialogue track must end in .wav or .flac; got {path.name!r}")
    return TRACK_FORMATS[suffix]


class TrackWriter:
    """Writes a track front to back: `place(first_sample, audio)` in time order, silence
    between; the file appears at `path` only when complete (a temp file renamed on close)."""

    def __init__(self, path: Path, sample_rate: int):
        self.path, self.sample_rate, self.position = Path(path), int(sample_rate), 0
        file_format, subtype = audio_format(self.path)
        self._pending = PendingFile(self.path, suffix=".part")
        self._file = sf.SoundFile(self._pending.temporary, "w", self.sample_rate, 1, subtype, format=file_format)

    def place(self, first_sample: int, audio: np.ndarray) -> None:
        if first_sample < self.position:
            raise ValueError(f"cue placed at sample {first_sample} overlaps the track written up to {self.position}")
        self._silence(first_sample - self.position)
        self._file.write(np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0))
        self.position = first_sample + len(audio)

    def _silence(self, samples: int) -> None:
        while samples > 0:
            step = min(samples, _BLOCK)
            self._file.write(np.zeros(step, np.float32))
            samples -= step

    def finish(self, total_samples: int | None = None) -> Path:
        self._silence((total_samples or 0) - self.position)
        self._file.close()
        return self._pending.commit()

    def abandon(self) -> None:
        self._file.close()
        self._pending.discard()

    def __enter__(self) -> "TrackWriter":
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is not None or not self._file.closed:
            self.abandon()


def duck_gain(first: int, count: int, sample_rate: int, slots: np.ndarray, duck_db: float = DUCK_DB,
              ramp_s: float = DUCK_RAMP_S) -> np.ndarray:
    """The background's gain for samples first..first+count: `duck_db` within a cue's slot
    (`slots`: (n, 2) start/end seconds, sorted), easing back over `ramp_s` either side."""
    times = (first + np.arange(count)) / sample_rate
    distance = np.full(count, np.inf)
    low, high = times[0] - ramp_s, times[-1] + ramp_s
    near = slots[(slots[:, 1] >= low) & (slots[:, 0] <= high)] if len(slots) else slots
    for start, end in near:
        distance = np.minimum(distance, np.maximum(0.0, np.maximum(start - times, times - end)))
    weight = np.clip(1.0 - distance / ramp_s, 0.0, 1.0)
    weight = 0.5 - 0.5 * np.cos(np.pi * weight)
    return (1.0 - weight * (1.0 - 10 ** (duck_db / 20))).astype(np.float32)


def mix_over(dialogue: Path, background: AudioFile | AudioArray, slots: np.ndarray, output: Path,
             duck_db: float = DUCK_DB, background_gain_db: float = 0.0) -> Path:
    """`dialogue` (a track file) over `background` (a recording at any rate, read and resampled
    a block at a time: hours of it never sit in memory), ducked under each cue; as long as the
    longer of the two; true peaks limited block by block."""
    from synth.loudness import limit_true_peak

    info = sf.info(str(dialogue))
    rate = info.samplerate
    length, read_background = resampled(background.read, background.frames, background.sample_rate, rate)
    gain = np.float32(10 ** (background_gain_db / 20))
    total = max(info.frames, length)
    with TrackWriter(output, rate) as writer, sf.SoundFile(str(dialogue)) as speech:
        for first in range(0, total, _BLOCK):
            count = min(_BLOCK, total - first)
            block = np.zeros(count, np.float32)
            spoken = speech.read(count, dtype="float32")
            block[: len(spoken)] += spoken
            if first < length:
                under = read_background(first, first + count).astype(np.float32) * gain
                block[: len(under)] += under * duck_gain(first, len(under), rate, slots, duck_db)
            writer.place(first, limit_true_peak(block, rate))
        return writer.finish(total)
