"""WORLD vocoder (pyworld): analysis of speech into F0, spectral envelope and aperiodicity,
and synthesis back. The corpus builder edits these parameters to render emotions; the TTS
and voice-conversion decoders predict them. One implementation serves both."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

with warnings.catch_warnings():  # pyworld 0.3 imports the deprecated pkg_resources
    warnings.simplefilter("ignore")
    import pyworld

from common.audio_io import check_audio, resample

from .octave import correct_octave_errors

OUTPUT_SAMPLE_RATE = 22050
FRAME_PERIOD_MS = 5.0
F0_FLOOR_HZ = 65.0          # analysis floor; CheapTrick needs fft_size >= 3 fs / floor -> 1024 at 22.05 kHz
F0_CEIL_HZ = 800.0
FFT_SIZE = 1024             # 513 envelope / aperiodicity bins
D4C_THRESHOLD = 0.85        # D4C voicing test (pyworld default)
MIN_DURATION_S = 0.05
MAX_DURATION_S = 300.0
_TINY = 1e-16
F0_MIN_HZ, F0_MAX_HZ = 40.0, 1000.0   # voiced F0 after editing is clipped into this range
PERTURBATION_CLIP = 3.0     # jitter/shimmer draws are clipped to +-3 standard deviations


@dataclass(frozen=True, eq=False)
class WorldFeatures:
    """WORLD parameters at a fixed frame period.

    f0: (frames,) Hz, 0 = unvoiced. spectral_envelope, aperiodicity: (frames, FFT_SIZE/2+1),
    power spectrum and linear aperiodicity ratio in [0, 1]. duration_s: the exact length of
    the audio the frames describe (None: ``(frames - 1) * frame_period``); synthesize()
    returns exactly ``round(duration_s * sample_rate)`` samples.
    """

    f0: np.ndarray
    spectral_envelope: np.ndarray
    aperiodicity: np.ndarray
    sample_rate: int = OUTPUT_SAMPLE_RATE
    frame_period_ms: float = FRAME_PERIOD_MS
    duration_s: float | None = None

    def __post_init__(self):
        f0, sp, ap = (np.asarray(a) for a in (self.f0, self.spectral_envelope, self.aperiodicity))
        if f0.ndim != 1 or f0.size == 0:
            raise ValueError(f"f0 must be a non-empty 1-D array; got shape {f0.shape}")
        if sp.ndim != 2 or sp.shape[0] != f0.size:
            raise ValueError(f"spectral_envelope must be (frames={f0.size}, bins); got shape {sp.shape}")
        if ap.shape != sp.shape:
            raise ValueError(f"aperiodicity shape {ap.shape} differs from spectral_envelope shape {sp.shape}")
        if int(self.sample_rate) <= 0 or not self.frame_period_ms > 0:
            raise ValueError(f"bad sample_rate {self.sample_rate} or frame_period_ms {self.frame_period_ms}")
        if self.duration_s is not None and not (
                math.isfinite(self.duration_s) and self.duration_s > 0
                and abs(self.duration_s - self.frame_duration_s) <= 2 * self.frame_period_ms / 1000):
            raise ValueError(f"duration_s {self.duration_s} does not fit {f0.size} frames of "
                             f"{self.frame_period_ms} ms")

    @property
    def n_frames(self) -> int:
        return int(len(self.f0))

    @property
    def frame_duration_s(self) -> float:
        """Time of the last frame: ``(frames - 1) * frame_period``."""
        return (self.n_frames - 1) * self.frame_period_ms / 1000.0

    @property
    def duration(self) -> float:
        return self.frame_duration_s if self.duration_s is None else float(self.duration_s)

    @property
    def times(self) -> np.ndarray:
        return np.arange(self.n_frames) * self.frame_period_ms / 1000.0

    @property
    def voiced(self) -> np.ndarray:
        return np.asarray(self.f0) > 0

    @property
    def frequencies(self) -> np.ndarray:
        """Centre frequency (Hz) of each envelope / aperiodicity bin."""
        bins = np.shape(self.spectral_envelope)[1]
        return np.arange(bins) * self.sample_rate / (2.0 * (bins - 1))

    def replace(self, **changes) -> "WorldFeatures":
        values = dict(f0=self.f0, spectral_envelope=self.spectral_envelope, aperiodicity=self.aperiodicity,
                      sample_rate=self.sample_rate, frame_period_ms=self.frame_period_ms,
                      duration_s=self.duration_s)
        values.update(changes)
        return WorldFeatures(**values)


def _check_audio(audio, sample_rate) -> tuple[np.ndarray, int]:
    return check_audio(audio, sample_rate, MIN_DURATION_S, MAX_DURATION_S)


def analyze(audio: np.ndarray, sample_rate: int, f0_method: str = "dio",
            frame_period_ms: float = FRAME_PERIOD_MS, octave_check: bool = False) -> WorldFeatures:
    """WORLD analysis at OUTPUT_SAMPLE_RATE, by default in 5 ms frames.

    Resamples to 22.05 kHz (polyphase), then F0 by DIO + StoneMask (default) or Harvest
    (``f0_method="harvest"``), envelope by CheapTrick and aperiodicity by D4C, both with
    FFT_SIZE. Voicing is then made consistent with D4C: frames D4C's voicing test
    (threshold 0.85) leaves fully aperiodic are set unvoiced (F0 0), as WORLD would render
    them as noise anyway.

    Why DIO by default: on festival/flite renderings Harvest marks most pauses and voiceless
    consonants voiced (slt: 83 % of pau/s/t/th/... frames, 62 % after the D4C step; DIO: 19 %
    / 15 %) while neither misses voicing in vowels, and DIO is ~3.5x faster per utterance.
    Harvest remains the better choice for noisy real recordings, where DIO drops voiced frames.

    ``octave_check``: halve the F0 where the waveform's period is twice the estimate
    (:mod:`synth.vocoder.octave`), before the envelope and aperiodicity are read at it. For
    voices rendered without their fundamental (Piper's VITS voices); off by default, so the
    Debian voices' analyses, which the corpus is built from, are unchanged.
    """
    x, sample_rate = _check_audio(audio, sample_rate)
    x = np.ascontiguousarray(resample(x, sample_rate, OUTPUT_SAMPLE_RATE), dtype=np.float64)
    x = np.ascontiguousarray(x, dtype=np.float64)
    fs = OUTPUT_SAMPLE_RATE
    if f0_method == "harvest":
        f0, t = pyworld.harvest(x, fs, f0_floor=F0_FLOOR_HZ, f0_ceil=F0_CEIL_HZ, frame_period=frame_period_ms)
    elif f0_method == "dio":
        f0, t = pyworld.dio(x, fs, f0_floor=F0_FLOOR_HZ, f0_ceil=F0_CEIL_HZ, frame_period=frame_period_ms)
        f0 = pyworld.stonemask(x, f0, t, fs)
    else:
        raise ValueError(f"f0_method must be 'dio' or 'harvest'; got {f0_method!r}")
    if octave_check:
        f0 = correct_octave_errors(x, fs, f0, t)
        if f0_method == "dio":
            f0 = pyworld.stonemask(x, f0, t, fs)   # refined at the true fundamental
    envelope_f0 = f0
    if octave_check:
        # CheapTrick reads a frame under its floor (3 fs / FFT_SIZE, 64.6 Hz) with a 500 Hz
        # window; a halved low voice reaches ~60 Hz, so its lowest frames are read at the floor.
        envelope_f0 = np.where(f0 > 0, np.maximum(f0, F0_FLOOR_HZ), 0.0)
    sp = pyworld.cheaptrick(x, envelope_f0, t, fs, f0_floor=F0_FLOOR_HZ, fft_size=FFT_SIZE)
    ap = pyworld.d4c(x, f0, t, fs, threshold=D4C_THRESHOLD, fft_size=FFT_SIZE)
    f0 = np.where(np.all(ap > 1.0 - 1e-9, axis=1), 0.0, f0)  # D4C left the frame unvoiced
    return WorldFeatures(f0=f0, spectral_envelope=sp, aperiodicity=ap, sample_rate=fs,
                         frame_period_ms=frame_period_ms, duration_s=x.size / fs)


def synthesize(features: WorldFeatures) -> np.ndarray:
    """WORLD synthesis -> float32 audio of exactly ``round(features.duration * fs)`` samples.

    No peak limiting here (apply_prosody does that); NaN/inf never come out.
    """
    if not isinstance(features, WorldFeatures):
        raise TypeError(f"features must be WorldFeatures; got {type(features).__name__}")
    f0 = np.ascontiguousarray(features.f0, dtype=np.float64)
    sp = np.ascontiguousarray(features.spectral_envelope, dtype=np.float64)
    ap = np.ascontiguousarray(features.aperiodicity, dtype=np.float64)
    for name, a in (("f0", f0), ("spectral_envelope", sp), ("aperiodicity", ap)):
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} contains NaN/inf")
    sp = np.maximum(sp, _TINY)
    ap = np.clip(ap, 0.0, 1.0)
    y = pyworld.synthesize(np.maximum(f0, 0.0), sp, ap, int(features.sample_rate), float(features.frame_period_ms))
    n = int(round(features.duration * features.sample_rate))
    y = y[:n] if y.size >= n else np.pad(y, (0, n - y.size))
    return np.nan_to_num(y, nan=0.0, posinf=0.0, neginf=0.0).astype(np.float32)


def apply_jitter_shimmer(features: WorldFeatures, jitter: float | np.ndarray, shimmer: float | np.ndarray,
                         rng: np.random.Generator) -> WorldFeatures:
    """Per-glottal-cycle random F0 (relative std ``jitter``) and amplitude (``shimmer``) changes.

    ``jitter`` and ``shimmer`` are one amount or one per frame (an emotion that changes over
    the utterance). Voiced frames are grouped into glottal cycles by accumulating
    ``f0 * frame_period``; at frames longer than a cycle this is per frame. Always draws the
    same numbers for the same F0 track, whatever the amounts, so a seed fixes the output.
    """
    f0 = np.asarray(features.f0, dtype=np.float64)
    jitter, shimmer = (np.broadcast_to(np.asarray(a, dtype=np.float64), f0.shape) for a in (jitter, shimmer))
    voiced = f0 > 0
    cycles_per_frame = np.where(voiced, f0, 0.0) * features.frame_period_ms / 1000.0
    cycle = np.floor(np.cumsum(cycles_per_frame) - 0.5 * cycles_per_frame).astype(int)
    n_cycles = int(cycle.max()) + 1 if voiced.any() else 0
    z_jitter = np.clip(rng.standard_normal(n_cycles), -PERTURBATION_CLIP, PERTURBATION_CLIP)
    z_shimmer = np.clip(rng.standard_normal(n_cycles), -PERTURBATION_CLIP, PERTURBATION_CLIP)
    if n_cycles == 0 or (np.all(jitter <= 0) and np.all(shimmer <= 0)):
        return features
    f0_out = f0.copy()
    f0_out[voiced] = np.clip(f0[voiced] * (1.0 + jitter[voiced] * z_jitter[cycle[voiced]]), F0_MIN_HZ, F0_MAX_HZ)
    amplitude = np.ones_like(f0)
    amplitude[voiced] = np.maximum(1.0 + shimmer[voiced] * z_shimmer[cycle[voiced]], 0.05)
    sp = np.asarray(features.spectral_envelope) * (amplitude ** 2)[:, None]
    return features.replace(f0=f0_out, spectral_envelope=sp)
