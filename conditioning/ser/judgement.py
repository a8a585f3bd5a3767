"""The recognizer's reading weighed against what it knows about itself: the network's
calibrated categories, how familiar the recording is (the OOD distance), and whether the
knowledge-based cue reading agrees.

* The reported target is the network's where the recording is like the training speech,
  and moves towards the cue reading (the prosody prior read backwards) as the recording
  becomes unfamiliar: a mixture of the two readings (categories, VAD and intensity alike)
  with the network's weight its familiarity. Disagreement lowers the confidence but does
  not move the target: on the held-out synthetic voice, against a reference, weighting the
  mixture by agreement too cost 0.14 UAR (0.854 -> 0.712), the cues being the weaker reader
  of the two where the network knows the voice (cue CCC arousal 0.76 against 0.91).
  A voice unlike anything in training is then read by the cues that hold for every voice,
  not by a network that has never heard its like. The mixture is linear, not geometric, so
  the top category is one of the two readings' and never a third that both half-support.
* Agreement compares arousal only: it is the dimension prosody carries reliably in every
  study the prior cites (Juslin & Laukka 2003, Table 7); valence is barely in these cues.
* Confidence = the network's calibrated top probability x familiarity x agreement; a
  reading is ``reliable`` when that is at least ``RELIABLE_CONFIDENCE``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from conditioning.categories import CATEGORIES
from conditioning.space import category_prototypes, intensity_from_vad
from conditioning.target import EmotionTarget

from .cues import CueReading

RELIABLE_CONFIDENCE = 0.5
# How far a category's speech spreads around its prototype in VAD (one sd).
PROTOTYPE_SD = 0.25
# The cue reading's prior over categories: in natural speech neutral is the largest class
# by far (MSP-Podcast, Lotfian & Busso 2019), so a voice the cues cannot tell from neutral
# is read as neutral, not as the emotion its noisy valence estimate happens to point at.
NEUTRAL_BASE_RATE = 0.3
# The network's own arousal error on held-out synthetic speech is about this (one sd).
NETWORK_AROUSAL_SD = 0.2
# Arousal differences above this many combined sds make the two readings disagree.
DISAGREEMENT_SDS = 2.0


@dataclass(frozen=True)
class Doubt:
    """How far a reading can be trusted, and why not, where not."""

    confidence: float
    reliable: bool
    familiarity: float             # 1: like the training speech; 0: unlike anything in it
    ood_distance: float            # about 1 for training speech; nan without a calibration
    agreement: float               # 1: the cues read the same arousal; 0: far apart
    reasons: tuple[str, ...]

    def to_dict(self) -> dict:
        def number(v: float) -> float | None:
            return None if not np.isfinite(v) else round(float(v), 3)
        return {"confidence": number(self.confidence), "reliable": self.reliable,
                "familiarity": number(self.familiarity), "ood_distance": number(self.ood_distance),
                "agreement": number(self.agreement), "reasons": list(self.reasons)}


def cue_agreement(network: EmotionTarget, cues: CueReading) -> float:
    """exp(-d^2 / 2) of the arousal difference in units of both readings' spread."""
    spread = np.hypot(NETWORK_AROUSAL_SD, cues.vad_sd[1])
    return float(np.exp(-0.5 * ((network.arousal - cues.vad[1]) / spread) ** 2))


def cue_categories(cues: CueReading) -> np.ndarray:
    """Each category's likelihood of the cue reading: a Gaussian around its prototype with
    the reading's own spread plus the category's extent. The cues' valence is mostly
    doubt, so a neutral-sounding voice with a noisy valence estimate stays near neutral
    rather than being assigned whichever category lies in that direction."""
    prototypes, _ = category_prototypes()
    variance = np.array(cues.vad_sd) ** 2 + PROTOTYPE_SD ** 2
    log_likelihood = -0.5 * (((np.array(cues.vad) - prototypes) ** 2) / variance).sum(1)
    prior = np.full(len(CATEGORIES), (1 - NEUTRAL_BASE_RATE) / (len(CATEGORIES) - 1))
    prior[CATEGORIES.index("neutral")] = NEUTRAL_BASE_RATE
    weights = prior * np.exp(log_likelihood - log_likelihood.max())
    return weights / weights.sum()


def cue_target(cues: CueReading) -> EmotionTarget:
    vad = np.array(cues.vad)
    categories = cue_categories(cues)
    return EmotionTarget(tuple(vad), tuple(categories), intensity_from_vad(vad, categories))


def blend(network: EmotionTarget, cues: CueReading, weight: float) -> EmotionTarget:
    """``weight`` of the network's reading, the rest the cue reading's."""
    if weight >= 1.0:
        return network
    prior = cue_target(cues)
    categories = weight * np.array(network.categories) + (1 - weight) * np.array(prior.categories)
    vad = weight * np.array(network.vad) + (1 - weight) * np.array(prior.vad)
    intensity = weight * network.intensity + (1 - weight) * prior.intensity
    return EmotionTarget(tuple(np.clip(vad, -1, 1)), tuple(categories / categories.sum()),
                         float(np.clip(intensity, 0, 1)))


def judge(network: EmotionTarget, cues: CueReading | None, familiarity: float, ood_distance: float
          ) -> tuple[EmotionTarget, Doubt]:
    """(the reported target, its doubt) from the calibrated network reading and the cues."""
    agreement = 1.0 if cues is None else cue_agreement(network, cues)
    confidence = float(max(network.categories) * familiarity * agreement)
    reasons = []
    if familiarity < 1.0:
        reasons.append(f"the recording is unlike the speech the recognizer was trained on "
                       f"(distance {ood_distance:.2f}); read {1 - familiarity:.0%} by its prosodic cues")
    if cues is not None and agreement < np.exp(-0.5 * DISAGREEMENT_SDS ** 2):
        reasons.append(f"the network hears arousal {network.arousal:+.2f} where the prosodic cues "
                       f"({cues.against}) give {cues.vad[1]:+.2f}")
    if max(network.categories) < RELIABLE_CONFIDENCE:
        reasons.append(f"no category stands out (top probability {max(network.categories):.2f})")
    target = network if cues is None else blend(network, cues, familiarity)
    return target, Doubt(confidence, confidence >= RELIABLE_CONFIDENCE, float(familiarity), float(ood_distance),
                         agreement, tuple(reasons))
