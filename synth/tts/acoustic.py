"""The acoustic features the TTS predicts, and the way back to a waveform.

Per 10 ms frame: a 60-dimensional coded WORLD spectral envelope (mel-cepstrum-like), the
coded aperiodicity (2 bands at 22.05 kHz), log F0 made continuous through unvoiced frames
plus a voicing flag, and the frame energy in dB. The decoders model envelope and
aperiodicity (`decoder_target`); F0, voicing and energy come from the variance predictors.
10 ms frames (not the corpus builder's 5 ms) halve the sequences the decoders generate; at
these rates WORLD resynthesis of the corpus's vocoded speech stays near-transparent. 60
dimensions, not 40: at 40 the coding alone turned half the corpus's sad into calm for the
speech emotion recognizer (train/evaluate_acoustic_coding.py).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

with warnings.catch_warnings():  # pyworld 0.3 imports the deprecated pkg_resources
    warnings.simplefilter("ignore")
    import pyworld

from synth.vocoder.world import FFT_SIZE, OUTPUT_SAMPLE_RATE, WorldFeatures, analyze, synthesize

ENERGY_FLOOR_DB = -100.0


@dataclass(frozen=True)
class AcousticConfig:
    sample_rate: int = OUTPUT_SAMPLE_RATE
    frame_period_ms: float = 10.0
    envelope_dims: int = 60

    def __post_init__(self):
        if not 8 <= self.envelope_dims <= 128:
            raise ValueError(f"envelope_dims must be in 8..128; got {self.envelope_dims}")

    @property
    def aperiodicity_dims(self) -> int:
        return int(pyworld.get_num_aperiodicities(self.sample_rate))

    @property
    def decoder_dims(self) -> int:
        return self.envelope_dims + self.aperiodicity_dims

    @property
    def frames_per_second(self) -> float:
        return 1000.0 / self.frame_period_ms


@dataclass(frozen=True, eq=False)
class AcousticFeatures:
    log_f0: np.ndarray          # (T,) natural log of Hz, interpolated through unvoiced frames
    voiced: np.ndarray          # (T,) bool
    envelope: np.ndarray        # (T, envelope_dims) coded spectral envelope
    aperiodicity: np.ndarray    # (T, aperiodicity bands) coded aperiodicity
    energy_db: np.ndarray       # (T,) envelope power in dB
    duration_s: float

    @property
    def frames(self) -> int:
        return len(self.log_f0)

    def decoder_target(self) -> np.ndarray:
        return np.concatenate([self.envelope, self.aperiodicity], axis=1).astype(np.float32)


def continuous_log_f0(f0: np.ndarray) -> np.ndarray:
    """log F0 with unvoiced stretches filled by linear interpolation (edges hold the nearest
    voiced value), so the F0 predictor regresses a smooth curve; all-unvoiced -> log 100 Hz."""
    voiced = f0 > 0
    if not voiced.any():
        return np.full(f0.shape, np.log(100.0))
    frames = np.arange(len(f0))
    return np.interp(frames, frames[voiced], np.log(f0[voiced]))


def from_world(features: WorldFeatures, config: AcousticConfig = AcousticConfig()) -> AcousticFeatures:
    sp = np.ascontiguousarray(features.spectral_envelope, dtype=np.float64)
    ap = np.ascontiguousarray(features.aperiodicity, dtype=np.float64)
    f0 = np.asarray(features.f0, dtype=np.float64)
    energy = 10.0 * np.log10(np.maximum(sp.mean(axis=1), 10 ** (ENERGY_FLOOR_DB / 10)))
    return AcousticFeatures(
        log_f0=continuous_log_f0(f0).astype(np.float32), voiced=f0 > 0,
        envelope=pyworld.code_spectral_envelope(sp, config.sample_rate, config.envelope_dims).astype(np.float32),
        aperiodicity=pyworld.code_aperiodicity(ap, config.sample_rate).astype(np.float32),
        energy_db=energy.astype(np.float32), duration_s=features.duration)


def analyze_audio(audio: np.ndarray, sample_rate: int, config: AcousticConfig = AcousticConfig()) -> AcousticFeatures:
    """Speech at any rate -> acoustic features (WORLD by DIO, CheapTrick, D4C, then coded)."""
    return from_world(analyze(audio, sample_rate, frame_period_ms=config.frame_period_ms), config)


def to_world(features: AcousticFeatures, config: AcousticConfig = AcousticConfig()) -> WorldFeatures:
    envelope = np.ascontiguousarray(features.envelope, dtype=np.float64)
    aperiodicity = np.ascontiguousarray(features.aperiodicity, dtype=np.float64)
    f0 = np.where(features.voiced, np.exp(features.log_f0.astype(np.float64)), 0.0)
    return WorldFeatures(
        f0=f0, spectral_envelope=pyworld.decode_spectral_envelope(envelope, config.sample_rate, FFT_SIZE),
        aperiodicity=pyworld.decode_aperiodicity(aperiodicity, config.sample_rate, FFT_SIZE),
        sample_rate=config.sample_rate, frame_period_ms=config.frame_period_ms, duration_s=features.duration_s)


def to_waveform(features: AcousticFeatures, config: AcousticConfig = AcousticConfig()) -> np.ndarray:
    """float32 audio at config.sample_rate, exactly duration_s long."""
    return synthesize(to_world(features, config))
