"""A voice's timbre moved toward another speaker's, by WORLD: the zero-shot half of a stored
voice (synth/voice_store.py). The base voice says the words; this step, applied to its WORLD
analysis before the emotion is rendered, makes it sound like the speaker of a few clips:

1. F0 level and range: ``s' = M_target + r (s - M_base)`` in semitones on voiced frames,
   where ``M`` are the two speakers' long-term medians (not this utterance's) and ``r`` the
   ratio of their spreads, so the emotion's relative F0 changes, applied afterwards around
   the utterance's own median, still apply on top (speaker-normalised);
2. vocal-tract length: the spectral envelope warped in frequency, ``sp'(f) = sp(f / alpha)``
   (alpha > 1: formants up, a shorter tract), as in VTLN (Lee & Rose 1998; Eide & Gish 1996);
3. long-term average spectrum and its dynamics: on voiced frames, each coefficient of the
   warped base's mel-cepstrum (WORLD's coded envelope, c0 the level left alone) mapped to the
   clips' mean and standard deviation, ``c' = mu_t + (sigma_t / sigma_b)(c - mu_b)`` (cepstral
   mean and variance matching; the mean difference is the LTAS correction, which also carries
   the clips' microphone); unvoiced frames get the mean difference only. Measured on the
   held-out voice from joe: d-vector cosine 0.65 with an LTAS-only correction, 0.74 with this;
4. aperiodicity: a per-band offset taking the base's voiced-frame aperiodicity to the clips'
   (breathiness, and a recording's noise floor).

Every amount is fitted from measured statistics (:class:`SpeakerStats`), so the same step
applies to any WORLD analysis: an engine rendering, or a converted recording.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Callable, Sequence

import numpy as np
import pyworld

from common.mel_scale import hz_to_mel, mel_to_hz
from synth.vocoder.world import FFT_SIZE, OUTPUT_SAMPLE_RATE, WorldFeatures, _TINY, synthesize

CEPSTRUM_ORDER = 40
N_BANDS = 24
BAND_LOW_HZ, BAND_HIGH_HZ = 60.0, 10500.0
APERIODICITY_LIMIT = 0.3
RANGE_FACTOR_LIMITS = (0.5, 2.0)
SPREAD_LIMITS = (0.5, 2.0)      # a cepstral coefficient's spread is scaled at most this much
# VTLN factors between adult speakers stay within about +-20 % (Eide & Gish 1996), but the
# held-out diphone voice from slt wanted the grid's lowest (0.82) of 0.82-1.22: the grid
# reaches 0.72-1.38, geometric so that 1/alpha and alpha are tried alike.
WARP_GRID = tuple(float(a) for a in np.exp(np.linspace(math.log(0.72), math.log(1.0 / 0.72), 11)))


def band_centres_hz() -> np.ndarray:
    """N_BANDS centres equally spaced on the mel scale."""
    mels = np.linspace(hz_to_mel(BAND_LOW_HZ), hz_to_mel(BAND_HIGH_HZ), N_BANDS)
    return mel_to_hz(mels)


def _per_band(values: np.ndarray, frequencies: np.ndarray) -> np.ndarray:
    """Bin values averaged per band (each bin in the band of its nearest centre, on the mel scale)."""
    index = np.argmin(np.abs(hz_to_mel(frequencies)[:, None] - hz_to_mel(band_centres_hz())[None, :]), axis=1)
    return np.array([values[index == b].mean() if np.any(index == b) else np.nan for b in range(N_BANDS)])


def _bands_to_bins(per_band: Sequence[float], frequencies: np.ndarray) -> np.ndarray:
    """Band values interpolated over the bins on the mel scale (held beyond the edge bands)."""
    return np.interp(hz_to_mel(frequencies), hz_to_mel(band_centres_hz()), np.asarray(per_band, dtype=np.float64))


def cepstrum(features: WorldFeatures) -> np.ndarray:
    """WORLD's coded envelope (a mel-cepstrum-like DCT of the mel-warped log spectrum), CEPSTRUM_ORDER wide."""
    sp = np.ascontiguousarray(np.maximum(features.spectral_envelope, _TINY), dtype=np.float64)
    return pyworld.code_spectral_envelope(sp, int(features.sample_rate), CEPSTRUM_ORDER)


def _envelope(coded: np.ndarray, sample_rate: int) -> np.ndarray:
    return pyworld.decode_spectral_envelope(np.ascontiguousarray(coded, dtype=np.float64), int(sample_rate),
                                            FFT_SIZE)


def _floats(values) -> tuple[float, ...]:
    return tuple(round(float(v), 5) for v in values)


@dataclass(frozen=True)
class SpeakerStats:
    """Long-term statistics of one speaker's voiced speech, as WORLD measures it."""
    f0_median_hz: float
    f0_std_semitones: float
    cepstrum_mean: tuple[float, ...]
    cepstrum_std: tuple[float, ...]
    ltas_db: tuple[float, ...]          # per band, mean removed: the spectral shape (for people)
    aperiodicity: tuple[float, ...]     # per band, voiced frames
    voiced_s: float

    def to_dict(self) -> dict:
        return {key: (list(value) if isinstance(value, tuple) else value) for key, value in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict) -> "SpeakerStats":
        return cls(float(data["f0_median_hz"]), float(data["f0_std_semitones"]),
                   *(tuple(map(float, data[key])) for key in ("cepstrum_mean", "cepstrum_std", "ltas_db",
                                                                "aperiodicity")), float(data["voiced_s"]))


MIN_VOICED_FRAMES = 20


def speaker_stats(analyses: Sequence[WorldFeatures]) -> SpeakerStats:
    """The statistics over every voiced frame of ``analyses`` (one speaker's clips)."""
    f0 = np.concatenate([np.asarray(a.f0)[a.voiced] for a in analyses])
    if f0.size < MIN_VOICED_FRAMES:
        raise ValueError(f"only {f0.size} voiced frames: too little voiced speech to measure a voice")
    coded = np.concatenate([cepstrum(a)[a.voiced] for a in analyses])
    log_sp = np.concatenate([10.0 * np.log10(np.maximum(a.spectral_envelope[a.voiced], _TINY)) for a in analyses])
    ap = np.concatenate([np.asarray(a.aperiodicity)[a.voiced] for a in analyses])
    frequencies = analyses[0].frequencies
    ltas = _per_band(log_sp.mean(axis=0), frequencies)
    return SpeakerStats(float(np.median(f0)), float(np.std(12.0 * np.log2(f0))), _floats(coded.mean(axis=0)),
                        _floats(coded.std(axis=0)), _floats(ltas - ltas.mean()),
                        _floats(_per_band(ap.mean(axis=0), frequencies)),
                        float(f0.size * analyses[0].frame_period_ms / 1000.0))


@dataclass(frozen=True)
class Timbre:
    """How to move ``base_voice`` toward a stored voice's speaker (see the module doc); the
    cepstral statistics are the warped base's and the clips'."""
    base_voice: str
    base_f0_median_hz: float
    f0_median_hz: float
    f0_range_factor: float
    warp: float
    base_cepstrum_mean: tuple[float, ...]
    base_cepstrum_std: tuple[float, ...]
    cepstrum_mean: tuple[float, ...]
    cepstrum_std: tuple[float, ...]
    aperiodicity_offset: tuple[float, ...]

    def to_dict(self) -> dict:
        return {key: (list(value) if isinstance(value, tuple) else value) for key, value in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict) -> "Timbre":
        vectors = ("base_cepstrum_mean", "base_cepstrum_std", "cepstrum_mean", "cepstrum_std", "aperiodicity_offset")
        return cls(str(data["base_voice"]), float(data["base_f0_median_hz"]), float(data["f0_median_hz"]),
                   float(data["f0_range_factor"]), float(data["warp"]),
                   *(tuple(map(float, data[key])) for key in vectors))

    def apply(self, features: WorldFeatures) -> WorldFeatures:
        """This timbre on one analysis: the interface a fine-tuned voice's LearnedTimbre shares."""
        return apply_timbre(features, self)


def map_f0(f0: np.ndarray, timbre: Timbre) -> np.ndarray:
    f0 = np.asarray(f0, dtype=np.float64).copy()
    voiced = f0 > 0
    s = 12.0 * np.log2(f0[voiced])
    base, target = 12.0 * math.log2(timbre.base_f0_median_hz), 12.0 * math.log2(timbre.f0_median_hz)
    f0[voiced] = 2.0 ** ((target + timbre.f0_range_factor * (s - base)) / 12.0)
    return f0


def warp_envelope(spectral_envelope: np.ndarray, frequencies: np.ndarray, warp: float) -> np.ndarray:
    """``sp'(f) = sp(f / warp)``, interpolated in log power between bins (edge bin held)."""
    if warp == 1.0:
        return np.asarray(spectral_envelope)
    position = np.clip(frequencies / warp / frequencies[1], 0.0, len(frequencies) - 1.0)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, len(frequencies) - 1)
    weight = position - low
    log_sp = np.log(np.maximum(spectral_envelope, _TINY))
    return np.exp((1.0 - weight) * log_sp[:, low] + weight * log_sp[:, high])


def map_cepstrum(coded: np.ndarray, voiced: np.ndarray, timbre: Timbre) -> np.ndarray:
    """Cepstral mean and variance matching on voiced frames, the mean shift on the rest; c0 kept."""
    mean_b, std_b = np.asarray(timbre.base_cepstrum_mean), np.asarray(timbre.base_cepstrum_std)
    mean_t, std_t = np.asarray(timbre.cepstrum_mean), np.asarray(timbre.cepstrum_std)
    scale = np.clip(std_t / np.maximum(std_b, 1e-6), *SPREAD_LIMITS)
    mapped = np.where(voiced[:, None], mean_t + scale * (coded - mean_b), coded + (mean_t - mean_b))
    mapped[:, 0] = coded[:, 0]
    return mapped


def _warped(features: WorldFeatures, warp: float) -> WorldFeatures:
    return features.replace(spectral_envelope=warp_envelope(features.spectral_envelope, features.frequencies, warp))


def apply_timbre(features: WorldFeatures, timbre: Timbre) -> WorldFeatures:
    """Steps 1-4 of the module doc on one analysis; a new WorldFeatures (the input is only read).
    The coded envelope's fine detail is lost: the voice's spectrum is rebuilt from 40 coefficients."""
    warped = _warped(features, timbre.warp)
    sp = _envelope(map_cepstrum(cepstrum(warped), features.voiced, timbre), features.sample_rate)
    return with_speaker_source(features, timbre, sp)


def with_speaker_source(features: WorldFeatures, timbre: Timbre, spectral_envelope: np.ndarray) -> WorldFeatures:
    """``features`` with the speaker's envelope given, and F0 (step 1) and aperiodicity (step 4)
    mapped by ``timbre``: what the statistical and the learnt timbres share."""
    ap = np.asarray(features.aperiodicity)
    offset = _bands_to_bins(timbre.aperiodicity_offset, features.frequencies)[None, :]
    ap = np.where(features.voiced[:, None], np.clip(ap + offset, 0.001, 1.0), ap)
    return features.replace(f0=map_f0(features.f0, timbre), spectral_envelope=spectral_envelope, aperiodicity=ap)


class OnStatisticalTimbre:
    """For a timbre step built on a statistical ``timbre`` (the learnt and the frame-wise ones):
    its base voice and F0 range are that timbre's."""
    timbre: Timbre

    @property
    def base_voice(self) -> str:
        return self.timbre.base_voice

    @property
    def f0_range_factor(self) -> float:
        return self.timbre.f0_range_factor


def _smooth(values: np.ndarray) -> np.ndarray:
    padded = np.pad(values, 1, mode="edge")
    return 0.25 * padded[:-2] + 0.5 * padded[1:-1] + 0.25 * padded[2:]


def timbre_for_warp(base_voice: str, base: SpeakerStats, target: SpeakerStats, warp: float,
                    warped_base: SpeakerStats) -> Timbre:
    """The timbre with F0, cepstrum and aperiodicity matched, for one warp factor; ``warped_base``
    is the base's statistics after warping (the cepstrum moves with the formants)."""
    ap = np.clip(np.nan_to_num(np.subtract(target.aperiodicity, base.aperiodicity)),
                 -APERIODICITY_LIMIT, APERIODICITY_LIMIT)
    range_factor = float(np.clip(target.f0_std_semitones / max(base.f0_std_semitones, 0.1), *RANGE_FACTOR_LIMITS))
    return Timbre(base_voice, base.f0_median_hz, target.f0_median_hz, range_factor, float(warp),
                  warped_base.cepstrum_mean, warped_base.cepstrum_std, target.cepstrum_mean, target.cepstrum_std,
                  _floats(_smooth(ap)))


@dataclass(frozen=True)
class TimbreFit:
    timbre: Timbre
    cosine: float                       # the fitted timbre's embedding cosine to the clips
    base_cosine: float                  # the base voice's own, before the timbre step
    grid: tuple[tuple[float, float], ...]   # (warp, cosine) tried

    def to_dict(self) -> dict:
        return {"cosine": round(self.cosine, 4), "base_cosine": round(self.base_cosine, 4),
                "warp_grid": [[round(w, 4), round(c, 4)] for w, c in self.grid]}


def fit_timbre(base_voice: str, base_analyses: Sequence[WorldFeatures], target: SpeakerStats,
               target_embedding: np.ndarray, embed: Callable[[np.ndarray, int], np.ndarray],
               fit_analyses: int = 1) -> TimbreFit:
    """The warp factor (on WARP_GRID) whose timbred base speech ``embed`` finds nearest to the
    clips' speaker, F0, cepstrum and aperiodicity matched at each factor. The statistics come
    from every base analysis, the cosine from the first ``fit_analyses`` (each try is a WORLD
    synthesis and an embedding)."""
    base = speaker_stats(base_analyses)
    judged = list(base_analyses[:fit_analyses])

    def embedding_cosine(analyses) -> float:
        vectors = [embed(synthesize(a), OUTPUT_SAMPLE_RATE) for a in analyses]
        mean = np.mean(vectors, axis=0)
        return float(np.dot(mean, target_embedding) / max(float(np.linalg.norm(mean)), 1e-12))

    grid, best = [], None
    for warp in WARP_GRID:
        warped = speaker_stats([_warped(a, warp) for a in base_analyses])
        timbre = timbre_for_warp(base_voice, base, target, warp, warped)
        cos = embedding_cosine([apply_timbre(a, timbre) for a in judged])
        grid.append((warp, cos))
        if best is None or cos > best[1]:
            best = (timbre, cos)
    return TimbreFit(best[0], best[1], embedding_cosine(judged), tuple(grid))


__all__ = ["CEPSTRUM_ORDER", "N_BANDS", "OnStatisticalTimbre", "SpeakerStats", "Timbre", "TimbreFit", "apply_timbre",
           "band_centres_hz", "cepstrum", "fit_timbre", "map_cepstrum", "map_f0", "speaker_stats", "timbre_for_warp",
           "warp_envelope"]
