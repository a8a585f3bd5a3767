"""Which transforms augment draws, in what order, how likely each is and over what range."""

from __future__ import annotations

from dataclasses import dataclass, fields

from .checks import check_positive, check_probability, check_range, check_resample_rates
from .transmission import CODECS

# Order used by augment: the source's own timing first, then the channel (room, band,
# codec rate, clipping converter) acting on that source, then the noise floor, which sits
# after the channel and is not filtered by it, and the level last, as a gain knob would.
TRANSFORM_ORDER = ("voice_shift", "pitch_shift", "roughness", "tempo", "reverb", "tilt", "band_limit", "resample",
                   "clip", "noise", "gain", "telephone", "codec")
# Added after recognizers were trained with the others: drawn only when switched on, so every
# earlier config draws exactly what it drew before.
DRAWN_ONLY_WHEN_ON = ("telephone", "codec")
# The roughest voice the roughness augmentation draws, at strength 1: about three times the
# jitter and shimmer the corpus gives sadness at full intensity (1 % of a 10 ms period, 5 %
# in level), well past any speaker's resting voice.
ROUGHEST_JITTER_MS = 0.3
ROUGHEST_SHIMMER_DB = 1.5
ROUGHEST_ASPIRATION_SNR_DB = 10.0
CLEANEST_ASPIRATION_SNR_DB = 40.0


@dataclass(frozen=True)
class AugmentConfig:
    """Probability each transform is applied to an item, and the range its parameter is
    drawn from (uniformly; resample rates and noise colours by equal choice)."""

    gain_probability: float = 0.8
    gain_db: tuple[float, float] = (-12.0, 6.0)
    noise_probability: float = 0.4
    noise_snr_db: tuple[float, float] = (5.0, 35.0)
    reverb_probability: float = 0.3
    reverb_rt60_s: tuple[float, float] = (0.15, 0.9)
    resample_probability: float = 0.25
    resample_rates: tuple[int, ...] = (8000, 11025, 12000)
    band_limit_probability: float = 0.25
    band_low_hz: tuple[float, float] = (60.0, 400.0)
    band_high_hz: tuple[float, float] = (2800.0, 7500.0)
    clip_probability: float = 0.15
    clip_level: tuple[float, float] = (0.2, 0.7)
    # A microphone's or voice's own brightness: a high shelf. Without it the recognizer read
    # emotion from the spectral balance alone (measured: a 3 dB shelf above 1.5 kHz on the
    # held-out voice moved its UAR from 0.60 to 0.39, turning sad into calm and fear into anger).
    tilt_probability: float = 0.0
    tilt_db: tuple[float, float] = (-6.0, 6.0)
    tilt_corner_hz: tuple[float, float] = (800.0, 3000.0)
    tempo_probability: float = 0.3
    # Kept small because speaking rate is itself an emotion cue the recognizer must read.
    tempo_factor: tuple[float, float] = (0.9, 1.1)
    # Another speaker: pitch and formants moved together, duration kept. A recognizer
    # trained on a few voices otherwise reads a new voice's own pitch and pace as emotion
    # (measured: a held-out voice lower and slower than the training voices came out one
    # step down in arousal for every category).
    voice_shift_probability: float = 0.0
    voice_shift_semitones: tuple[float, float] = (-4.0, 4.0)
    # Another speaker's F0 baseline over the same vocal tract: pitch moved, formants kept.
    # Speakers of one sex differ by several semitones in F0 at the same vocal-tract size;
    # without this the recognizer read pitch relative to formants as emotion (measured: the
    # held-out voice speaks 2.6 semitones below the training voice of the same speaker and
    # was heard one category lower, happy as angry, neutral as disgusted; raised 2.6
    # semitones by WORLD its UAR went from 0.46 to 0.70).
    pitch_shift_probability: float = 0.0
    pitch_shift_semitones: tuple[float, float] = (-4.0, 4.0)
    # Another speaker's voice quality: a rougher, breathier voice at rest. The corpus renders
    # disgust, anger and sadness with jitter, shimmer and breath, so a naturally noisy voice
    # is otherwise heard as those (measured: the held-out voice, aperiodicity 0.46 against
    # 0.12-0.41, had its neutral speech heard as disgusted and its happiness as anger).
    roughness_probability: float = 0.0
    roughness_jitter_ms: tuple[float, float] = (0.0, ROUGHEST_JITTER_MS)
    roughness_shimmer_db: tuple[float, float] = (0.0, ROUGHEST_SHIMMER_DB)
    roughness_aspiration_snr_db: tuple[float, float] = (ROUGHEST_ASPIRATION_SNR_DB, CLEANEST_ASPIRATION_SNR_DB)
    # Transmission after the room and the noise (transmission.py): a G.711 telephone line, and
    # a lossy codec at a low bit rate (MP3, Opus, AMR-NB; one ffmpeg encode and decode, ~0.1 s).
    telephone_probability: float = 0.0
    codec_probability: float = 0.0
    codecs: tuple[str, ...] = ("mp3", "opus", "amr_nb")

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name.endswith("_probability"):
                check_probability(field.name, value)
            elif field.name == "codecs":
                unknown = set(value) - set(CODECS)
                if unknown or not value:
                    raise ValueError(f"codecs must be some of {sorted(CODECS)}, got {value}")
            elif field.name == "resample_rates":
                check_resample_rates(value, self.resample_probability)
            else:
                check_range(field.name, value)
        check_positive("tempo_factor low end", self.tempo_factor[0])
        check_positive("reverb_rt60_s low end", self.reverb_rt60_s[0])
        check_positive("band_low_hz low end", self.band_low_hz[0])
        check_positive("clip_level low end", self.clip_level[0])
        if self.clip_level[1] > 1.0:
            raise ValueError(f"clip_level must lie in (0, 1], got {self.clip_level}")
        if min(self.roughness_jitter_ms[0], self.roughness_shimmer_db[0]) < 0:
            raise ValueError("roughness_jitter_ms and roughness_shimmer_db must be >= 0, got "
                             f"{self.roughness_jitter_ms}, {self.roughness_shimmer_db}")


def roughness_ranges(strength: float) -> dict[str, tuple[float, float]]:
    """AugmentConfig's roughness ranges scaled to ``strength`` in (0, 1]: jitter and shimmer
    up to that share of the roughest, aspiration that share of the way from the cleanest
    (40 dB down) to the roughest (10 dB down). Strength below 1 keeps the augmentation within
    the range of resting voices, so the roughness an emotion is rendered with stays readable."""
    if not 0.0 < strength <= 1.0:
        raise ValueError(f"roughness strength must lie in (0, 1], got {strength!r}")
    loudest_breath = CLEANEST_ASPIRATION_SNR_DB - strength * (CLEANEST_ASPIRATION_SNR_DB - ROUGHEST_ASPIRATION_SNR_DB)
    return {"roughness_jitter_ms": (0.0, strength * ROUGHEST_JITTER_MS),
            "roughness_shimmer_db": (0.0, strength * ROUGHEST_SHIMMER_DB),
            "roughness_aspiration_snr_db": (loudest_breath, CLEANEST_ASPIRATION_SNR_DB)}
