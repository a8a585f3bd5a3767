"""The prosody prior: an emotion target -> prosody and voice-quality targets.

Two parts, both continuous in VAD and intensity:

* Dimensional: linear in valence, arousal and dominance, following the acoustic
  correlates of emotion dimensions in Schröder et al. (2001, "Acoustic correlates of
  emotion dimensions in view of speech synthesis", Eurospeech) and Schröder (2004,
  "Speech and emotion research", PhD thesis, ch. 11): arousal raises F0 level and range,
  tempo, loudness and high-frequency energy and shortens pauses; dominance lowers F0 and
  raises loudness; positive valence raises F0 slightly.
* Categorical: per-category offsets weighted by the category mix and the intensity,
  from the directions in Murray & Arnott (1993, "Toward the simulation of emotion in
  synthetic speech", JASA 93(2), Table I) and the cross-corpus summary of Juslin &
  Laukka (2003, Psychological Bulletin 129(5), Table 7), with voice quality (breathy
  sadness and tenderness, tense anger, irregular voicing in fear) from Banse & Scherer
  (1996, JPSP 70(3)) and Gobl & Ní Chasaide (2003, Speech Communication 40).

Voice descriptors ("high pitch", "whispered", ...) are applied last, on top.

Anger's F0 level and range were raised (2026-12-01: +1.5 -> +3.0 st, range x1.25 -> x1.6)
after measuring the rendered speech from outside (Harvest F0 on the joe and Debian voices):
anger came out +1.6-1.8 st above neutral with its F0 span unchanged, below the raised,
widely varying F0 that Juslin & Laukka's Table 7 gives for anger (F0 mean and variability
"high", as for happiness) and that acted anger shows (Banse & Scherer 1996: hot anger among
the highest mean F0 of their 14 emotions). The same measurements widened happiness's and
surprise's range (x1.45 -> x1.6, x1.7 -> x1.9) and anger's again (x1.75), which came out
under +1 st of F0 span on the narrow-ranged diphone voices; and made the slow emotions less
slow (sadness x0.78 -> x0.88 and disgust x0.8 -> x0.88 of tempo, calm's own x0.95 dropped:
its low arousal slows it): the outside ASR lost a third more words at the slower tempi, and
sad speech stays 15-20 % slower than neutral, as the literature has it. For the same reason
happiness and anger speed up less (x1.12 -> x1.06; with arousal they stay 13-15 % faster).
Fear's own tempo was lowered (2026-12-02: x1.25 -> x1.12; with arousal it stays 15-20 %
faster than neutral, Juslin & Laukka's "fast" for fear): at +28 % the outside ASR lost the
most words of any category on joe and on the diphone voices (pocketsphinx, 12 test
sentences: joe 0.35 against a ceiling of 0.21; at x1.12 kal_diphone 0.26 -> 0.25, slt_hts
0.19 -> 0.15, awb 0.20 -> 0.19, ked_diphone unchanged).
Calm got an F0 and tempo offset of its own (2026-12-03: 0 -> -1 st, x1.0 -> x0.96; Juslin &
Laukka's tenderness: F0 low, rate slow): its arousal is clipped at -1 from intensity ~0.72 on
(the norms put calm at arousal -0.83 at its nominal intensity 0.6), so its F0 and tempo stopped
growing between 0.75 and 1 (prior -3.29 / -3.37 st, tempo x0.861 both) and the outside judge
read calm at 1 as less low and less slow than at 0.75. On 16 validation sentences (joe) it now
reads -2.8 / -3.5 / -3.6 st and -12 / -16 / -17 % rate at 0.5 / 0.75 / 1, WER 0.26 as before.
Magnitudes are this project's choice within the ranges those studies report.

Categories that share a region of VAD space get their own signature in the cues a
listener can read in an unfamiliar voice (voice quality, F0 range and contour, tempo and
pauses) rather than in F0 level, which is confounded with the speaker: sadness is breathy,
irregular and monotone where calm is clean and smooth (Juslin & Laukka: sadness vs
tenderness differ in microstructural irregularity); surprise is slower with longer pauses,
a very wide range and a final rise, where joy is fast, bright and arched; disgust is
creaky (jitter and shimmer) with a wide falling terminal (Murray & Arnott's "grumbled
chest tone"), which keeps it apart from neutral.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .categories import CATEGORIES
from .target import EmotionTarget


@dataclass(frozen=True)
class ProsodyTargets:
    f0_shift_semitones: float = 0.0   # mean F0 relative to the speaker's neutral
    f0_range_factor: float = 1.0      # multiplies F0 excursions around the mean
    tempo_factor: float = 1.0         # > 1 speaks faster
    loudness_db: float = 0.0
    spectral_tilt_db: float = 0.0     # > 0 more high-frequency energy (tenser, brighter)
    breathiness: float = 0.0          # 0..1 added aperiodicity; 1 is a whisper
    jitter: float = 0.0               # relative cycle-to-cycle F0 perturbation
    shimmer: float = 0.0              # relative cycle-to-cycle amplitude perturbation
    pause_factor: float = 1.0         # multiplies pause durations

    def to_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in asdict(self).items()}


# Additive (semitones, dB, 0..1) and log-multiplicative (range, tempo, pause) fields.
_ADDITIVE = ("f0_shift_semitones", "loudness_db", "spectral_tilt_db", "breathiness", "jitter", "shimmer")
_LOG_FACTORS = ("f0_range_factor", "tempo_factor", "pause_factor")
_FIELDS = _ADDITIVE + _LOG_FACTORS

# Per unit of valence, arousal, dominance (a row per field, in _FIELDS order).
_DIMENSIONAL = np.array([
    # V      A      D
    [0.8,   3.0,  -1.0],   # f0 shift (st)
    [0.0,   4.0,   1.5],   # loudness (dB)
    [-0.5,  3.0,   1.0],   # spectral tilt (dB)
    [0.0,  -0.1,  -0.05],  # breathiness
    [0.0,   0.0,   0.0],   # jitter
    [0.0,   0.0,   0.0],   # shimmer
    [0.1,   0.35,  0.0],   # log range factor
    [0.0,   0.15,  0.0],   # log tempo factor
    [0.0,  -0.3,   0.0],   # log pause factor
])

# At full intensity of a pure category: (f0 st, dB, tilt dB, breath, jitter, shimmer,
# range x, tempo x, pause x).
_CATEGORY_OFFSETS = {
    "neutral":   (0.0,  0.0,  0.0, 0.0,  0.0,   0.0,  1.0,  1.0,  1.0),
    "calm":      (-1.0, -2.0, -2.0, 0.0,  0.0,   0.0,  1.0,  0.96, 1.25),
    "happy":     (2.5,  2.0,  1.5, 0.0,  0.0,   0.0,  1.6,  1.06, 0.85),
    "sad":       (-2.0, -3.0, -3.0, 0.4,  0.01,  0.05, 0.55, 0.88, 1.5),
    "angry":     (3.0,  4.0,  5.0, 0.0,  0.008, 0.04, 1.75, 1.06, 0.75),
    "fearful":   (4.0,  0.0,  1.0, 0.2,  0.025, 0.05, 1.2,  1.12, 0.9),
    "disgusted": (-2.0, 0.0,  -1.0, 0.0,  0.02,  0.06, 1.35, 0.88, 1.3),
    "surprised": (4.0,  1.0,  0.0, 0.12, 0.0,   0.0,  1.9,  0.92, 1.2),
}
_CATEGORY_MATRIX = np.array([
    [*offsets[:6], *np.log(offsets[6:])] for offsets in (_CATEGORY_OFFSETS[c] for c in CATEGORIES)
])  # (categories, fields) in _FIELDS order

_VOICE_EFFECTS: dict[tuple[str, str], dict[str, float]] = {
    # +-4 st, not 3: captions read by the text head carry a little emotion of their own
    # ("a low pitch" came out slightly surprised), which took 0.5-1 st back.
    ("pitch_level", "low"): {"f0_shift_semitones": -4.0},
    ("pitch_level", "high"): {"f0_shift_semitones": 4.0},
    ("pitch_variation", "monotone"): {"f0_range_factor": np.log(0.5)},
    ("pitch_variation", "expressive"): {"f0_range_factor": np.log(1.5)},
    ("loudness", "quiet"): {"loudness_db": -6.0},
    ("loudness", "loud"): {"loudness_db": 6.0},
    ("rate", "slow"): {"tempo_factor": np.log(0.8)},
    ("rate", "fast"): {"tempo_factor": np.log(1.25)},
    ("voice_quality", "breathy"): {"breathiness": 0.35},
    ("voice_quality", "whispered"): {"breathiness": 1.0, "loudness_db": -4.0},
    ("voice_quality", "tense"): {"spectral_tilt_db": 4.0, "breathiness": -0.1},
    ("voice_quality", "creaky"): {"jitter": 0.02, "shimmer": 0.04, "f0_shift_semitones": -2.0},
}

_BOUNDS = {
    "f0_shift_semitones": (-12.0, 12.0), "loudness_db": (-20.0, 12.0), "spectral_tilt_db": (-12.0, 12.0),
    "breathiness": (0.0, 1.0), "jitter": (0.0, 0.05), "shimmer": (0.0, 0.1),
    "f0_range_factor": (0.2, 3.0), "tempo_factor": (0.5, 2.0), "pause_factor": (0.3, 3.0),
}


def dimensional_cues() -> dict[str, tuple[float, float, float]]:
    """The prior's dimensional part: per field, its change per unit of (valence, arousal,
    dominance); the ratio fields (range, tempo, pauses) in natural log. What a recognizer
    reads backwards from measured cues."""
    return {field: tuple(float(x) for x in row) for field, row in zip(_FIELDS, _DIMENSIONAL)}


def prosody_prior(target: EmotionTarget) -> ProsodyTargets:
    values = _DIMENSIONAL @ np.array(target.vad)
    values += target.intensity * (np.array(target.categories) @ _CATEGORY_MATRIX)
    by_field = dict(zip(_FIELDS, values))
    for field, value in target.voice.as_dict().items():
        for effect_field, delta in _VOICE_EFFECTS.get((field, value), {}).items():
            by_field[effect_field] += delta
    for field in _LOG_FACTORS:
        by_field[field] = float(np.exp(by_field[field]))
    return ProsodyTargets(**{f: float(np.clip(by_field[f], *_BOUNDS[f])) for f in _FIELDS})


def _scaled(name: str, value: float, factor: float) -> float:
    """A cue's departure from the voice's own prosody times ``factor``: additive cues scale,
    ratio cues scale in log."""
    return value * factor if name in _ADDITIVE else float(np.exp(np.log(value) * factor))


def _in_bounds(values: dict[str, float]) -> ProsodyTargets:
    for name in ("breathiness", "jitter", "shimmer", *_LOG_FACTORS):
        values[name] = float(np.clip(values[name], *_BOUNDS[name]))
    return ProsodyTargets(**values)


def exaggerate(targets: ProsodyTargets, factor: float) -> ProsodyTargets:
    """``factor`` times the departure from the voice's own prosody (1 leaves it as is): the
    additive cues scale, the ratio cues scale in log; the bounded cues stay in their bounds."""
    return _in_bounds({name: _scaled(name, getattr(targets, name), factor) for name in _FIELDS})


# What a delivery variation moves (DeliveryVariation): each group of cues gets its own factor on its
# departure from the voice's own prosody. Tempo and pauses move together (one speaking rate), as do
# loudness and spectral tilt (vocal effort) and jitter and shimmer (roughness).
DELIVERY_GROUPS = (("f0_shift_semitones",), ("f0_range_factor",), ("tempo_factor", "pause_factor"),
                   ("loudness_db", "spectral_tilt_db"), ("jitter", "shimmer"), ("breathiness",))
MAX_DELIVERY_VARIATION = 1.0
_DELIVERY_STREAM = 0x64656C69   # keeps the draw apart from other uses of the same seed (WORLD's jitter)


@dataclass(frozen=True)
class DeliveryVariation:
    """How far a seed may vary the delivery of one emotion (the scoring loop's candidates, which
    the engine's seed alone hardly tells apart): each cue group (DELIVERY_GROUPS) gets its own
    guidance, ``guidance x exp(amount x u)`` with u uniform in [-1, 1] drawn for the seed, so every
    cue keeps the prior's direction and its size follows the asked intensity. With
    ``guidance_limits`` each group's guidance stays within them (the scoring loop's strength band:
    asks twice apart are then never delivered in reverse order, cue by cue)."""
    amount: float = 0.0
    guidance_limits: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.amount <= MAX_DELIVERY_VARIATION:
            raise ValueError(f"delivery variation must be in 0..{MAX_DELIVERY_VARIATION:g}; got {self.amount}")
        if self.guidance_limits is not None:
            low, high = self.guidance_limits
            if not 0.0 < low <= high:
                raise ValueError(f"delivery guidance limits must be 0 < low <= high; got {self.guidance_limits}")
            object.__setattr__(self, "guidance_limits", (float(low), float(high)))

    @property
    def active(self) -> bool:
        """Whether it changes anything: DeliveryVariation(0) delivers as no variation does."""
        return self.amount > 0.0 or self.guidance_limits is not None

    def group_guidance(self, guidance: float, seed: int) -> tuple[float, ...]:
        """Per DELIVERY_GROUPS group, the guidance it is rendered with for ``seed``."""
        draws = np.random.default_rng([_DELIVERY_STREAM, int(seed)]).uniform(-1.0, 1.0, len(DELIVERY_GROUPS))
        values = guidance * np.exp(self.amount * draws)
        if self.guidance_limits is not None:
            values = np.clip(values, *self.guidance_limits)
        return tuple(float(v) for v in values)

    def to_dict(self) -> dict:
        return {"amount": self.amount,
                "guidance_limits": list(self.guidance_limits) if self.guidance_limits is not None else None}

    @classmethod
    def parse(cls, value) -> "DeliveryVariation | None":
        """None, a DeliveryVariation, an amount, or to_dict()'s form (a recipe's)."""
        if value is None or isinstance(value, cls):
            return value
        try:
            if isinstance(value, dict):
                limits = value.get("guidance_limits")
                return cls(float(value.get("amount", 0.0)), tuple(float(x) for x in limits) if limits else None)
            return cls(float(value))
        except (TypeError, ValueError) as error:
            raise ValueError(f"delivery variation must be an amount in 0..{MAX_DELIVERY_VARIATION:g} or "
                             f'{{"amount": ..., "guidance_limits": [low, high]}}; got {value!r} ({error})') from None


def delivered(targets: ProsodyTargets, guidance: float, variation: DeliveryVariation | None = None,
              seed: int = 0) -> ProsodyTargets:
    """``targets`` exaggerated by ``guidance`` (:func:`exaggerate`), or with a variation, each cue
    group by its own guidance for ``seed`` (:meth:`DeliveryVariation.group_guidance`)."""
    if variation is None or not variation.active:
        return exaggerate(targets, guidance)
    values = {name: getattr(targets, name) for name in _FIELDS}
    for group, factor in zip(DELIVERY_GROUPS, variation.group_guidance(guidance, seed)):
        for name in group:
            values[name] = _scaled(name, values[name], factor)
    return _in_bounds(values)
