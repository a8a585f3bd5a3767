"""Emotional voice conversion of any recording: same words, same voice, another emotion.

    recording --check_speech--> refused (silence, noise, music) or evidence
              --SER, or given--> the source's own emotion
              --energy VAD--> chunks cut in pauses (<= 20 s), pauses and speech pieces in each
    per chunk: analysis (F0; pitch marks or WORLD features) at a common speech level
              --planner--> the prosody change, relative to the source's emotion (per piece
                           for a timeline)
              --renderer--> F0 level, range and contour; local tempo and pause lengths as a
                           time warp; energy; tilt; breathiness, jitter and shimmer: by default
                           on the recording's own samples (psola.py, pitch-synchronous
                           overlap-add), or by WORLD analysis and resynthesis (world_transform)
              --> back to the input's level and rate; chunks joined in their pauses
    result --SER--> what the recognizer hears, against the source as the speaker's neutral
                    when the source is neutral

Intensity 0 (or an asked emotion equal to the source's) returns the input samples exactly:
nothing goes through either renderer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from common.audio_io import AudioInputError, check_audio, resample
from conditioning.parse import parse_static_emotion
from conditioning.target import NEUTRAL, EmotionTarget
from conditioning.timeline import EmotionSource, EmotionTimeline
from synth.audio_files import write_audio
from synth.render.emotional import CONTOUR_MIN_INTENSITY, contour_for, limit_widening
from synth.render.world_transform import analyze, apply_prosody_to_features, limit_peak
from synth.settings import CONVERT_FIELDS

from . import psola
from .errors import ConversionInputError
from .learned_planner import DEFAULT_PLANNER, planner_for
from .planner import ConversionPlanner, is_no_change
from .segments import FRAME_S, activity, chunk_bounds, pseudo_phones
from .speech_check import SpeechEvidence, check_speech

MIN_RATE_HZ = 8000
MAX_INPUT_S = 600.0
MIN_INPUT_S = 0.3
# Every chunk is analysed at one speech level, as the engine decoder does (emotional.py): the
# loudness change then means the same on any recording, with headroom under the peak limit.
SPEECH_LEVEL_DBFS = -30.0


@dataclass(frozen=True, eq=False)
class ConversionResult:
    """The converted audio (at the input's rate, mono), the resolved emotion asked for, the
    source's emotion (given or read by the SER), the SER's readings of source and result,
    and what was applied."""

    audio: np.ndarray
    sample_rate: int
    emotion: EmotionSource
    source_emotion: EmotionTarget
    source_emotion_given: bool
    source_recognized: Any            # conditioning.ser.SpeechEmotion | None
    recognized: Any                   # conditioning.ser.SpeechEmotion | None
    applied: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    scoring: Any = None               # synth.scoring.Scored when made with best_of / calibrate
    provenance: Any = None            # synth.provenance.ProvenanceRecord: what made it, watermarked in
    source_basis: str = "given"       # how the source's emotion was decided (see source_basis())

    @property
    def target(self) -> EmotionTarget:
        """The resolved emotion (a timeline's first keyframe)."""
        return self.emotion.first

    @property
    def duration_s(self) -> float:
        return len(self.audio) / self.sample_rate

    def recipe(self) -> dict[str, Any]:
        """JSON-ready: settings, the resolved target, the source's emotion, the SER's readings
        and what was applied; the batch manifest's lines are this."""
        def reading(speech):
            return None if speech is None else speech.target.to_dict()

        return {**self.settings, "resolved": self.emotion.to_dict(),
                "source_emotion": self.source_emotion.to_dict(), "source_emotion_given": self.source_emotion_given,
                "source_basis": self.source_basis,
                "source_category": self.source_emotion.category,
                "source_recognized": reading(self.source_recognized),
                "recognized": reading(self.recognized),
                "recognized_category": self.recognized.target.category if self.recognized else None,
                "duration_s": round(self.duration_s, 3), "sample_rate": self.sample_rate, "applied": self.applied,
                **({"scoring": self.scoring.to_dict()} if self.scoring else {})}

    def write_wav(self, path: str | Path) -> Path:
        """Writes the audio as 16-bit WAV (or FLAC, by the suffix), atomically, with its
        provenance record inside and beside it."""
        return write_audio(path, self.audio, self.sample_rate, self.provenance)


def source_emotion_heard(reading) -> EmotionTarget:
    """What the conversion starts from when the user did not say: the recognizer's reading, or
    neutral when the recognizer calls its own reading unreliable. Converting relative to a
    doubtful "furious" would calm a plain recording down; assuming plain speech errs small."""
    return reading.target if reading.reliable else NEUTRAL


def source_basis(given: bool, reading) -> str:
    if given:
        return "given"
    if reading.reliable:
        return f"heard (confidence {reading.confidence:.2f})"
    return f"assumed neutral: the recognizer was unsure (confidence {reading.confidence:.2f})"


def check_source_audio(audio: np.ndarray, sample_rate: int) -> tuple[np.ndarray, int]:
    """Mono float64 audio (stereo is downmixed), at 8 kHz or more, 0.3 s to 10 minutes."""
    samples = np.asarray(audio)
    if samples.ndim == 2:  # (samples, channels), as soundfile reads; (channels, samples) if wider than long
        samples = samples.mean(axis=1) if samples.shape[0] >= samples.shape[1] else samples.mean(axis=0)
    try:
        x, rate = check_audio(samples, sample_rate, MIN_INPUT_S, MAX_INPUT_S)
    except AudioInputError as error:
        raise ConversionInputError(str(error)) from None
    if rate < MIN_RATE_HZ:
        raise ConversionInputError(f"sample rate {rate} Hz is too low for speech conversion; at least "
                                   f"{MIN_RATE_HZ} Hz is needed")
    return x, rate


def check_intensity(intensity: float) -> float:
    try:
        value = float(intensity)
    except (TypeError, ValueError):
        raise ValueError(f"intensity must be a number; got {intensity!r}") from None
    low, high = CONVERT_FIELDS["intensity"].limits
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"intensity must be within {low:g}..{high:g} (0 leaves the recording as it is); "
                         f"got {intensity!r}")
    return value


def _speech_level_gain(x: np.ndarray, active: np.ndarray, hop: int) -> float:
    frames = np.flatnonzero(active)
    if not frames.size:
        return 1.0
    power = np.mean(np.concatenate([x[i * hop:(i + 1) * hop] for i in frames]) ** 2)
    return float(10.0 ** ((SPEECH_LEVEL_DBFS - 10.0 * np.log10(power + 1e-12)) / 20.0))


def _f0_std_semitones(f0: np.ndarray) -> float:
    voiced = np.asarray(f0)[np.asarray(f0) > 0]
    return float(np.std(12.0 * np.log2(voiced))) if voiced.size > 1 else 0.0


def _world_render(features, phones, targets, seed, contour, phone_targets) -> tuple[np.ndarray, int, dict]:
    result = apply_prosody_to_features(features, phones, targets, seed, contour, phone_targets=phone_targets)
    return result.audio, result.sample_rate, {**result.applied, "renderer": "world"}


def _psola_render(analysis, phones, targets, seed, contour, phone_targets) -> tuple[np.ndarray, int, dict]:
    audio, applied = psola.render(analysis, phones, targets, seed, contour, phone_targets=phone_targets)
    return audio, analysis.sample_rate, applied


# (analyse: (audio, rate) -> something with .f0 and .duration, render: -> (audio, its rate, applied)).
# PSOLA moves the recording's own samples; WORLD remakes them and loses words doing so (models/vc.md).
RENDERERS = {"psola": (psola.analyse, _psola_render), "world": (analyze, _world_render)}
DEFAULT_RENDERER = "psola"


class VoiceConverter:
    """Converts recordings; the planner says what to change, the renderer changes it
    ("psola": on the recording's samples; "world": by WORLD resynthesis), the SER reads source
    and result."""

    def __init__(self, planner: ConversionPlanner | None = None, recognizer=None, renderer: str = DEFAULT_RENDERER):
        if renderer not in RENDERERS:
            raise ValueError(f"renderer must be one of {', '.join(RENDERERS)}; got {renderer!r}")
        self.planner = planner or planner_for(DEFAULT_PLANNER)
        self.renderer = renderer
        self._recognizer = recognizer

    def with_planner(self, planner: ConversionPlanner) -> "VoiceConverter":
        """The same converter (renderer, recognizer) planning with ``planner``."""
        return VoiceConverter(planner, self._recognizer, self.renderer)

    @property
    def recognizer(self):
        if self._recognizer is None:
            from conditioning.ser import shipped_recognizer

            self._recognizer = shipped_recognizer()
        return self._recognizer

    def convert(self, audio: np.ndarray, sample_rate: int, emotion: EmotionSource, intensity: float = 1.0,
                source_emotion: EmotionTarget | str | None = None, seed: int = 0,
                recognize: bool = True) -> ConversionResult:
        """``audio`` (mono or stereo, any rate from 8 kHz, up to 10 minutes) with its prosody
        moved from the source's emotion to ``emotion`` (a target or a timeline, times in the
        input's seconds), ``intensity`` times the planned difference (0: unchanged; up to 2).
        ``source_emotion`` (any static form) skips the SER's reading of the source."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise ValueError(f"seed must be an integer; got {seed!r}")
        intensity = check_intensity(intensity)
        if not isinstance(emotion, (EmotionTarget, EmotionTimeline)):
            raise TypeError(f"emotion must be a parsed EmotionTarget or EmotionTimeline; got {type(emotion).__name__}")
        x, rate = check_source_audio(audio, sample_rate)
        evidence = check_speech(x, rate)
        given = source_emotion is not None
        source_reading = None
        if given:
            source = (source_emotion if isinstance(source_emotion, EmotionTarget)
                      else parse_static_emotion(source_emotion))
        else:
            source_reading = self.recognizer.recognize(x, rate, frames=False)
            source = source_emotion_heard(source_reading)
        settings = {"intensity": intensity, "seed": int(seed), "planner": self.planner.name}
        planner = self.planner.for_recording(x, rate, int(seed)) if intensity > 0.0 else self.planner
        if intensity == 0.0 or (not emotion.varies_over_time
                                and is_no_change(planner.plan(source, emotion.first, intensity))):
            out, applied = x.astype(np.float32), {"bypassed": True, "reason": "nothing to change",
                                                    "speech_evidence": evidence.to_dict()}
        else:
            out, applied = self._transform(x, rate, emotion, source, intensity, int(seed), evidence, planner)
        recognized = self._read_result(out, rate, x, source) if recognize else None
        if recognize and given:
            source_reading = self.recognizer.recognize(x, rate, frames=False)
        return ConversionResult(out, rate, emotion, source, given, source_reading, recognized, applied, settings,
                                source_basis=source_basis(given, source_reading))

    def _read_result(self, out: np.ndarray, rate: int, source_audio: np.ndarray, source: EmotionTarget):
        """The SER's reading; against the source as the speaker's neutral voice when the source
        is neutral (what the recognizer's reference branch was trained on)."""
        recognizer = self.recognizer
        reference = None
        if source.category == "neutral" and recognizer.takes_speaker_reference:
            reference = recognizer.speaker_reference(source_audio, rate)
        return recognizer.recognize(out, rate, frames=False, reference=reference)

    def _transform(self, x: np.ndarray, rate: int, emotion: EmotionSource, source: EmotionTarget,
                   intensity: float, seed: int, evidence: SpeechEvidence,
                   planner: ConversionPlanner) -> tuple[np.ndarray, dict]:
        hop = max(1, int(round(FRAME_S * rate)))
        act = activity(x, rate)
        bounds = chunk_bounds(act.active, act.level_db)
        contour = self._contour(emotion, source, intensity)
        analyse, render = RENDERERS[self.renderer]
        pieces, chunks = [], []
        for index, (start, end) in enumerate(bounds):
            a, b = start * hop, (end * hop if index < len(bounds) - 1 else x.size)
            chunk = x[a:b]
            gain = _speech_level_gain(chunk, act.active[start:end], hop)
            analysis = analyse(chunk * gain, rate)
            phones = pseudo_phones(act.active[start:end], analysis.duration)
            offset = a / rate
            spread = _f0_std_semitones(analysis.f0)
            targets = [limit_widening(planner.plan(source, emotion.at(offset + 0.5 * (s + e)), intensity), spread)
                       for _, s, e in phones]
            # A static emotion gives every phone the same target: one for the utterance suffices.
            audio, audio_rate, done = render(analysis, phones, targets[len(targets) // 2], seed + index, contour,
                                             targets if emotion.varies_over_time else None)
            pieces.append(resample(np.asarray(audio, dtype=np.float64), audio_rate, rate) / gain)
            chunks.append({"start_s": round(offset, 3), "input_s": round(chunk.size / rate, 3),
                           "output_s": round(len(audio) / audio_rate, 3),
                           "speech_level_gain_db": round(20 * math.log10(gain), 2),
                           "f0_median_in_hz": round(done["f0_median_in_hz"], 1),
                           "f0_median_out_hz": round(done["f0_median_out_hz"], 1)})
        out, limit_db = limit_peak(np.concatenate(pieces).astype(np.float32))
        applied = {"bypassed": False, "renderer": self.renderer,
                   "prosody_change": planner.plan(source, emotion.first, intensity).to_dict(),
                   "varies_over_time": emotion.varies_over_time, "contour": contour,
                   "peak_limit_db": round(limit_db, 2), "chunks": chunks, "speech_evidence": evidence.to_dict()}
        return out, applied

    @staticmethod
    def _contour(emotion: EmotionSource, source: EmotionTarget, intensity: float) -> str:
        """The target's intonation shape, unless the source already has one of its own (a
        sad source keeps its fall) or the change is too weak to carry one."""
        last = emotion.last
        if intensity * last.intensity < CONTOUR_MIN_INTENSITY or contour_for(source) != "neutral":
            return "neutral"
        return contour_for(last)


def convert(audio: np.ndarray, sample_rate: int, emotion: EmotionSource, **options) -> ConversionResult:
    """One conversion with the default planner and the shipped SER."""
    return VoiceConverter().convert(audio, sample_rate, emotion, **options)


__all__ = ["ConversionResult", "VoiceConverter", "convert", "check_source_audio", "check_intensity",
           "ConversionInputError", "MAX_INPUT_S"]
