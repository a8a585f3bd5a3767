"""A script dubbed: every cue checked, then spoken to its slot one at a time (each written
to disk as it is made, so a long script runs in bounded memory and an interrupted run
resumes), then the track assembled by streaming, the achieved SRT, and optionally the mix
over a background and the video.

Outputs for a track `dialogue.wav`:
    dialogue.wav                the dialogue track (WAV or FLAC, by the suffix)
    dialogue.achieved.srt       the script with the achieved times
    dialogue_cues/0001.wav ...  each cue as it sits on the track
    dialogue_cues/manifest.jsonl  one line per cue (text, emotion, voice, slot, achieved times, SER)
    dialogue_cues/render/       the cues as spoken (resumable work; reused by a rerun)
    dialogue.mix.wav            with a background: the dialogue over it, ducked
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import soundfile as sf

from common.audio_io import open_audio, resample
from common.atomic import atomic_write_bytes
from conditioning.timeline import EmotionSource
from synth.provenance import make_record, write_record

from .emotions import dialogue_timeline, for_spoken_length, resolve_emotion
from .manifest import MANIFEST_NAME, append_line, read_rendered, request_key, write_manifest
from .script import Cue, DubScript, DubScriptError, read_script
from .subtitles import srt_text
from .timing import fill_slot, plan_timing, sounding_span
from .track import TrackWriter, audio_format, dialogue_gain_db, fade_edges, mix_over, start_sample
from .video import face_source, replace_audio, video_kind, video_sound

DEFAULT_SAMPLE_RATE = 48000        # video's audio rate
SAMPLE_RATES = (16000, 22050, 24000, 32000, 44100, 48000)
MAX_BACKGROUND_S = 4 * 3600.0
CueProgress = Callable[[int, int, str], None]     # (cues done, cues in all, what was just done)


@dataclass(frozen=True)
class DubOptions:
    voice: str | None = None           # for cues that name none (None: the decoder's default)
    emotion: str = "neutral"           # for cues that give none
    decoder: str = "engine"
    sample_rate: int = DEFAULT_SAMPLE_RATE
    natural: bool = False              # keep a cue's natural length when it ends before the next cue
    loudness: float | None = -18.0     # the whole dialogue's integrated loudness (LUFS); None: as spoken
    seed: int = 0
    background: str | None = None      # audio to mix the dialogue over (ducked under each cue)
    duck_db: float = -12.0
    video: str | None = None           # "default", "cartoon", a portrait image, or a video to re-voice
    mix_video_audio: bool = False      # keep a re-voiced video's own sound under the dialogue
    video_size: int | None = 256

    def __post_init__(self) -> None:
        if self.sample_rate not in SAMPLE_RATES:
            raise DubScriptError(f"sample rate must be one of {', '.join(map(str, SAMPLE_RATES))}; "
                                 f"got {self.sample_rate}")
        if not -40.0 <= self.duck_db <= 0.0:
            raise DubScriptError(f"ducking must be within -40..0 dB; got {self.duck_db}")
        if self.video is not None:
            video_kind(self.video)
        if self.mix_video_audio and (self.video is None or video_kind(self.video) != "video"):
            raise DubScriptError("--mix-video-audio needs --video with a video file to mix into")
        if self.background is not None and not Path(self.background).is_file():
            raise DubScriptError(f"no background audio file at {self.background}")


@dataclass
class DubResult:
    """What `Studio.dub` made: the files, each cue's manifest line, and the settings."""
    track: Path
    srt: Path
    manifest: Path
    cues: list[dict]
    options: DubOptions
    gain_db: float
    mix: Path | None = None
    video: Path | None = None
    face_recognized: Any = None        # the FER reading of a rendered talking head
    animation: Any = None              # the talking head (motion, landmarks) when one was rendered
    rendered: int = 0                  # cues spoken in this run (the rest were kept from a previous one)
    script: str = ""

    @property
    def flagged(self) -> list[dict]:
        return [line for line in self.cues if line["flag"]]

    def recipe(self) -> dict:
        """JSON-ready: the settings, the outputs, each cue's line (without phones) and a summary."""
        errors = [abs(line["fit_error"]) for line in self.cues if line["timing"]["mode"] == "slot" and not line["flag"]]
        return {"script": self.script, "options": dataclasses.asdict(self.options), "track": str(self.track),
                "srt": str(self.srt), "manifest": str(self.manifest), "mix": str(self.mix) if self.mix else None,
                "video": str(self.video) if self.video else None, "gain_db": round(self.gain_db, 2),
                "cues": len(self.cues), "rendered": self.rendered,
                "flagged": [{"cue": line["cue"], "line": line["line"], "flag": line["flag"]} for line in self.flagged],
                "max_fit_error": round(max(errors), 4) if errors else None,
                "face_recognized": self.face_recognized.to_dict() if self.face_recognized is not None else None,
                "cue_lines": [{k: v for k, v in line.items() if k != "phones"} for line in self.cues]}


def output_paths(track: Path) -> dict[str, Path]:
    cues = track.with_name(f"{track.stem}_cues")
    return {"track": track, "srt": track.with_name(f"{track.stem}.achieved.srt"), "cues": cues,
            "render": cues / "render", "manifest": cues / MANIFEST_NAME,
            "mix": track.with_name(f"{track.stem}.mix{track.suffix}")}


@dataclass(frozen=True)
class CheckedCue:
    cue: Cue
    emotion: EmotionSource
    voice: str
    room_s: float                      # to the next cue's start (inf for the last)


def check_script(script: DubScript, options: DubOptions, voices: tuple[str, ...],
                 default_voice: str) -> list[CheckedCue]:
    """Every cue's emotion, voice and text, checked before any is spoken; errors name the line."""
    from synth.text import text_to_sequence

    checked = []
    for cue, following in zip(script.cues, [*script.cues[1:], None]):
        where = script.at_line(cue)
        voice = cue.voice or options.voice or default_voice
        if voice not in voices and not (voice.endswith(".onnx") and Path(voice).is_file()):
            hint = " (map speakers to voices with --voices voices.toml)" if cue.speaker else ""
            raise DubScriptError(f"{where}: unknown voice {voice!r}{hint}; the voices are {', '.join(voices)}")
        try:
            text_to_sequence(cue.text)
        except ValueError as error:
            raise DubScriptError(f"{where}: {error}") from None
        emotion = resolve_emotion(cue, script, options.emotion)
        room = following.start - cue.start if following else math.inf
        checked.append(CheckedCue(cue, emotion, voice, room))
    return checked


def _cue_request(item: CheckedCue, options: DubOptions) -> dict:
    """What a cue's rendering depends on: a rerun reuses a rendering only for the same request."""
    cue = item.cue
    return {"text": cue.text, "emotion": cue.emotion or options.emotion, "voice": item.voice,
            "start": cue.start, "end": cue.end, "room": None if math.isinf(item.room_s) else round(item.room_s, 6),
            "natural": options.natural, "decoder": options.decoder, "seed": options.seed,
            "sample_rate": options.sample_rate}


def _speak_to_plan(studio, item: CheckedCue, options: DubOptions):
    """(natural length, timing plan, the SpeakResult spoken to it). A static emotion fitted to
    its slot takes one call (the fit reports the natural length it started from), unless the
    rate limit then asks for another length; natural mode and timelines speak naturally first
    (a timeline's keyframes are placed on the natural rendering's clock)."""
    from synth.speech import TTSInputError

    cue = item.cue
    speak = dict(voice=item.voice, decoder=options.decoder, seed=options.seed, loudness=None)
    if not options.natural and not item.emotion.varies_over_time:
        try:
            fitted = studio.speak(cue.text, emotion=item.emotion, duration=cue.slot_s, **speak)
        except TTSInputError:  # the slot is beyond what the engine fits at all: far past the rate limit
            fitted = None
        if fitted is not None:
            natural_s = fitted.speech.natural_duration_s
            plan = plan_timing(natural_s, cue.slot_s, item.room_s)
            if plan.target_s == cue.slot_s:
                return natural_s, plan, fitted
    natural = studio.speak(cue.text, emotion=item.emotion, **speak)
    natural_s = natural.speech.duration_s
    plan = plan_timing(natural_s, cue.slot_s, item.room_s, options.natural)
    if plan.target_s is None:
        return natural_s, plan, natural
    emotion = for_spoken_length(item.emotion, plan.target_s, natural_s)
    return natural_s, plan, studio.speak(cue.text, emotion=emotion, duration=plan.target_s, **speak)


def render_cue(studio, item: CheckedCue, options: DubOptions, render_path: Path) -> dict:
    """One cue spoken to its slot, fitted sample-exactly, written (as spoken, before the
    track's gain) to `render_path`; returns its manifest line."""
    from synth.loudness import integrated_loudness

    cue, rate = item.cue, options.sample_rate
    natural_s, plan, spoken = _speak_to_plan(studio, item, options)
    audio = resample(spoken.audio.astype(np.float64), spoken.sample_rate, rate).astype(np.float32)
    first = start_sample(cue.start, rate)
    slot = len(audio) if plan.mode == "natural" else start_sample(cue.end, rate) - first
    room = None if math.isinf(item.room_s) else start_sample(cue.start + item.room_s, rate) - first
    placed = fill_slot(audio, rate, slot, room)
    sf.write(str(render_path), placed.audio, rate, subtype="FLOAT", format="WAV")
    onset, offset = sounding_span(placed.audio, rate)
    spoken_s = len(audio) / rate
    achieved_s = min(spoken_s, len(placed.audio) / rate)
    fit_error = spoken_s / (plan.target_s or natural_s) - 1.0
    recognized = spoken.recognized.target if spoken.recognized else None
    shift = cue.start - placed.trimmed_start / rate
    return {"cue": cue.index + 1, "line": cue.line, "text": cue.text, "voice": item.voice,
            "emotion": cue.emotion or options.emotion, "resolved": item.emotion.to_dict(),
            "category": item.emotion.first.category,
            "slot": [round(cue.start, 4), round(cue.end, 4)], "slot_s": round(cue.slot_s, 4),
            "start_s": round(cue.start, 4), "end_s": round(cue.start + achieved_s, 4),
            "spoken_s": round(spoken_s, 4), "natural_s": round(natural_s, 4),
            "placed_s": round(len(placed.audio) / rate, 4),
            "fit_error": round(fit_error, 4), "slot_error": round(spoken_s / cue.slot_s - 1.0, 4),
            "timing": plan.to_dict(), "flag": plan.flag, "cut_s": round(placed.cut_samples / rate, 4),
            "speech_s": [round(cue.start + onset / rate, 4), round(cue.start + offset / rate, 4)],
            "first_sample": start_sample(cue.start, rate), "samples": len(placed.audio),
            "raw_lufs": round(integrated_loudness(placed.audio, rate), 3),
            "recognized": recognized.to_dict() if recognized else None,
            "recognized_category": recognized.category if recognized else None,
            "phones": [[symbol, round(shift + s, 3), round(shift + e, 3)] for symbol, s, e in spoken.phones],
            "render": str(render_path.name)}


def _kept(line: dict | None, render_path: Path) -> bool:
    if line is None or not render_path.is_file():
        return False
    try:
        return sf.info(str(render_path)).frames == line["samples"]
    except RuntimeError:  # a rendering torn by the interruption
        return False


def dub_script(studio, script: DubScript | str | Path, output: str | Path, options: DubOptions = DubOptions(),
               voices_config: str | Path | None = None, progress: CueProgress | None = None) -> DubResult:
    """`script` (a DubScript or a script file) dubbed into the track `output` (.wav or .flac)."""
    from synth.speaking import synthesizer_for, voice_for

    report = progress or (lambda done, total, message: None)
    if not isinstance(script, DubScript):
        script = read_script(script, voices_config)
    elif voices_config:
        from .voices_config import apply_voice_map, read_voice_map
        script = apply_voice_map(script, read_voice_map(voices_config))
    paths = output_paths(Path(output))
    audio_format(paths["track"])   # a track we can write (.wav, .flac), refused before any work
    synthesizer = synthesizer_for(options.decoder)
    checked = check_script(script, options, tuple(synthesizer.voices), voice_for(synthesizer))
    _check_video_output(options, paths["track"])
    paths["render"].mkdir(parents=True, exist_ok=True)
    previous = read_rendered(paths["manifest"])
    lines, rendered = [], 0
    for item in checked:
        request = _cue_request(item, options)
        render_path = paths["render"] / f"{item.cue.index + 1:04d}.wav"
        line = previous.get(request_key(request))
        if _kept(line, render_path) and line.get("render") == render_path.name:
            report(len(lines) + 1, len(checked), f"cue {item.cue.index + 1} kept")
        else:
            line = {**render_cue(studio, item, options, render_path), "request": request}
            append_line(paths["manifest"], line)
            rendered += 1
            report(len(lines) + 1, len(checked), f"cue {item.cue.index + 1} spoken")
        lines.append(line)
    gain_db = dialogue_gain_db([(line["raw_lufs"], line["placed_s"]) for line in lines], options.loudness)
    _assemble(lines, paths, options.sample_rate, gain_db)
    write_manifest(paths["manifest"], lines)
    atomic_write_bytes(paths["srt"], srt_text((item.cue, line["start_s"], line["end_s"])
                                              for item, line in zip(checked, lines)).encode())
    result = DubResult(paths["track"], paths["srt"], paths["manifest"], lines, options, gain_db,
                       rendered=rendered, script=script.source)
    # Each cue carries the watermark Studio.speak gave it; the track carries the record.
    recipe = {"script": str(script.source), "options": dataclasses.asdict(options)}
    write_record(paths["track"], make_record("dub", json.loads(json.dumps(recipe, default=str)),
                                             checkpoints=("speech_emotion.pt",)))
    slots = np.array([line["slot"] for line in lines], dtype=np.float64)
    if options.background:
        background = open_audio(options.background, max_duration_s=MAX_BACKGROUND_S)
        result.mix = mix_over(paths["track"], background, slots, paths["mix"], options.duck_db)
    if options.video:
        _video(studio, result, checked, options, slots)
    return result


def _check_video_output(options: DubOptions, track: Path) -> None:
    if options.video and video_output(track) == Path(options.video):
        raise DubScriptError(f"the dubbed video would overwrite its source {options.video}; choose another output")


def video_output(track: Path) -> Path:
    return track.with_suffix(".mp4")


def _assemble(lines: list[dict], paths: dict[str, Path], rate: int, gain_db: float) -> None:
    """Each rendering at the track's gain, limited, faded, written as its cue file and onto
    the track at its first sample; one cue in memory at a time."""
    from synth.loudness import limit_true_peak

    gain = np.float32(10 ** (gain_db / 20))
    suffix = paths["track"].suffix
    with TrackWriter(paths["track"], rate) as writer:
        for line in lines:
            raw, _ = sf.read(str(paths["render"] / line["render"]), dtype="float32")
            final = fade_edges(limit_true_peak(raw * gain, rate), rate)
            cue_path = paths["cues"] / f"{line['cue']:04d}{suffix}"
            with TrackWriter(cue_path, rate) as cue_writer:
                cue_writer.place(0, final)
                cue_writer.finish()
            line["audio"] = str(cue_path)
            writer.place(line["first_sample"], final)
        writer.finish()


def _video(studio, result: DubResult, checked: list[CheckedCue], options: DubOptions, slots: np.ndarray) -> None:
    output = video_output(result.track)
    if video_kind(options.video) == "portrait":
        emotion = dialogue_timeline([(line["start_s"], max(line["end_s"], line["start_s"] + 0.01), item.emotion)
                                     for item, line in zip(checked, result.cues)])
        animation, _ = studio.animate(face_source(options.video), result.mix or result.track, emotion=emotion,
                                      output=output, size=options.video_size, seed=options.seed)
        result.video, result.face_recognized, result.animation = animation.video, animation.recognized, animation
        return
    sound = result.track
    if options.mix_video_audio:
        with video_sound(Path(options.video), options.sample_rate) as own:
            if own is not None:
                sound = mix_over(result.track, own, slots,
                                 result.track.with_name(f"{result.track.stem}.video-mix.wav"), options.duck_db)
    result.video = replace_audio(Path(options.video), sound, output)
