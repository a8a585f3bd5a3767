"""`emostudio completion bash|zsh|tcsh`: a shell completion script, made from the parser
itself (shtab), so it never lags behind the commands."""

from __future__ import annotations

import argparse

SHELLS = ("bash", "zsh", "tcsh")


def add_parser(commands) -> None:
    completion = commands.add_parser(
        "completion", help="print a shell completion script",
        description="bash: emostudio completion bash > ~/.local/share/bash-completion/completions/emostudio")
    completion.add_argument("shell", choices=SHELLS)
    completion.set_defaults(run=run)


def run(args: argparse.Namespace) -> None:
    import shtab

    from . import build_parser

    print(shtab.complete(build_parser(), shell=args.shell))
