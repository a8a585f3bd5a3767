"""The `emostudio` command line: `emostudio emotion "..."`, `emostudio text "..."`."""

from __future__ import annotations

import argparse
import json
import sys

from conditioning import EmotionInputError, parse_emotion, to_emotionml
from conditioning.describe import first_target, summarize
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except (EmotionInputError, TextFrontendError, MissingCheckpointError) as error:
        print(f"emostudio: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
