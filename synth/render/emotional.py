"""Emotional speech from a voice's own engine: the prosody prior's targets, the engine's own
controls for a coarse share of tempo and F0, WORLD for the measured remainder.

The corpus builder renders every training item this way, and the studio speaks its engine
voices this way (:mod:`synth.render.synthesizer`): one code path, so what the learned models
were taught and what the studio says by default are the same rendering.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass

import numpy as np

from conditioning.prosody import ProsodyTargets
from conditioning.target import EmotionTarget
from synth.vocoder.world import F0_FLOOR_HZ

from .engines import PAUSE_PHONES, EngineControls, f0_mean_floor_hz, render, voice_spec
from .world_transform import analyze


# ------------------------------------------------------------------------------ engine share

# Engine presets: tempo and F0 levels the engine renders itself. Thresholds sit halfway to
# the preset values, so the WORLD remainder stays within about +-1.5 st and +-7 % tempo.
ENGINE_STRETCH = {-1: 1.0 / 0.88, 0: 1.0, 1: 0.88}       # tempo level -> duration stretch
ENGINE_TEMPO_THRESHOLD = 0.06                              # |log tempo| beyond this -> preset
ENGINE_F0_SEMITONES = 3.0                                  # F0 preset step
ENGINE_F0_THRESHOLD = 1.5
# Only the F0 mean is asked of the engine: its stddev target is not the realised spread
# (asking 1.25x the measured spread gave 0.65-0.85x), so range is left to WORLD.
# The engine output is analysed by WORLD, which hears nothing below F0_FLOOR_HZ as voiced:
# a mean asked lower than this leaves the low half of the contour unvoiced, and WORLD then
# resynthesises it as noise (measured on kal16, mean 88 Hz: asked 74 Hz, 0.62 -> 0.36 of
# frames voiced; whispered, not lowered). The voice's lows reach ~6.5 st under its mean,
# so the engine stops 4.5 st above the floor and WORLD, which lowers any voiced F0, does the rest.
ENGINE_F0_MEAN_FLOOR_HZ = F0_FLOOR_HZ * 2.0 ** (4.5 / 12.0)   # 84.3 Hz


def engine_preset(targets: ProsodyTargets, voice: str) -> tuple[int, int]:
    """(tempo level, F0 level) in {-1, 0, 1}: the coarse share the engine renders."""
    log_tempo = math.log(targets.tempo_factor)
    controls = voice_spec(voice).controls
    tempo = 0 if abs(log_tempo) <= ENGINE_TEMPO_THRESHOLD or "duration_stretch" not in controls \
        else int(np.sign(log_tempo))
    can_move_f0 = "f0_mean_hz" in controls
    shift = targets.f0_shift_semitones
    f0 = 0 if not can_move_f0 or abs(shift) <= ENGINE_F0_THRESHOLD else int(np.sign(shift))
    return tempo, f0


def _voiced_semitones(f0: np.ndarray) -> np.ndarray:
    voiced = f0[f0 > 0]
    return 12.0 * np.log2(voiced / 100.0) if voiced.size else np.zeros(1)


def _controls_for(preset: tuple[int, int], plain_f0_mean_hz: float, voice: str) -> EngineControls:
    """The engine request for a preset; WORLD makes up whatever a floor clips (it is measured)."""
    tempo, f0 = preset
    if f0 == 0:
        return EngineControls(duration_stretch=ENGINE_STRETCH[tempo])
    floor_hz = max(f0_mean_floor_hz(voice), ENGINE_F0_MEAN_FLOOR_HZ)
    mean_hz = max(plain_f0_mean_hz * 2.0 ** (f0 * ENGINE_F0_SEMITONES / 12.0), floor_hz)
    return EngineControls(duration_stretch=ENGINE_STRETCH[tempo], f0_mean_hz=float(mean_hz))


# Every engine rendering is brought to one speech level before WORLD, so loudness_db means
# the same on every voice and leaves headroom: the engines' own levels differ by ~10 dB and
# the festival diphones already peak near full scale, where the peak limiter would take a
# loudness increase back (angry coming out quieter than neutral).
SPEECH_LEVEL_DBFS = -30.0


def speech_level_db(audio: np.ndarray, sample_rate: int, phones) -> float:
    """RMS level (dBFS) over the speech phones, pauses excluded."""
    spans = [audio[int(p.start * sample_rate):int(p.end * sample_rate)] for p in phones if p.phone not in PAUSE_PHONES]
    speech = np.concatenate(spans) if spans else audio
    return float(10.0 * np.log10(np.mean(np.square(speech, dtype=np.float64)) + 1e-12))


def _analyze_at_speech_level(rendering, level_dbfs: float = SPEECH_LEVEL_DBFS):
    gain = 10.0 ** ((level_dbfs - speech_level_db(rendering.audio, rendering.sample_rate,
                                                          rendering.phones)) / 20.0)
    return analyze(rendering.audio * gain, rendering.sample_rate, octave_check=voice_spec(rendering.voice).octave_check)


@dataclass(frozen=True)
class EngineRendering:
    features: object                 # WorldFeatures of the engine output
    phones: tuple                    # (phone, start, end) on that output
    controls: EngineControls
    measured: dict                   # what the engine did, against the plain rendering
    plain_f0_std_semitones: float = 0.0   # the plain rendering's F0 spread


@functools.lru_cache(maxsize=16)
def _analysed(text: str, voice: str, controls: EngineControls, seed: int, level_dbfs: float):
    """One engine rendering and its WORLD analysis (~85 % of the cost of an utterance), kept
    for the next request of the same text: the studio and the evaluations speak one text in
    many emotions. Callers only read the arrays (WorldFeatures.replace copies)."""
    rendering = render(text, voice, controls, seed=seed)
    return rendering, _analyze_at_speech_level(rendering, level_dbfs)


def engine_renderings(text: str, voice: str, presets: set[tuple[int, int]], seed: int = 0,
                      level_dbfs: float = SPEECH_LEVEL_DBFS) -> dict[tuple[int, int], EngineRendering]:
    """The engine's rendering of ``text`` at each preset (and plain), WORLD-analysed at one
    speech level, with what each preset measurably did against the plain one."""
    plain, plain_features = _analysed(text, voice, EngineControls(), seed, level_dbfs)
    plain_st = _voiced_semitones(plain_features.f0)
    plain_f0_mean_hz = float(np.mean(100.0 * 2.0 ** (plain_st / 12.0)))
    out = {}
    for preset in sorted(presets | {(0, 0)}):
        if preset == (0, 0):
            rendering, features = plain, plain_features
        else:
            rendering, features = _analysed(text, voice, _controls_for(preset, plain_f0_mean_hz, voice), seed,
                                            level_dbfs)
        st = _voiced_semitones(features.f0)
        measured = {
            "f0_shift_semitones": float(np.median(st) - np.median(plain_st)),
            "f0_range_factor": float(max(np.std(st), 1e-3) / max(np.std(plain_st), 1e-3)),
            "duration_ratio": float(rendering.duration / plain.duration),
        }
        out[preset] = EngineRendering(features, tuple((p.phone, p.start, p.end) for p in rendering.phones),
                                      rendering.controls, measured, float(np.std(plain_st)))
    return out


MAX_RANGE_WIDENING_SEMITONES = 1.2
# Surprise is the one category whose signature is the range itself (the prior's widest, x1.9,
# on a slower tempo with longer pauses): under the 1.2 st cap joe's surprise came out with its
# 20-80 % F0 span only +0.6 st wider than neutral (12 test sentences) and +0.3 (16 validation
# sentences), its final rise filling in the low end of joe's declining contour. At 2.4 st its
# span widens +2.1 st on the 16 validation sentences with WER 0.26 against 0.29 under the cap
# and 0.30 at neutral; the same allowance cost happy (fast, x1.12) 0.30 -> 0.34 there.
CATEGORY_RANGE_WIDENING_SEMITONES = {"surprised": 2.4}


def range_widening_semitones(category: str | None) -> float:
    """How far (F0 std, st) a category's range factor may widen a lively voice's spread."""
    return CATEGORY_RANGE_WIDENING_SEMITONES.get(category, MAX_RANGE_WIDENING_SEMITONES)


def limit_widening(targets: ProsodyTargets, plain_f0_std_semitones: float,
                   max_widening_semitones: float = MAX_RANGE_WIDENING_SEMITONES) -> ProsodyTargets:
    """A range factor that widens the voice's F0 spread (std) by at most
    ``max_widening_semitones`` (MAX_RANGE_WIDENING_SEMITONES unless a category is allowed more,
    :func:`range_widening_semitones`): the factors suit the narrow Debian voices (std ~1-1.5 st),
    but doubled the spread of a lively neural voice (joe, ~2.5 st) and cost it a third more
    misheard words (happy: WER 0.34 against 0.25 at the voice's own range)."""
    if targets.f0_range_factor <= 1.0 or plain_f0_std_semitones <= 0:
        return targets
    cap = 1.0 + max_widening_semitones / plain_f0_std_semitones
    return dataclasses.replace(targets, f0_range_factor=float(min(targets.f0_range_factor, cap)))


def world_share(targets: ProsodyTargets, measured: dict) -> ProsodyTargets:
    """What WORLD still has to apply after the engine did ``measured``."""
    return dataclasses.replace(
        targets,
        f0_shift_semitones=float(np.clip(targets.f0_shift_semitones - measured["f0_shift_semitones"], -12, 12)),
        f0_range_factor=float(np.clip(targets.f0_range_factor / measured["f0_range_factor"], 0.2, 3.0)),
        tempo_factor=float(np.clip(targets.tempo_factor * measured["duration_ratio"], 0.5, 2.0)),
    )


CONTOUR_MIN_INTENSITY = 0.5
_CONTOURS = {"surprised": "rising", "happy": "arched", "sad": "falling", "disgusted": "falling"}


def contour_for(target: EmotionTarget, voice: str | None = None) -> str:
    """Intonation shape by the dominant category (Murray & Arnott 1993, Table I: surprise
    rising, joy smooth upward inflections, sadness downward, disgust wide downward terminal
    inflections). Calm keeps its speaker's own contour, which sets it apart from sadness.
    A voice without ``arched_contour`` keeps its own accents for joy, widened by the range."""
    if target.intensity < CONTOUR_MIN_INTENSITY:
        return "neutral"
    contour = _CONTOURS.get(target.category, "neutral")
    if contour == "arched" and voice is not None and not voice_spec(voice).arched_contour:
        return "neutral"
    return contour
