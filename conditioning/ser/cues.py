"""A knowledge-based reading of speech beside the network: eGeMAPS-style prosodic and
voice-quality functionals, normalised to the speaker, read backwards through the prosody
prior into valence, arousal and dominance.

The functionals (Eyben et al. 2016, "The Geneva Minimalistic Acoustic Parameter Set
(GeMAPS)", IEEE Trans. Affective Computing 7(2)): F0 level (median, semitones) and range
(standard deviation of voiced F0 in semitones), loudness (RMS level of the speech frames),
alpha ratio (energy 50-1000 Hz over 1-5 kHz, dB), harmonicity (WORLD's D4C aperiodicity of
the voiced frames, as an HNR in dB) and speaking rate (syllable nuclei per second of
speech: intensity peaks in voiced frames, after de Jong & Wempe 2009, "Praat script to
detect syllable nuclei", Behavior Research Methods 41(2)).

They are read against the speaker's own neutral speech when given (the way the corpus and
listeners define emotion: as a change from that voice), else against population defaults
for read speech, with the doubt that brings: loudness and spectral balance depend on the
microphone and gain, so alone they are not read at all, and F0 level only weakly, against
the middle of the adult range (152 Hz, between men's about 115 Hz and women's about 200 Hz:
Traunmüller & Eriksson 1995, "The frequency range of the voice fundamental in the speech of
male and female adults") with a wide spread (6 st). One centre keeps the reading monotonic in
F0: with a centre per register a voice lowered across the boundary read as raised.

The reading inverts the dimensional part of :mod:`conditioning.prosody` (Schröder et al.
2001; Schröder 2004, ch. 11: arousal raises F0 level and range, tempo, loudness and
high-frequency energy; dominance lowers F0 and raises loudness; positive valence raises F0
slightly) as a Bayesian linear model: a Gaussian prior at neutral, each cue a noisy
measurement of its row of the prior. Valence is barely carried by these cues (Juslin &
Laukka 2003, Table 7), so its reading stays near neutral with a wide spread: honestly so.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pyworld
from scipy.signal import find_peaks

from common.audio_io import resample
from conditioning.prosody import dimensional_cues

ANALYSIS_RATE = 16000
CUE_MAX_S = 60.0
FRAME_S = 0.01
# Frames more than this below the loudest (dB) are not speech.
SPEECH_RANGE_DB = 30.0
POPULATION_F0_HZ = 152.0
# Read neutral speech: F0 spread about 2.5 st (Traunmüller & Eriksson 1995), articulation
# rate about 4 syllables/s by this estimator on plain read speech (de Jong & Wempe 2009
# report 3.9-4.6 for read Dutch).
POPULATION_F0_SPREAD_ST = 2.5
POPULATION_SYLLABLE_RATE = 4.0


@dataclass(frozen=True)
class VoiceCues:
    """Functionals of one recording (or the mean over a speaker's neutral clips)."""

    f0_median_hz: float          # nan when nothing is voiced
    f0_spread_st: float          # spread of voiced F0, semitones (10-90 % span / 2.563, an sd)
    loudness_db: float           # RMS level of the speech frames, dBFS
    alpha_ratio_db: float        # 50-1000 Hz over 1-5 kHz, voiced frames
    hnr_db: float                # from D4C aperiodicity below 3 kHz, voiced frames
    syllable_rate: float         # nuclei per second of speech
    voiced_fraction: float       # of the speech frames
    speech_s: float

    def to_dict(self) -> dict[str, float]:
        return {k: (None if not np.isfinite(v) else round(float(v), 3)) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class CueConfig:
    """Measurement noise of each cue (one standard deviation) and the prior's spread.
    Against a reference the noise is the cue's spread between a speaker's neutral
    utterances; alone it also holds how far people differ from the population default."""

    prior_sd: float = 0.5
    f0_sd_with_reference: float = 1.0        # semitones
    f0_sd_alone: float = 6.0
    loudness_sd_with_reference: float = 2.5  # dB
    tilt_sd_with_reference: float = 2.0      # dB
    log_range_sd_with_reference: float = 0.2
    log_range_sd_alone: float = 0.35
    log_tempo_sd_with_reference: float = 0.12
    log_tempo_sd_alone: float = 0.3


@dataclass(frozen=True)
class CueReading:
    """VAD read from the cues, its posterior standard deviation, and the cue changes used."""

    vad: tuple[float, float, float]
    vad_sd: tuple[float, float, float]
    changes: dict[str, float]      # cue -> change from the reference/default, in the prior's units
    against: str                   # "speaker reference" or "population defaults"
    cues: VoiceCues

    def to_dict(self) -> dict:
        return {"vad": [round(v, 3) for v in self.vad], "vad_sd": [round(v, 3) for v in self.vad_sd],
                "changes": {k: round(v, 3) for k, v in self.changes.items()}, "against": self.against,
                "cues": self.cues.to_dict()}


def _frame_power(x: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per 10 ms frame of 25 ms: mean square (full scale 1), Hann-windowed power 50-1000 Hz and 1-5 kHz."""
    hop, size = int(FRAME_S * rate), int(0.025 * rate)
    padded = np.pad(x, (size // 2, size // 2))
    count = 1 + (len(padded) - size) // hop
    frames = np.lib.stride_tricks.sliding_window_view(padded, size)[::hop][:count] * np.hanning(size)
    spectrum = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    freqs = np.fft.rfftfreq(size, 1.0 / rate)
    low = spectrum[:, (freqs >= 50) & (freqs < 1000)].sum(1)
    high = spectrum[:, (freqs >= 1000) & (freqs < 5000)].sum(1)
    unwindowed = np.lib.stride_tricks.sliding_window_view(padded, size)[::hop][:count]
    return np.mean(unwindowed ** 2, axis=1), low, high


def measure_cues(audio: np.ndarray, sample_rate: int) -> VoiceCues:
    """The functionals of one mono recording at any rate (already validated), from at most its first minute."""
    # An utterance's prosody is read from its first minute: bounded time and memory on an hour.
    x = np.asarray(audio[: int(CUE_MAX_S * sample_rate)], dtype=np.float64)
    x = resample(x, sample_rate, ANALYSIS_RATE).astype(np.float64)
    f0, times = pyworld.dio(x, ANALYSIS_RATE, f0_floor=60.0, f0_ceil=600.0, frame_period=FRAME_S * 1000)
    f0 = pyworld.stonemask(x, f0, times, ANALYSIS_RATE)
    power, low, high = _frame_power(x, ANALYSIS_RATE)
    n = min(len(f0), len(power))
    f0, power, low, high = f0[:n], power[:n], low[:n], high[:n]
    level = 10 * np.log10(power + 1e-12)
    speech = level >= level.max() - SPEECH_RANGE_DB
    voiced = speech & (f0 > 0)
    speech_s = float(speech.sum() * FRAME_S)
    loudness = float(10 * np.log10(np.mean(power[speech]) + 1e-12))
    if voiced.sum() < 5:
        return VoiceCues(np.nan, np.nan, loudness, np.nan, np.nan, 0.0, float(voiced.mean()), speech_s)
    semitones = 12 * np.log2(f0[voiced])
    alpha = float(10 * np.log10(low[voiced].sum() / max(high[voiced].sum(), 1e-12)))
    aperiodicity = pyworld.d4c(x, f0, times[:n], ANALYSIS_RATE)
    freqs = np.linspace(0, ANALYSIS_RATE / 2, aperiodicity.shape[1])
    band = aperiodicity[voiced][:, (freqs > 100) & (freqs < 3000)]
    periodic = np.clip(1 - band ** 2, 1e-6, None)
    hnr = float(np.median(10 * np.log10(periodic / np.clip(band ** 2, 1e-6, None))))
    # Spread from the 10-90 % span (the sd of a normal distribution): an octave error of the
    # F0 tracker in a few frames, common in low voices, would inflate a plain sd.
    spread = float(np.subtract(*np.percentile(semitones, [90, 10])) / 2.563)
    return VoiceCues(float(2 ** (np.median(semitones) / 12)), spread, loudness, alpha, hnr,
                     _syllable_rate(level, voiced, speech_s), float(voiced.sum() / max(speech.sum(), 1)), speech_s)


def _syllable_rate(level_db: np.ndarray, voiced: np.ndarray, speech_s: float) -> float:
    """Syllable nuclei per second of speech: peaks of the smoothed level, in voiced frames,
    standing at least 2 dB above the dip before them and at least 70 ms apart (de Jong &
    Wempe 2009, with a level rather than an intensity contour)."""
    smoothed = np.convolve(level_db, np.hanning(5) / np.hanning(5).sum(), mode="same")
    peaks, _ = find_peaks(smoothed, prominence=2.0, distance=int(0.07 / FRAME_S))
    nuclei = int(np.sum(voiced[peaks] & (smoothed[peaks] >= smoothed.max() - 25.0)))
    return nuclei / max(speech_s, FRAME_S)


def mean_cues(cues: list[VoiceCues]) -> VoiceCues:
    """A speaker's neutral voice over several clips: F0 level as the mean in semitones, the
    rest as plain means of what was measured."""
    if not cues:
        raise ValueError("a cue reference needs at least one clip")
    fields = {}
    for name in VoiceCues.__dataclass_fields__:
        values = np.array([getattr(c, name) for c in cues], dtype=float)
        values = values[np.isfinite(values)]
        if name == "f0_median_hz" and len(values):
            fields[name] = float(2 ** np.mean(np.log2(values)))
        else:
            fields[name] = float(values.mean()) if len(values) else np.nan
    return VoiceCues(**fields)


def cue_changes(cues: VoiceCues, reference: VoiceCues | None, config: CueConfig = CueConfig()
                ) -> dict[str, tuple[float, float]]:
    """Prior field -> (measured change, its noise sd); cues that cannot be read are left out."""
    changes: dict[str, tuple[float, float]] = {}
    if not np.isfinite(cues.f0_median_hz):
        return changes
    if reference is not None and np.isfinite(reference.f0_median_hz):
        changes["f0_shift_semitones"] = (12 * np.log2(cues.f0_median_hz / reference.f0_median_hz),
                                         config.f0_sd_with_reference)
        changes["loudness_db"] = (cues.loudness_db - reference.loudness_db, config.loudness_sd_with_reference)
        # More energy above 1 kHz (a lower alpha ratio) is the prior's positive tilt.
        changes["spectral_tilt_db"] = (reference.alpha_ratio_db - cues.alpha_ratio_db, config.tilt_sd_with_reference)
        range_reference, rate_reference = reference.f0_spread_st, reference.syllable_rate
        range_sd, tempo_sd = config.log_range_sd_with_reference, config.log_tempo_sd_with_reference
    else:
        changes["f0_shift_semitones"] = (12 * np.log2(cues.f0_median_hz / POPULATION_F0_HZ), config.f0_sd_alone)
        range_reference, rate_reference = POPULATION_F0_SPREAD_ST, POPULATION_SYLLABLE_RATE
        range_sd, tempo_sd = config.log_range_sd_alone, config.log_tempo_sd_alone
    if cues.f0_spread_st > 0 and range_reference > 0:
        changes["f0_range_factor"] = (float(np.log(cues.f0_spread_st / range_reference)), range_sd)
    if cues.syllable_rate > 0 and rate_reference > 0:
        changes["tempo_factor"] = (float(np.log(cues.syllable_rate / rate_reference)), tempo_sd)
    return {k: (float(v), float(sd)) for k, (v, sd) in changes.items()}


def read_cues(cues: VoiceCues, reference: VoiceCues | None = None, config: CueConfig = CueConfig()) -> CueReading:
    """Posterior mean and sd of VAD given the cue changes: (A'S^-1 A + I/p^2)^-1 A'S^-1 y."""
    rows = dimensional_cues()
    changes = cue_changes(cues, reference, config)
    against = "speaker reference" if reference is not None else "population defaults"
    precision = np.eye(3) / config.prior_sd ** 2
    information = np.zeros(3)
    for name, (value, sd) in changes.items():
        row = np.array(rows[name])
        precision += np.outer(row, row) / sd ** 2
        information += row * value / sd ** 2
    covariance = np.linalg.inv(precision)
    vad = np.clip(covariance @ information, -1.0, 1.0)
    return CueReading(tuple(float(v) for v in vad), tuple(float(s) for s in np.sqrt(np.diag(covariance))),
                      {k: v for k, (v, _) in changes.items()}, against, cues)


__all__ = ["CueConfig", "CueReading", "VoiceCues", "cue_changes", "mean_cues", "measure_cues", "read_cues"]
