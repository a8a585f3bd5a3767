"""Each cue's emotion, resolved once: any emotion form, an EmotionML document named by its
file (next to the script), or a timeline whose times count from the cue's start; and one
timeline for the whole dialogue (the talking head's), built from the cues."""

from __future__ import annotations

from pathlib import Path

from conditioning import parse_emotion
from conditioning.timeline import MAX_KEYFRAMES, EmotionSource, EmotionTimeline, Keyframe

from .script import Cue, DubScript, DubScriptError

EMOTIONML_SUFFIXES = (".emotionml", ".xml")
MAX_EMOTIONML_BYTES = 1_000_000


def emotion_input(value: str, folder: Path | None, where: str) -> str:
    """The emotion text to parse: a referenced EmotionML file's contents, or `value` itself."""
    if value.lower().endswith(EMOTIONML_SUFFIXES) and not value.lstrip().startswith("<"):
        path = Path(value) if Path(value).is_absolute() or folder is None else folder / value
        if not path.is_file():
            raise DubScriptError(f"{where}: no EmotionML document at {path}")
        if path.stat().st_size > MAX_EMOTIONML_BYTES:
            raise DubScriptError(f"{where}: {path} is larger than {MAX_EMOTIONML_BYTES} bytes")
        return path.read_text(encoding="utf-8")
    return value


def resolve_emotion(cue: Cue, script: DubScript, default: str = "neutral") -> EmotionSource:
    where = script.at_line(cue)
    try:
        return parse_emotion(emotion_input(cue.emotion or default, script.folder, where))
    except DubScriptError:
        raise
    except ValueError as error:  # EmotionInputError and its kin: the reason, at the cue's line
        raise DubScriptError(f"{where}: emotion {cue.emotion!r}: {error}") from None


def for_spoken_length(emotion: EmotionSource, cue_s: float, natural_s: float) -> EmotionSource:
    """A cue timeline on the natural rendering's clock: the engine samples a timeline at the
    phones of its plain rendering, and the cue is then fitted from `natural_s` to `cue_s`, so
    keyframe times are scaled by natural/cue to land where the script puts them."""
    if not emotion.varies_over_time or cue_s <= 0:
        return emotion
    scale = natural_s / cue_s
    return EmotionTimeline([Keyframe(k.time * scale, k.target) for k in emotion.keyframes], emotion.interpolation)


def dialogue_timeline(placed: list[tuple[float, float, EmotionSource]]) -> EmotionTimeline:
    """One timeline over the track from (start_s, end_s, emotion) per cue: a static emotion
    holds over its cue, a cue's timeline is shifted to the cue's start (and cut at its end);
    between cues the face eases from one cue's emotion to the next."""
    keyframes: list[Keyframe] = []

    def add(time: float, target) -> None:
        if not keyframes or time > keyframes[-1].time + 1e-3:
            keyframes.append(Keyframe(round(time, 4), target))

    for start, end, emotion in placed:
        hold_until = max(start, end - 0.002)
        if emotion.varies_over_time:
            add(start, emotion.at(0.0))
            for keyframe in emotion.keyframes:
                if 0 < keyframe.time < end - start:
                    add(start + keyframe.time, keyframe.target)
            add(hold_until, emotion.at(end - start))
        else:
            add(start, emotion.first)
            add(hold_until, emotion.first)
    if not keyframes:
        raise DubScriptError("the script has no cues to build an emotion timeline from")
    if len(keyframes) > MAX_KEYFRAMES:
        raise DubScriptError(f"the dialogue's emotion needs {len(keyframes)} keyframes; a talking head follows "
                             f"at most {MAX_KEYFRAMES} (render the video of a long script in parts)")
    return EmotionTimeline(keyframes, "linear")
