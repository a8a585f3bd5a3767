"""`emostudio text "..."`: the TTS front end's normalisation and phonemes."""

from __future__ import annotations

import argparse
import json


def add_parser(commands) -> None:
    text = commands.add_parser("text", help="show the TTS front end's normalisation and phonemes")
    text.add_argument("text")
    text.add_argument("--json", action="store_true")
    text.set_defaults(run=run)


def run(args: argparse.Namespace) -> None:
    from synth.text import text_to_sequence

    result = text_to_sequence(args.text)
    if args.json:
        print(json.dumps({"normalized": result.normalized, "symbols": list(result.symbols),
                          "ids": list(result.ids)}, ensure_ascii=False))
        return
    print(result.normalized)
    print(" ".join(result.symbols))
