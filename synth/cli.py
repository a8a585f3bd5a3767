"""The `emostudio` command line: `emostudio emotion "..."`, `emostudio text "..."`,
`emostudio recognize file.wav`, `emostudio animate face.png speech.wav -o out.mp4`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from conditioning import EmotionInputError, parse_emotion, to_emotionml
from conditioning.audio import AudioInputError
from conditioning.describe import describe, first_target, summarize
from conditioning.checkpoints import MissingCheckpointError, atomic_write_bytes
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


def _animate_one(studio, request: dict, output: Path, progress=None) -> dict:
    """One animation; returns its manifest line."""
    from conditioning.describe import first_target

    animation, source = studio.animate(
        _face(request.get("portrait")), request["audio"],
        request.get("emotion", "neutral"), output, size=request.get("size", 256), seed=request.get("seed", 0),
        steps=request.get("steps"), largest_face=request.get("largest_face", False),
        frames_dir=request.get("frames_dir"), landmarks_json=request.get("landmarks_json"), progress=progress)
    return {"video": str(animation.video), "portrait": request.get("portrait") or "default",
            "audio": str(request["audio"]), "emotion": source.to_dict() if hasattr(source, "to_dict") else first_target(source).to_dict(),
            "seed": animation.options.seed, "steps": animation.options.steps, "frames": animation.frames,
            "duration_s": round(animation.duration_s, 3),
            "fer": animation.recognized.to_dict() if animation.recognized else None,
            "fer_category": animation.recognized.category if animation.recognized else None}


def _animate_command(args: argparse.Namespace) -> None:
    from tqdm import tqdm

    from synth.studio import Studio

    studio = Studio()
    if args.batch:
        requests = _read_requests(args.batch)
        out_dir = Path(args.out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        lines = []
        for number, request in enumerate(tqdm(requests, desc="animating", unit="video")):
            name = request.get("output") or f"{number:04d}.mp4"
            lines.append(_animate_one(studio, request, out_dir / name))
        manifest = out_dir / "manifest.jsonl"
        atomic_write_bytes(manifest, "".join(json.dumps(line) + "\n" for line in lines).encode())
        print(f"wrote {len(lines)} videos and {manifest}")
        return
    if not args.portrait or not args.audio:
        raise EmotionInputError("animate needs a portrait ('default', 'cartoon' or a photo) and an audio file, "
                                "or --batch FILE")
    request = {"portrait": args.portrait, "audio": args.audio, "emotion": args.emotion,
               "size": args.size, "seed": args.seed, "steps": args.steps, "largest_face": args.largest_face,
               "frames_dir": args.frames_dir, "landmarks_json": args.landmarks_json}
    with tqdm(total=100, desc="animating", unit="%") as bar:
        def progress(share, message):
            bar.n = int(share * 100)
            bar.set_postfix_str(message)
            bar.refresh()
        line = _animate_one(studio, request, Path(args.output), progress)
    print(json.dumps(line, indent=2) if args.json else f"wrote {line['video']} ({line['frames']} frames, "
          f"{line['duration_s']:.2f} s); the face reads as {line['fer_category'] or 'n/a'}")


def _read_requests(path: str) -> list[dict]:
    requests = []
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError as error:
            raise EmotionInputError(f"{path} line {number} is not JSON: {error}") from None
        if not isinstance(request, dict) or "audio" not in request:
            raise EmotionInputError(f"{path} line {number}: each request needs at least an \"audio\" path")
        requests.append(request)
    if not requests:
        raise EmotionInputError(f"{path} has no requests")
    return requests


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
    animate = commands.add_parser("animate", help="a talking-head video of a portrait saying a recording")
    animate.add_argument("portrait", nargs="?",
                         help="JPEG/PNG/WebP photo with one face, 'default' (the shipped portrait) or 'cartoon'")
    animate.add_argument("audio", nargs="?", help="speech file (WAV/FLAC/OGG, any rate, mono or stereo)")
    animate.add_argument("--emotion", default="neutral", help="any emotion form, or a timeline")
    animate.add_argument("-o", "--output", default="animation.mp4")
    animate.add_argument("--size", type=_size, default=256, help="256, 512 or native (the portrait's framing)")
    animate.add_argument("--seed", type=int, default=0)
    animate.add_argument("--steps", type=int, default=None, help="mouth-model sampling steps (default 8)")
    animate.add_argument("--largest-face", action="store_true", help="with several faces, use the largest")
    animate.add_argument("--frames-dir", help="also write every frame as PNG here")
    animate.add_argument("--landmarks-json", help="also write per-frame landmarks and action units here")
    animate.add_argument("--batch", help="JSONL of requests (portrait, audio, emotion, seed, size, output)")
    animate.add_argument("--out-dir", default="animations", help="where --batch writes videos and manifest.jsonl")
    animate.add_argument("--json", action="store_true", help="print the result as JSON")
    animate.set_defaults(run=_animate_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except (EmotionInputError, TextFrontendError, MissingCheckpointError, AudioInputError, ValueError) as error:
        print(f"emostudio: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
