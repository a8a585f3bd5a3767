"""`emostudio convert INPUT.wav --emotion angry:0.8 -o OUT.wav`: a recording in another
emotion, same words and voice; one file or a batch file of requests."""

from __future__ import annotations

import argparse
import functools
import json
from pathlib import Path

from synth.settings import CONVERT_FIELDS

from .common import (add_output_options, output_path, progress_bar, read_requests, run_batch, say,
                     typed_fields)
from .scoring_options import add_scoring_options, check_scoring, scoring_summary


def add_parser(commands) -> None:
    convert = commands.add_parser("convert", help="a speech recording in another emotion (same words and voice)")
    convert.add_argument("input", nargs="?", help="WAV/FLAC/OGG speech, mono or stereo, 8-48 kHz, up to 10 minutes")
    convert.add_argument("--emotion", default="neutral", help="any emotion form, or a timeline in the input's seconds")
    convert.add_argument("--intensity", type=float, default=1.0,
                         help="how far to move from the source's emotion: 0 leaves it as it is, 1 the full change, "
                              "up to 2")
    convert.add_argument("--source-emotion", default=None,
                         help="the recording's own emotion (default: what the speech emotion recognizer hears)")
    add_output_options(convert, ".wav or .flac")
    convert.add_argument("--seed", type=int, default=0)
    convert.add_argument("--loudness", default="none", metavar="LUFS",
                         help="integrated loudness (ITU-R BS.1770), true peak ≤ -1 dBTP; 'none' (default) keeps the "
                              "input's")
    convert.add_argument("--decoder", default=None, choices=("prior", "flow", "diffusion"),
                         help="what plans the change: the literature's prosody prior (default), or the learned "
                              "planner's diffusion or flow-matching decoder (trained on the corpus's parallel pairs)")
    convert.add_argument("--steps", type=int, default=None, help="the learned decoder's sampling steps (1-100)")
    add_scoring_options(convert, "the speech emotion recognizer")
    convert.add_argument("--batch", help="JSONL of requests (input, emotion, intensity, source_emotion, seed, "
                                         "loudness, decoder, steps, output); inputs relative to the batch file's "
                                         "folder")
    convert.add_argument("--out-dir", default="converted", help="where --batch writes audio and manifest.jsonl")
    convert.add_argument("--json", action="store_true", help="print the result's recipe as JSON")
    convert.set_defaults(run=run)


def convert_settings(request: dict, base: Path = Path(".")) -> dict:
    """Studio.convert's keywords from a request, each checked (the input exists, the emotions
    parse, the ranges hold); every batch request passes this before any is converted."""
    from conditioning import parse_emotion
    from conditioning.parse import parse_static_emotion
    from synth.loudness import parse_loudness
    from synth.vc import check_intensity
    from synth.vc.learned_planner import DEFAULT_PLANNER, planner_for

    settings = {name: value for name, value in typed_fields(request, CONVERT_FIELDS).items() if name != "output"}
    if "input" not in settings:
        raise ValueError('each request needs an "input" field')
    path = base / settings["input"]
    if not path.is_file():
        raise ValueError(f"no audio file at {path}")
    settings["input"] = str(path)
    parse_emotion(settings.get("emotion", "neutral"))
    if settings.get("source_emotion") is not None:
        parse_static_emotion(settings["source_emotion"])
    settings["intensity"] = check_intensity(settings.get("intensity", 1.0))
    settings["loudness"] = parse_loudness(settings.get("loudness"))
    planner_for(settings.get("decoder", DEFAULT_PLANNER), settings.get("steps"))   # names a bad choice
    check_scoring(settings)
    return settings


def convert_one(studio, settings: dict, output: Path) -> dict:
    """One recording converted and written to `output`; returns its manifest line."""
    settings = dict(settings)
    source = settings.pop("input")
    result = studio.convert(source, **settings)
    return {"audio": str(result.write_wav(output)), "input": source, **result.recipe()}


def run(args: argparse.Namespace) -> None:
    from synth.studio import Studio

    if args.batch:
        requests = read_requests(args.batch, "input")
        base = Path(args.batch).parent
        studio = Studio()
        manifest = run_batch(args, requests, ".wav", lambda request: convert_settings(request, base),
                             functools.partial(convert_one, studio), "recording")
        say(args, f"wrote {len(requests)} audio files and {manifest}")
        return
    if args.input is None:
        raise ValueError("convert needs the recording to convert, or --batch FILE")
    settings = convert_settings({"input": args.input, "emotion": args.emotion, "intensity": args.intensity,
                                 "source_emotion": args.source_emotion, "seed": args.seed, "loudness": args.loudness,
                                 "decoder": args.decoder, "steps": args.steps,
                                 "best_of": args.best_of, "calibrate": args.calibrate})
    output = output_path(args.output, Path(args.input).stem, args.emotion, ".wav", args.force)
    with progress_bar(args, total=1, desc="converting", unit="recording", leave=False) as bar:
        line = convert_one(Studio(), settings, output)
        bar.update(1)
    if args.json:
        print(json.dumps(line, indent=2))
        return
    source = (f"given as {line['source_category']}" if line["source_emotion_given"]
              else f"{line['source_category']}, {line['source_basis']}")
    heard = f"; the recognizer hears {line['recognized_category']}" if line["recognized_category"] else ""
    say(args, f"wrote {line['audio']} ({line['duration_s']:.2f} s; source {source}){heard}{scoring_summary(line)}")
