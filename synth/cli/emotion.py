"""`emostudio emotion "..."`: how an emotion, in any input form, is understood."""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(commands) -> None:
    emotion = commands.add_parser("emotion", help="resolve an emotion given in any input form")
    emotion.add_argument("emotion", help="label, mixture, VAD, description, EmotionML or timeline")
    emotion.add_argument("--json", action="store_true", help="print the resolved target as JSON")
    emotion.add_argument("--emotionml", action="store_true", help="print it as an EmotionML document")
    emotion.set_defaults(run=run)


def run(args: argparse.Namespace) -> None:
    from conditioning import to_emotionml
    from conditioning.describe import summarize
    from conditioning.parse import parse_emotion_with_warnings
    from conditioning.timeline import EmotionTimeline

    parsed = parse_emotion_with_warnings(args.emotion)
    for warning in parsed.warnings:  # stderr, so that --json and --emotionml stay parseable
        print(f"emostudio: warning: {warning}", file=sys.stderr)
    source = parsed.source
    if args.emotionml:
        print(to_emotionml(source))
        return
    summary = summarize(source)
    if args.json:
        print(json.dumps({**summary, "warnings": list(parsed.warnings)}, indent=2))
        return
    if isinstance(source, EmotionTimeline):
        _print_timeline(source)
        return
    print(summary["description"])
    print(source)
    print("nearest words:", ", ".join(summary["nearest_words"]))


def _print_timeline(timeline) -> None:
    from conditioning.describe import describe

    count = len(timeline.keyframes)
    print(f"timeline: {count} keyframe{'s' * (count != 1)}, {timeline.interpolation} interpolation")
    for keyframe in timeline.keyframes:
        print(f"{keyframe.time:g}s: {describe(keyframe.target)}")
        print(f"    {keyframe.target}")
