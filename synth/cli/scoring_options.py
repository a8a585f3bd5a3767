"""--best-of N and --calibrate, shared by the generating commands (speak, convert, animate):
the scoring loop's options, the batch fields that carry them, and a one-line summary."""

from __future__ import annotations

import argparse

from synth.settings import SCORING_FIELDS


def add_scoring_options(parser: argparse.ArgumentParser, judged_by: str) -> None:
    parser.add_argument("--best-of", type=int, default=1, metavar="N",
                        help=f"make N candidates (seeds and strengths) and keep the one {judged_by} reads closest "
                             f"to the emotion ({SCORING_FIELDS['best_of'].span()}; --json lists every candidate's "
                             "scores)")
    parser.add_argument("--calibrate", action="store_true",
                        help="then adjust the strength until the read intensity is within 0.1 of the asked one")


def check_scoring(settings: dict) -> None:
    """The request's best_of / calibrate, checked as the loop will take them."""
    from synth.scoring import ScoringConfig

    ScoringConfig(best_of=settings.get("best_of", 1), calibrate=settings.get("calibrate", False))


def scoring_summary(line: dict) -> str:
    """'; kept candidate 2 of 5 (within tolerance)' for a manifest line made with the loop."""
    scoring = line.get("scoring")
    if not scoring:
        return ""
    return f"; kept candidate {scoring['kept']} of {len(scoring['candidates'])} ({scoring['stopped_by']})"
