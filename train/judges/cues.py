"""Independent cues for judging the scoring loop: what it did to measures it never optimised.

Speech: F0 level (WORLD's DIO + StoneMask), integrated loudness (BS.1770) and speaking rate
(phones per second of the phones the engine placed), each against the same sentence spoken
neutrally by the same voice, compared with the direction the literature prior asks for
(conditioning.prosody: Murray & Arnott 1993, Juslin & Laukka 2003).
Faces: the apex displacements of synth.face.apex measured on the rendered frames *re-detected
by dlib* (not the rig's own points), against a neutral rendering with the same seed, matched
to the published FACS apex figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from conditioning.prosody import prosody_prior
from conditioning.target import NEUTRAL, EmotionTarget
from synth.face.apex import APEX, MEASURES, measure
from synth.face.errors import FaceInputError
from synth.face.portrait import detect_face
from synth.render.engine_spec import PAUSE_PHONES
from train.judges.speech import f0_contour, loudness_lufs

SPEECH_CUES = ("f0_semitones", "loudness_db", "log_rate")
# What one unit of each cue is worth when they are pooled into one strength (about what the
# prior asks of a full-intensity emotion), and the least expected change that has a direction.
CUE_SCALES = np.array([3.0, 4.0, 0.1])
CUE_MIN_EXPECTED = np.array([0.5, 1.0, 0.02])


@dataclass(frozen=True)
class SpeechCues:
    f0_semitones: float      # median voiced F0, semitones re 100 Hz
    loudness_db: float       # integrated loudness, LUFS
    log_rate: float          # log phones per second of speech

    def vector(self) -> np.ndarray:
        return np.array([self.f0_semitones, self.loudness_db, self.log_rate])


def speech_cues(audio: np.ndarray, sample_rate: int, phones) -> SpeechCues:
    f0 = f0_contour(audio, sample_rate)
    voiced = f0[f0 > 0]
    median = float(np.median(12.0 * np.log2(voiced / 100.0))) if voiced.size else math.nan
    spoken = [(start, end) for symbol, start, end in phones if symbol not in PAUSE_PHONES]
    seconds = sum(end - start for start, end in spoken)
    return SpeechCues(median, loudness_lufs(audio, sample_rate),
                      math.log(len(spoken) / seconds) if seconds > 0 else math.nan)


def expected_speech_change(target: EmotionTarget) -> np.ndarray:
    """The prior's change from neutral, in the cues' units: semitones, dB, log tempo."""
    wanted, neutral = prosody_prior(target), prosody_prior(NEUTRAL)
    return np.array([wanted.f0_shift_semitones - neutral.f0_shift_semitones,
                     wanted.loudness_db - neutral.loudness_db,
                     math.log(wanted.tempo_factor / neutral.tempo_factor)])


def cue_agreement(measured_change: np.ndarray, expected: np.ndarray, minimum: np.ndarray) -> list[bool]:
    """Per cue that the prior moves by at least `minimum`: did the output move the same way?"""
    return [bool(np.sign(m) == np.sign(e)) for m, e, low in zip(measured_change, expected, minimum)
            if abs(e) >= low and np.isfinite(m)]


def cue_strength(measured_change: np.ndarray, expected: np.ndarray, scales: np.ndarray) -> float:
    """How far the output moved along the asked direction (scaled units): the projection."""
    m, e = measured_change / scales, expected / scales
    norm = np.linalg.norm(e)
    return float(np.nansum(m * e) / norm) if norm > 0 else 0.0


# ----------------------------------------------------------------------------- faces

FACE_MEASURES = tuple(MEASURES)


def detected_landmarks(frames: list[np.ndarray]) -> list[np.ndarray | None]:
    found = []
    for frame in frames:
        try:
            found.append(detect_face(frame, largest=True).landmarks)
        except FaceInputError:
            found.append(None)
    return found


def face_displacements(neutral: list[np.ndarray | None], posed: list[np.ndarray | None]) -> np.ndarray | None:
    """The median over frame pairs both detected of `measure(neutral, posed)`, as a vector."""
    rows = [[measure(a, b)[name] for name in FACE_MEASURES] for a, b in zip(neutral, posed)
            if a is not None and b is not None]
    return np.median(np.array(rows), axis=0) if rows else None


def apex_vector(category: str) -> np.ndarray:
    return np.array([APEX[category][n].value if n in APEX[category] else 0.0 for n in FACE_MEASURES])


def geometry_category(displacement: np.ndarray) -> str:
    """The category whose apex figures lie nearest (as train.evaluate_talking_head reads it)."""
    scores = {}
    for category in APEX:
        reference = apex_vector(category)
        mask = (reference != 0) | (np.abs(displacement) > 0.02)
        scores[category] = float(np.sum(((displacement - reference) * mask) ** 2))
    return min(scores, key=scores.get)


def geometry_strength(displacement: np.ndarray, category: str) -> float:
    """The displacement projected on the asked category's apex figures, in apex units (1: apex)."""
    reference = apex_vector(category)
    norm = float(reference @ reference)
    return float(displacement @ reference / norm) if norm > 0 else 0.0
