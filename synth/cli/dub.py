"""`emostudio dub script.srt -o dialogue.wav [--video default|portrait.png|input.mp4]`: a timed,
emotional script spoken cue by cue into one track (and video); or a batch of scripts."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from synth.loudness import DEFAULT_LOUDNESS_LUFS

from .common import progress_bar, say

TRACK_SUFFIXES = (".wav", ".flac")


def add_parser(commands) -> None:
    dub = commands.add_parser("dub", help="a timed script (SRT, WebVTT, CSV, JSONL) to one speech track or video")
    dub.add_argument("script", nargs="?", help=".srt, .vtt, .csv or .jsonl; cues may start with a tag such as "
                                               "[angry:0.7] or [voice=slt; emotion=a tired sigh]")
    dub.add_argument("-o", "--output", default=None,
                     help="the track (.wav or .flac) or, with --video, the video (.mp4); default: the script's "
                          "name with .wav in the working folder")
    dub.add_argument("--force", action="store_true", help="overwrite the output if it exists")
    dub.add_argument("--voices", help="TOML mapping speakers to voices: [voices] Anna = \"slt\"")
    dub.add_argument("--voice", default=None, help="the voice of cues that name none (default joe)")
    dub.add_argument("--emotion", default="neutral", help="the emotion of cues that give none")
    dub.add_argument("--natural", action="store_true",
                     help="speak a cue at its natural length when that ends before the next cue starts")
    dub.add_argument("--sample-rate", type=int, default=48000, help="the track's rate in Hz (default 48000)")
    dub.add_argument("--loudness", default=str(DEFAULT_LOUDNESS_LUFS), metavar="LUFS",
                     help="the whole dialogue's integrated loudness; 'none' keeps the decoder's level "
                          f"(default {DEFAULT_LOUDNESS_LUFS:g})")
    dub.add_argument("--background", help="audio to mix the dialogue over, ducked under each cue (writes *.mix.wav)")
    dub.add_argument("--duck", type=float, default=-12.0,
                     help="the background's level under dialogue, dB (default -12)")
    dub.add_argument("--video", help="default, cartoon or a portrait image: a talking head saying the track; "
                                     "a video file: its audio replaced by the dialogue, its picture kept")
    dub.add_argument("--mix-video-audio", action="store_true",
                     help="with --video input.mp4, keep the video's own sound (ducked) under the dialogue")
    dub.add_argument("--seed", type=int, default=0)
    dub.add_argument("--batch", help="a text file naming one script per line: each dubbed into --out-dir")
    dub.add_argument("--out-dir", default="dubs", help="where --batch writes tracks and its manifest.jsonl")
    dub.add_argument("--workers", type=int, default=1, help="--batch: processes on this machine (default 1)")
    dub.add_argument("--ray", metavar="ADDRESS", help="--batch: run the scripts on this Ray cluster (needs ray)")
    dub.add_argument("--json", action="store_true", help="print the result as JSON")
    dub.set_defaults(run=run)


def _options(args: argparse.Namespace):
    from synth.dub import DubOptions
    from synth.loudness import parse_loudness

    return DubOptions(voice=args.voice, emotion=args.emotion, sample_rate=args.sample_rate, natural=args.natural,
                      loudness=parse_loudness(args.loudness), seed=args.seed, background=args.background,
                      duck_db=args.duck, video=args.video, mix_video_audio=args.mix_video_audio)


def track_for(args: argparse.Namespace) -> Path:
    """The track to write: -o itself, or beside the video -o names; refused if it (or the
    video) exists, unless --force."""
    output = Path(args.output) if args.output else Path(Path(args.script).stem + ".wav")
    suffix = output.suffix.lower()
    if suffix == ".mp4":
        if not args.video:
            raise ValueError("-o .mp4 needs --video (default, cartoon, a portrait image or a video file)")
        track = output.with_suffix(".wav")
    elif suffix in TRACK_SUFFIXES:
        track = output
    else:
        raise ValueError(f"-o must end in .wav, .flac or (with --video) .mp4; got {output.name!r}")
    if output.is_dir():
        raise ValueError(f"{output} is a folder; give a file name")
    if Path(args.script).resolve() in (output.resolve(), track.resolve()):
        raise ValueError(f"-o {output} would overwrite the script")
    video = track.with_suffix(".mp4") if args.video else None
    for made in (output, video):
        if made is not None and made.exists() and not args.force:
            raise ValueError(f"{made} exists; pass --force to overwrite it, or choose another -o")
    return track


def run(args: argparse.Namespace) -> None:
    options = _options(args)
    if args.batch:
        from synth.dub.batch import dub_batch

        manifest = dub_batch(args.batch, args.out_dir, options, args.voices, args.workers, args.ray)
        say(args, f"dubbed the scripts of {args.batch} into {args.out_dir}; summary in {manifest}")
        return
    if args.script is None:
        raise ValueError("dub needs a script file, or --batch FILE")
    from synth.dub import read_script
    from synth.studio import Studio

    track = track_for(args)
    script = read_script(args.script, args.voices)   # a broken script fails before any model loads
    with progress_bar(args, total=len(script.cues), desc="dubbing", unit="cue") as bar:
        def progress(done: int, total: int, message: str) -> None:
            bar.n = done
            bar.set_postfix_str(message)
            bar.refresh()

        result = Studio().dub(script, track, progress=progress, **_option_fields(options))
    if args.json:
        print(json.dumps(result.recipe(), indent=2))
        return
    made = ([str(result.track), str(result.srt), str(result.manifest)]
            + [str(p) for p in (result.mix, result.video) if p])
    say(args, f"dubbed {len(result.cues)} cues ({result.rendered} spoken, the rest kept): {', '.join(made)}")
    for line in result.flagged:
        say(args, f"  {args.script} line {line['line']}: {line['flag'].replace('_', ' ')} (needs "
                  f"{line['natural_s'] / line['slot_s']:.2f}x its natural rate; spoken at "
                  f"{line['timing']['rate']:.2f}x{', cut ' + str(line['cut_s']) + ' s' if line['cut_s'] else ''})")


def _option_fields(options) -> dict:
    import dataclasses

    return dataclasses.asdict(options)
