"""`emostudio voice add NAME clip.wav ... --consent "..."`, `voice list`, `voice remove NAME`:
the voice store (synth/voice_store.py). A voice is added only with its speaker's consent."""

from __future__ import annotations

import argparse
import json


def add_parser(commands) -> None:
    from synth.voice_store import MAPPINGS   # JSON and paths only: the CLI still starts at once

    voice = commands.add_parser("voice", help="add, list or remove voices made from a speaker's clips")
    actions = voice.add_subparsers(dest="voice_action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="make a voice from a few clips of one speaker (needs --consent)")
    add.add_argument("name", help="the voice's name (letters, digits, _ or -), as speak --voice takes it")
    add.add_argument("clips", nargs="+", help="WAV/FLAC/OGG clips of the speaker talking (3-10 s in all is best)")
    add.add_argument("--consent", default=None,
                     help="the speaker's consent, in words: who they are and that they agreed (stored with the voice)")
    add.add_argument("--base", action="append", default=None, metavar="VOICE",
                     help="a built-in voice to build on (repeatable; default: the nearest installed ones)")
    add.add_argument("--mapping", choices=MAPPINGS, default=None,
                     help="how the base voice's envelope moves toward the speaker: by global statistics only "
                          "(statistics, the default) or frame by frame from the clips' frames (knn)")
    add.add_argument("--keep-clips", action="store_true", help="also keep copies of the clips beside the voice")
    add.add_argument("--force", action="store_true", help="replace a stored voice of the same name")
    add.add_argument("--json", action="store_true", help="print the stored voice record as JSON")
    add.set_defaults(run=run_add)
    listing = actions.add_parser("list", help="the built-in voices and the stored ones, with descriptions")
    listing.add_argument("--json", action="store_true", help="print the list as JSON")
    listing.set_defaults(run=run_list)
    remove = actions.add_parser("remove", help="delete a stored voice (and its kept clips)")
    remove.add_argument("name")
    remove.set_defaults(run=run_remove)


def _say(args, message: str) -> None:
    if not getattr(args, "quiet", False):
        print(message)


def run_add(args: argparse.Namespace) -> None:
    from synth.voice_store import add_voice, check_consent, check_name

    check_name(args.name)
    check_consent(args.consent)   # refused before any clip is read
    voice = add_voice(args.name, args.clips, args.consent, bases=args.base, keep_clips=args.keep_clips,
                      force=args.force, **({"mapping": args.mapping} if args.mapping else {}))
    if args.json:
        print(json.dumps({k: v for k, v in voice.to_dict().items() if k != "embedding"}, indent=2))
        return
    fit = voice.built_from["candidates"][voice.base_voice]
    _say(args, f"stored voice {voice.name!r} in {voice.path}: {len(voice.clips)} clips, "
               f"{voice.built_from['speech_s']:.1f} s of speech, base {voice.base_voice} "
               f"(speaker cosine {fit['base_cosine']:.2f} -> {fit['cosine']:.2f} after the timbre step); "
               f"speak it with: emostudio speak \"...\" --voice {voice.name}")


def run_list(args: argparse.Namespace) -> None:
    from synth.voice_store import stored_voices, voices_dir
    from synth.voices import builtin_voices

    stored = stored_voices()
    rows = [(v.name, v.origin, v.description) for v in builtin_voices()]
    rows += [(v.name, "stored", f"{v.as_voice().description}; consent: {v.consent['statement']!r}") for v in stored]
    if args.json:
        print(json.dumps([{"name": n, "origin": o, "description": d} for n, o, d in rows], indent=2))
        return
    width = max(len(n) for n, _, _ in rows)
    for name, origin, description in rows:
        print(f"{name:<{width}}  {origin:<8}  {description}")
    if not stored:
        _say(args, f"(no stored voices in {voices_dir()}; add one with: emostudio voice add NAME clip.wav ... "
                   f"--consent \"...\")")


def run_remove(args: argparse.Namespace) -> None:
    from synth.voice_store import remove_voice

    path = remove_voice(args.name)
    _say(args, f"removed voice {args.name!r} ({path})")
