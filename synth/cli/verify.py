"""`emostudio verify FILE`: does the file carry the studio's watermark, what does its payload
say, and what does its provenance record say. Exits 0 when the mark is found, 1 when not."""

from __future__ import annotations

import argparse
import json


def add_parser(commands) -> None:
    verify = commands.add_parser("verify", help="find the watermark and provenance record in a file")
    verify.add_argument("file", help="WAV/FLAC/OGG/MP3/MP4 (any file ffmpeg decodes)")
    verify.add_argument("--json", action="store_true",
                        help='print {"watermarked": ..., "payload": ..., "record": ...} as JSON')
    verify.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from synth.provenance import verify

    result = verify(args.file)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        return 0 if result.watermarked else 1
    found = result.to_dict()
    if not args.quiet:
        verdict = "watermarked" if result.watermarked else "no watermark found"
        print(f"{args.file}: {verdict} (score {found['score']}, threshold {found['threshold']}; "
              "unmarked audio scores about 0-5)")
        if found["payload"]:
            print("  payload:", ", ".join(f"{k} {v}" for k, v in found["payload"].items()))
        elif result.watermarked:
            print("  payload: not decodable from this audio (too short or too damaged)")
        if result.record:
            record = result.record.record
            print(f"  record ({result.record.source}): {record.generator}, {record.created}, "
                  f"recipe sha256 {record.recipe_sha256[:12]}..., {len(record.models)} model(s), "
                  f"consent {'given' if record.consent else 'none'}")
        elif result.record_error:
            print(f"  record: unreadable ({result.record_error})")
        else:
            print("  record: none (no embedded record and no sidecar)")
    return 0 if result.watermarked else 1
