"""`emostudio speak "text" --emotion happy -o out.wav`, one text or a batch file of requests."""

from __future__ import annotations

import argparse
import functools
import json
from pathlib import Path

from synth.loudness import DEFAULT_LOUDNESS_LUFS
from synth.settings import SPEAK_FIELDS
from synth.speech import DEFAULT_DECODER, SPEECH_DECODERS

from .common import (add_output_options, output_path, progress_bar, read_requests, run_batch, say,
                     typed_fields)
from .scoring_options import add_scoring_options, check_scoring, scoring_summary


def add_parser(commands) -> None:
    speak = commands.add_parser("speak", help="text to emotional speech (WAV or FLAC)")
    speak.add_argument("text", nargs="?", help="what to say (up to 1000 characters)")
    speak.add_argument("--emotion", default="neutral", help="any emotion form, or a timeline")
    speak.add_argument("--voice", default=None, help="joe (the default; Piper), a Debian voice (slt, awb, ...), or "
                       "a Piper .onnx file, or a stored voice (emostudio voice list); the flow and diffusion "
                       "decoders speak only their trained voices (slt)")
    add_output_options(speak, ".wav or .flac")
    speak.add_argument("--duration", type=float, default=None,
                       help="the length in seconds (dubbing); 0.25-4 times the text's natural length")
    speak.add_argument("--decoder", choices=SPEECH_DECODERS, default=DEFAULT_DECODER,
                       help="engine: the voice's own engine, the emotion rendered (clearest); flow or "
                            "diffusion: the learned TTS models")
    speak.add_argument("--steps", type=int, default=None, help="decoder sampling steps (default: the decoder's own)")
    speak.add_argument("--seed", type=int, default=0)
    speak.add_argument("--rate", type=float, default=1.0,
                       help=f"speaking-rate factor, > 1 is faster ({SPEAK_FIELDS['rate'].span()})")
    speak.add_argument("--pitch", type=float, default=0.0,
                       help=f"pitch shift ({SPEAK_FIELDS['pitch_shift'].span()})")
    speak.add_argument("--guidance", type=float, default=1.0,
                       help=f"emotion guidance; > 1 exaggerates ({SPEAK_FIELDS['guidance'].span()})")
    speak.add_argument("--scheduler", default=None, help="the diffusion decoder's sampler: dpm (default) or ddpm")
    speak.add_argument("--loudness", default=str(DEFAULT_LOUDNESS_LUFS), metavar="LUFS",
                       help=f"integrated loudness (ITU-R BS.1770), true peak ≤ -1 dBTP; 'none' keeps the "
                            f"decoder's level (default {DEFAULT_LOUDNESS_LUFS:g})")
    add_scoring_options(speak, "the speech emotion recognizer")
    speak.add_argument("--batch", help="JSONL of requests (text, emotion, voice, duration, decoder, steps, seed, "
                                       "guidance, rate, pitch_shift, scheduler, loudness, best_of, calibrate, output); "
                                       "see assets/examples/speak_batch.jsonl")
    speak.add_argument("--out-dir", default="speech", help="where --batch writes audio and manifest.jsonl")
    speak.add_argument("--json", action="store_true", help="print the result (with phone times) as JSON")
    speak.set_defaults(run=run)


def speak_settings(request: dict) -> dict:
    """Studio.speak's keywords from a request, each checked: types and ranges (SPEAK_FIELDS), the
    text, the emotion; every batch request passes this before any is spoken."""
    from conditioning import parse_emotion
    from conditioning.prosody import DeliveryVariation
    from synth.loudness import parse_loudness
    from synth.text import text_to_sequence

    settings = {name: value for name, value in typed_fields(request, SPEAK_FIELDS).items() if name != "output"}
    if "text" not in settings:
        raise ValueError('each request needs a "text" field')
    text_to_sequence(settings["text"])
    parse_emotion(settings.get("emotion", "neutral"))
    if settings.get("decoder", DEFAULT_DECODER) not in SPEECH_DECODERS:
        raise ValueError(f"decoder must be one of {', '.join(SPEECH_DECODERS)}; got {settings['decoder']!r}")
    settings["loudness"] = parse_loudness(settings.get("loudness", DEFAULT_LOUDNESS_LUFS))
    DeliveryVariation.parse(settings.get("delivery_variation"))   # a recipe's, replayed
    check_scoring(settings)
    return settings


def speak_one(studio, settings: dict, output: Path) -> dict:
    """One utterance written to `output`; returns its manifest line."""
    settings = dict(settings)
    result = studio.speak(settings.pop("text"), **settings)
    return {"audio": str(result.write_wav(output)), **result.recipe()}


def run(args: argparse.Namespace) -> None:
    from synth.studio import Studio

    if args.batch:
        requests = read_requests(args.batch, "text")
        studio = Studio()
        manifest = run_batch(args, requests, ".wav", speak_settings, functools.partial(speak_one, studio), "utterance")
        say(args, f"wrote {len(requests)} audio files and {manifest}")
        return
    if args.text is None:
        raise ValueError("speak needs the text to say, or --batch FILE")
    settings = speak_settings({"text": args.text, "emotion": args.emotion, "voice": args.voice,
                               "duration": args.duration, "decoder": args.decoder, "steps": args.steps,
                               "seed": args.seed, "guidance": args.guidance, "rate": args.rate,
                               "pitch_shift": args.pitch, "scheduler": args.scheduler, "loudness": args.loudness,
                               "best_of": args.best_of, "calibrate": args.calibrate})
    output = output_path(args.output, args.text, args.emotion, ".wav", args.force)
    with progress_bar(args, total=1, desc="speaking", unit="utterance", leave=False) as bar:
        line = speak_one(Studio(), settings, output)
        bar.update(1)
    if args.json:
        print(json.dumps(line, indent=2))
        return
    heard = f"; the recognizer hears {line['recognized_category']}" if line["recognized_category"] else ""
    say(args, f"wrote {line['audio']} ({line['duration_s']:.2f} s, {len(line['phones'])} phones){heard}"
        f"{scoring_summary(line)}")
