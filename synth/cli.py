"""The `emostudio` command line: `emostudio emotion "..."`, `emostudio text "..."`,
`emostudio recognize file.wav`, `emostudio speak "text" --emotion happy -o out.wav`,
`emostudio animate face.png speech.wav -o out.mp4`."""

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
from synth.speech import DEFAULT_DECODER, SPEECH_DECODERS


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
    animation, source = studio.animate(
        _face(request.get("portrait")), request["audio"],
        request.get("emotion", "neutral"), output, size=request.get("size", 256), seed=request.get("seed", 0),
        steps=request.get("steps"), largest_face=request.get("largest_face", False),
        frames_dir=request.get("frames_dir"), landmarks_json=request.get("landmarks_json"), progress=progress)
    return {"video": str(animation.video), "portrait": request.get("portrait") or "default",
            "audio": str(request["audio"]), "emotion": source.to_dict(),
            "seed": animation.options.seed, "steps": animation.options.steps, "frames": animation.frames,
            "duration_s": round(animation.duration_s, 3),
            "fer": animation.recognized.to_dict() if animation.recognized else None,
            "fer_category": animation.recognized.category if animation.recognized else None}


def _animate_command(args: argparse.Namespace) -> None:
    from tqdm import tqdm

    from synth.studio import Studio

    studio = Studio()
    if args.batch:
        requests = _read_requests(args.batch, "audio")
        out_dir = Path(args.out_dir)
        lines = [_animate_one(studio, request, _batch_output(out_dir, request, number, ".mp4"))
                 for number, request in enumerate(tqdm(requests, desc="animating", unit="video"))]
        print(f"wrote {len(lines)} videos and {_write_manifest(out_dir, lines)}")
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


# What a speak request may hold: Studio.speak's keywords, and where to write.
SPEAK_FIELDS = {"text": str, "emotion": None, "voice": str, "duration": float, "decoder": str, "steps": int,
                "seed": int, "guidance": float, "rate": float, "pitch_shift": float, "scheduler": str,
                "output": str}


def _speak_settings(request: dict) -> dict:
    """Studio.speak's keywords from a request, each of the right type; unknown or
    mistyped fields are errors naming them (a typo is not silently ignored)."""
    unknown = sorted(set(request) - set(SPEAK_FIELDS))
    if unknown:
        raise ValueError(f"unknown field {', '.join(map(repr, unknown))}; the fields are {', '.join(SPEAK_FIELDS)}")
    return {name: _typed(name, value, SPEAK_FIELDS[name]) for name, value in request.items()
            if name != "output" and value is not None}


_KIND_NAMES = {int: "an integer", float: "a number", str: "a string"}


def _typed(name: str, value, kind):
    """`value` as `kind`: numbers given as numbers or numeric strings; None takes anything."""
    if kind is None or isinstance(value, kind):
        return value
    if kind is not str and isinstance(value, (int, float, str)) and not isinstance(value, bool):
        try:
            return kind(value)
        except ValueError:
            pass
    raise ValueError(f"{name} must be {_KIND_NAMES[kind]}; got {value!r}")


def _speak_one(studio, request: dict, output: Path) -> dict:
    """One utterance written to `output`; returns its manifest line."""
    settings = _speak_settings(request)
    result = studio.speak(settings.pop("text"), **settings)
    return {"audio": str(result.write_wav(output)), **result.recipe()}


def _speak_command(args: argparse.Namespace) -> None:
    from tqdm import tqdm

    from synth.studio import Studio

    studio = Studio()
    if args.batch:
        requests = _read_requests(args.batch, "text")
        out_dir = Path(args.out_dir)
        lines = []
        for number, request in enumerate(tqdm(requests, desc="speaking", unit="utterance")):
            try:
                lines.append(_speak_one(studio, request, _batch_output(out_dir, request, number, ".wav")))
            except (EmotionInputError, TextFrontendError, ValueError) as error:
                raise ValueError(f"{args.batch} request {number + 1}: {error}") from None
        print(f"wrote {len(lines)} audio files and {_write_manifest(out_dir, lines)}")
        return
    if args.text is None:
        raise ValueError("speak needs the text to say, or --batch FILE")
    request = {"text": args.text, "emotion": args.emotion, "voice": args.voice, "duration": args.duration,
               "decoder": args.decoder, "steps": args.steps, "seed": args.seed, "guidance": args.guidance,
               "rate": args.rate, "pitch_shift": args.pitch, "scheduler": args.scheduler}
    line = _speak_one(studio, request, Path(args.output))
    if args.json:
        print(json.dumps(line, indent=2))
        return
    heard = f"; the recognizer hears {line['recognized_category']}" if line["recognized_category"] else ""
    print(f"wrote {line['audio']} ({line['duration_s']:.2f} s, {len(line['phones'])} phones){heard}")


def _batch_output(out_dir: Path, request: dict, number: int, suffix: str) -> Path:
    """Where a batch request's result goes (its folder made): its "output" name, else a
    numbered file; never outside `out_dir`, whatever the request file says."""
    path = out_dir / (request.get("output") or f"{number:04d}{suffix}")
    if not path.resolve().is_relative_to(out_dir.resolve()):
        raise ValueError(f"output {request['output']!r} is outside the output folder {out_dir}")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _write_manifest(out_dir: Path, lines: list[dict]) -> Path:
    manifest = out_dir / "manifest.jsonl"
    atomic_write_bytes(manifest, "".join(json.dumps(line) + "\n" for line in lines).encode())
    return manifest


def _read_requests(path: str, needs: str) -> list[dict]:
    """The JSON objects of a JSONL file, one per line; each must have the field `needs`."""
    requests = []
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError as error:
            raise EmotionInputError(f"{path} line {number} is not JSON: {error}") from None
        if not isinstance(request, dict) or needs not in request:
            raise EmotionInputError(f"{path} line {number}: each request needs a \"{needs}\" field")
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
    recognize.add_argument("--reference", action="append", metavar="NEUTRAL_WAV",
                           help="neutral speech by the same speaker to judge against (repeatable); "
                                "needs a recognizer trained with --speaker-reference")
    recognize.set_defaults(run=_recognize_command)
    _add_speak_parser(commands)
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


def _add_speak_parser(commands) -> None:
    speak = commands.add_parser("speak", help="text to emotional speech (WAV or FLAC)")
    speak.add_argument("text", nargs="?", help="what to say (up to 1000 characters)")
    speak.add_argument("--emotion", default="neutral", help="any emotion form, or a timeline")
    speak.add_argument("--voice", default=None, help="joe (the default; Piper), a Debian voice (slt, awb, ...), or "
                       "a Piper .onnx file; the flow and diffusion decoders speak only their trained voices (slt)")
    speak.add_argument("-o", "--output", default="speech.wav", help="a .wav or .flac file")
    speak.add_argument("--duration", type=float, default=None,
                       help="the length in seconds (dubbing); 0.25-4 times the text's natural length")
    speak.add_argument("--decoder", choices=SPEECH_DECODERS, default=DEFAULT_DECODER,
                       help="engine: the voice's own engine, the emotion rendered (clearest); flow or "
                            "diffusion: the learned TTS models")
    speak.add_argument("--steps", type=int, default=None, help="decoder sampling steps (default: the decoder's own)")
    speak.add_argument("--seed", type=int, default=0)
    speak.add_argument("--rate", type=float, default=1.0, help="speaking-rate factor, > 1 is faster (0.25-4)")
    speak.add_argument("--pitch", type=float, default=0.0, help="pitch shift in semitones (±24)")
    speak.add_argument("--guidance", type=float, default=1.0, help="emotion guidance; > 1 exaggerates (0-10)")
    speak.add_argument("--scheduler", default=None, help="the diffusion decoder's sampler: dpm (default) or ddpm")
    speak.add_argument("--batch", help="JSONL of requests (text, emotion, voice, duration, decoder, steps, seed, "
                                       "guidance, rate, pitch_shift, scheduler, output)")
    speak.add_argument("--out-dir", default="speech", help="where --batch writes audio and manifest.jsonl")
    speak.add_argument("--json", action="store_true", help="print the result (with phone times) as JSON")
    speak.set_defaults(run=_speak_command)


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
