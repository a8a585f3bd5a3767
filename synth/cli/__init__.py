"""The `emostudio` command line: one module per command, each with `add_parser(commands)` and
`run(args)`. Command modules import only argparse-level names at the top, and their models
inside `run`, so `emostudio --help` and the light commands start in a fraction of a second.

    emostudio emotion "0s calm; 2s angry:0.8"
    emostudio speak "Hello there." --emotion happy:0.8
    emostudio animate default speech.wav --emotion sad -o sad.mp4
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings

from .common import add_verbosity_options

# Each command's module, in the order `--help` lists them.
COMMANDS = ("speak", "convert", "animate", "dub", "voice", "recognize", "verify", "emotion", "text", "completion")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="emostudio", description="Emotional speech and face studio: "
                                     "speech, voice conversion and talking heads from one emotion space")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    add_verbosity_options(parser, at_root=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        before = set(commands.choices)
        importlib.import_module(f"{__name__}.{name}").add_parser(commands)
        for added in set(commands.choices) - before:
            add_verbosity_options(commands.choices[added])
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("emostudio")
    except PackageNotFoundError:
        return "unknown (not installed)"


def main(argv: list[str] | None = None) -> int:
    # pyworld imports pkg_resources, whose deprecation notice means nothing to a user.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    args = build_parser().parse_args(argv)
    try:
        status = args.run(args)  # a command may return its own exit status (verify: 1 = no mark)
    except KeyboardInterrupt:
        print("emostudio: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the output was piped into something that stopped reading (| head)
        return 0
    except OSError as error:  # unwritable outputs, full disks, missing files: no traceback
        what = f"{error.strerror or error}" + (f": {error.filename}" if error.filename else "")
        print(f"emostudio: error: {what}", file=sys.stderr)
        return 2
    except ValueError as error:  # every documented input error is a ValueError subclass
        print(f"emostudio: error: {error}", file=sys.stderr)
        return 2
    return status if isinstance(status, int) else 0
