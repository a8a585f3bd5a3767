"""Writes docs/cartoon_identities.png: random cartoon identities (rows) x expressions (columns).

Run from the repository root: `.venv/bin/python scripts/preview_cartoon.py`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

from synth.face.cartoon import DEFAULT, CartoonIdentity, CartoonRenderer
from synth.face.motion import CHANNEL_INDEX, MotionTrack
from synth.face.rig import pose_track

# EMFACS prototypes (see DESIGN.md item 4), plus a blink with a head tilt and a sideways look.
EXPRESSIONS: dict[str, dict[str, float]] = {
    "neutral": {},
    "happy": {"AU6": 0.9, "AU12": 1.0, "jaw_open": 0.25, "lip_close": 0.0},
    "sad": {"AU1": 1.0, "AU4": 0.7, "AU15": 1.0},
    "surprise": {"AU1": 1.0, "AU2": 1.0, "AU5": 1.0, "AU26": 1.0, "lip_close": 0.0},
    "anger": {"AU4": 1.0, "AU5": 0.6, "AU7": 0.8, "AU23": 0.8},
    "disgust": {"AU9": 1.0, "AU15": 0.6, "AU16": 0.6, "lip_close": 0.0, "jaw_open": 0.1},
    "fear": {"AU1": 1.0, "AU2": 1.0, "AU4": 0.6, "AU5": 1.0, "AU7": 0.4, "AU20": 1.0, "AU26": 0.6,
             "lip_close": 0.0},
    "blink, tilt": {"blink": 1.0, "head_roll": 0.18, "gaze_x": 0.8},
}


def expression_track(settings: list[dict[str, float]]) -> MotionTrack:
    track = MotionTrack.rest(len(settings))
    for frame, values in enumerate(settings):
        for name, value in values.items():
            track.values[frame, CHANNEL_INDEX[name]] = value
    return track


def preview_grid(identities: list[CartoonIdentity], cell: int) -> np.ndarray:
    track = expression_track(list(EXPRESSIONS.values()))
    rows = []
    for identity in identities:
        renderer = CartoonRenderer(identity, size=cell)
        posed = pose_track(renderer.source_points[:68], track)
        rows.append(np.concatenate([renderer.render(points) for points in posed], axis=1))
    return np.concatenate(rows, axis=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/cartoon_identities.png"))
    parser.add_argument("--identities", type=int, default=6)
    parser.add_argument("--cell", type=int, default=128)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    identities = [DEFAULT] + [CartoonIdentity.random(rng) for _ in range(args.identities - 1)]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(preview_grid(identities, args.cell)).save(args.out, optimize=True)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB): columns {', '.join(EXPRESSIONS)}")


if __name__ == "__main__":
    main()
