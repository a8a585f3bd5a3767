"""`emostudio animate face.png speech.wav -o out.mp4`: a talking-head video, one or a batch."""

from __future__ import annotations

import argparse
import functools
import json
from pathlib import Path

from synth.settings import ANIMATE_FIELDS

from .common import (add_output_options, output_path, progress_bar, read_requests, run_batch, say,
                     share_progress, typed_fields)
from .scoring_options import add_scoring_options, check_scoring, scoring_summary

BUILT_IN_FACES = ("default", "cartoon")


def add_parser(commands) -> None:
    animate = commands.add_parser("animate", help="a talking-head video of a portrait saying a recording")
    animate.add_argument("portrait", nargs="?",
                         help="JPEG/PNG/WebP photo with one face, 'default' (the shipped portrait) or 'cartoon'")
    animate.add_argument("audio", nargs="?",
                         help="speech file (WAV/FLAC/OGG, any rate, mono or stereo, up to 600 s)")
    animate.add_argument("--emotion", default="neutral", help="any emotion form, or a timeline")
    add_output_options(animate, ".mp4")
    animate.add_argument("--size", type=_size, default=256, help="256, 512 or native (the portrait's framing)")
    animate.add_argument("--seed", type=int, default=0)
    animate.add_argument("--steps", type=int, default=None, help="mouth-model sampling steps (default 8)")
    animate.add_argument("--largest-face", action="store_true", help="with several faces, use the largest")
    animate.add_argument("--frames-dir", help="also write every frame as PNG here")
    animate.add_argument("--landmarks-json", help="also write per-frame landmarks and action units here")
    add_scoring_options(animate, "the face expression recognizer")
    animate.add_argument("--batch", help="JSONL of requests (portrait, audio, emotion, seed, size, output); "
                                         "see assets/examples/animate_batch.jsonl")
    animate.add_argument("--out-dir", default="animations", help="where --batch writes videos and manifest.jsonl")
    animate.add_argument("--json", action="store_true", help="print the result as JSON")
    animate.set_defaults(run=run)


def _size(value: str) -> int | None:
    if value in ("native", "own"):
        return None
    if value not in ("256", "512"):
        raise argparse.ArgumentTypeError("size must be 256, 512 or native")
    return int(value)


def _face(portrait: str | None):
    """'default' (or nothing): the shipped portrait; 'cartoon': the built-in cartoon face."""
    if portrait == "cartoon":
        from synth.face.cartoon import DEFAULT
        return DEFAULT
    return None if portrait in (None, "default") else portrait


def animate_settings(request: dict) -> dict:
    """A request's fields, checked before anything runs: the files exist, the emotion parses,
    the size and output are ones animate can make."""
    from conditioning import parse_emotion

    settings = {"portrait": "default", **typed_fields(request, ANIMATE_FIELDS)}
    if "audio" not in settings:
        raise ValueError('each request needs an "audio" field')
    if settings["portrait"] not in BUILT_IN_FACES and not Path(settings["portrait"]).is_file():
        raise ValueError(f"portrait: no image file at {settings['portrait']}")
    if not Path(settings["audio"]).is_file():
        raise ValueError(f"audio: no audio file at {settings['audio']}")
    parse_emotion(settings.get("emotion", "neutral"))
    size = settings.get("size", 256)
    settings["size"] = _size(str(size)) if size is not None else None
    output = settings.get("output")
    if output is not None and Path(output).suffix.lower() != ".mp4":
        raise ValueError(f"output must end in .mp4 (animate writes H.264/AAC MP4); got {output!r}")
    check_scoring(settings)
    return settings


def animate_one(studio, settings: dict, output: Path, progress=None) -> dict:
    """One animation; returns its manifest line (the result's recipe, as the studio's download)."""
    return studio.animate(
        _face(settings["portrait"]), settings["audio"], settings.get("emotion", "neutral"), output,
        size=settings["size"], seed=settings.get("seed", 0), steps=settings.get("steps"),
        largest_face=settings.get("largest_face", False), frames_dir=settings.get("frames_dir"),
        landmarks_json=settings.get("landmarks_json"), progress=progress,
        best_of=settings.get("best_of", 1), calibrate=settings.get("calibrate", False)).recipe()


def run(args: argparse.Namespace) -> None:
    from synth.studio import Studio

    if args.batch:
        requests = read_requests(args.batch, "audio")
        studio = Studio()
        manifest = run_batch(args, requests, ".mp4", animate_settings, functools.partial(animate_one, studio), "video")
        say(args, f"wrote {len(requests)} videos and {manifest}")
        return
    if not args.portrait or not args.audio:
        raise ValueError("animate needs a portrait ('default', 'cartoon' or a photo) and an audio file, "
                         "or --batch FILE")
    settings = animate_settings({"portrait": args.portrait, "audio": args.audio, "emotion": args.emotion,
                                 "size": "native" if args.size is None else args.size, "seed": args.seed,
                                 "steps": args.steps, "largest_face": args.largest_face,
                                 "frames_dir": args.frames_dir, "landmarks_json": args.landmarks_json,
                                 "output": args.output, "best_of": args.best_of, "calibrate": args.calibrate})
    output = output_path(args.output, Path(args.audio).stem, args.emotion, ".mp4", args.force)
    with progress_bar(args, total=100, desc="animating", unit="%") as bar:
        line = animate_one(Studio(), settings, output, share_progress(bar))
    if args.json:
        print(json.dumps(line, indent=2))
        return
    say(args, f"wrote {line['video']} ({line['frames']} frames, {line['duration_s']:.2f} s); "
        f"the face reads as {line['recognized_category'] or 'n/a'}{_checked(line.get('recognized_check'))}"
        f"{scoring_summary(line)}")


def _checked(check: dict | None) -> str:
    if not check:
        return ""
    if not check["checked_by_outside_fer"]:
        return " (unchecked: no recognizer trained on real faces is installed, or it found no face)"
    if check["reliable"]:
        return " (a FER trained on real photos agrees)"
    return " (uncertain: a FER trained on real photos disagrees)"
