"""`emostudio recognize file.wav`: the emotion the speech emotion recognizer hears."""

from __future__ import annotations

import argparse
import json


def add_parser(commands) -> None:
    recognize = commands.add_parser("recognize", help="recognize the emotion in a speech recording")
    recognize.add_argument("audio", help="WAV/FLAC/OGG file, any sample rate, mono or stereo (downmixed)")
    recognize.add_argument("--json", action="store_true",
                           help="print the utterance (with its confidence, reliable flag and cue reading) "
                                "and every 0.25 s window as JSON")
    recognize.add_argument("--frames", action="store_true", help="also print the emotion every 0.25 s")
    recognize.add_argument("--reference", action="append", metavar="NEUTRAL_WAV",
                           help="neutral speech by the same speaker to judge against (repeatable); "
                                "needs a recognizer trained with --speaker-reference")
    recognize.set_defaults(run=run)


def run(args: argparse.Namespace) -> None:
    from conditioning.describe import describe
    from conditioning.ser import shipped_recognizer

    recognizer = shipped_recognizer()
    reference = recognizer.speaker_reference_from_files(args.reference) if args.reference else None
    result = recognizer.recognize_file(args.audio, frames=args.frames or args.json, reference=reference)
    against = {} if reference is None else {"speaker_reference": {"clips": reference.clips,
                                                                  "seconds": round(reference.seconds, 2)}}
    if args.json:
        print(json.dumps({**result.to_dict(), **against}, indent=2))
        return
    print(f"{args.audio}: {result.duration_s:.2f} s"
          + (f", judged against {reference.seconds:.1f} s of the speaker's neutral speech" if reference else ""))
    if result.reliable:
        print("sounds", describe(result.target), f"(confidence {result.confidence:.2f})")
    else:
        print(f"sounds uncertain (confidence {result.confidence:.2f}); leaning towards", describe(result.target))
        for reason in result.doubt.reasons if result.doubt else ():
            print("  because", reason)
    print(result.target)
    for frame in result.frames:
        print(f"  {frame.time_s:7.2f} s  {frame.target}")
