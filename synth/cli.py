"""The `emostudio` command line: `emostudio emotion "..."`, `emostudio text "..."`,
`emostudio recognize file.wav`."""

from __future__ import annotations

import argparse
import json
import sys

from conditioning import EmotionInputError, parse_emotion, to_emotionml
from conditioning.audio import AudioInputError
from conditioning.describe import describe, first_target, summarize
from conditioning.checkpoints import MissingCheckpointError
from synth.text import TextFrontendError, text_to_sequence


def _emotion_command(args: argparse.Namespace) -> None:
    source = parse_emotion(args.emotion)
    if args.emotionml:
        print(to_emotionml(source))
        return
    summary = summarize(source)
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(summary["description"])
    print(first_target(source))
    print("nearest words:", ", ".join(summary["nearest_words"]))


def _text_command(args: argparse.Namespace) -> None:
    result = text_to_sequence(args.text)
    if args.json:
        print(json.dumps({"normalized": result.normalized, "symbols": list(result.symbols),
                          "ids": list(result.ids)}, ensure_ascii=False))
        return
    print(result.normalized)
    print(" ".join(result.symbols))


def _recognize_command(args: argparse.Namespace) -> None:
    from conditioning.ser import shipped_recognizer  # loads torch weights: only when asked

    result = shipped_recognizer().recognize_file(args.audio, frames=args.frames or args.json)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        return
    print(f"{args.audio}: {result.duration_s:.2f} s")
    print("sounds", describe(result.target))
    print(result.target)
    for frame in result.frames:
        print(f"  {frame.time_s:7.2f} s  {frame.target}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="emostudio", description="Emotional speech and face studio")
    commands = parser.add_subparsers(dest="command", required=True)
    emotion = commands.add_parser("emotion", help="resolve an emotion given in any input form")
    emotion.add_argument("emotion", help="label, mixture, VAD, description, EmotionML or timeline")
    emotion.add_argument("--json", action="store_true", help="print the resolved target as JSON")
    emotion.add_argument("--emotionml", action="store_true", help="print it as an EmotionML document")
    emotion.set_defaults(run=_emotion_command)
    text = commands.add_parser("text", help="show the TTS front end's normalisation and phonemes")
    text.add_argument("text")
    text.add_argument("--json", action="store_true")
    text.set_defaults(run=_text_command)
    recognize = commands.add_parser("recognize", help="recognize the emotion in a speech recording")
    recognize.add_argument("audio", help="WAV/FLAC/OGG file, mono, any sample rate")
    recognize.add_argument("--json", action="store_true",
                           help="print the utterance and every 0.25 s window as JSON")
    recognize.add_argument("--frames", action="store_true", help="also print the emotion every 0.25 s")
    recognize.set_defaults(run=_recognize_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except (EmotionInputError, TextFrontendError, MissingCheckpointError, AudioInputError) as error:
        print(f"emostudio: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
