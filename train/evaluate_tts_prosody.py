"""How close the TTS's prosody predictors come to the corpus, per category and intensity.

    python -m train.evaluate_tts_prosody --corpus data/corpus --decoder flow

On the validation split's category items (never trained on), for each category and
intensity: the predicted utterance length over the corpus's, and the F0 range (standard
deviation in semitones over voiced frames) of the contour predicted on the corpus's own
durations, beside the corpus's. A predictor regressed on squared errors flattens contours;
this shows by how much, and where (it is what led to the utterance loss of `train_tts`).
Writes docs/tts_prosody_<decoder>.json, or --output.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from common.atomic import atomic_write_bytes
from conditioning.checkpoints import shipped_path
from synth.tts.model import LOG_SEMITONE
from synth.speech import shipped_tts
from synth.tts.config import DECODERS
from synth.tts.synthesizer import Synthesizer
from train.tts.data import TTSDataset, collate, load_tokens
from train.tts.features import load_features

DOCS = Path(__file__).resolve().parents[1] / "docs"


def parse_arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="a corpus with tts_features built")
    parser.add_argument("--decoder", choices=DECODERS, default="flow")
    parser.add_argument("--checkpoint", type=Path, default=None, help="default: the shipped one")
    parser.add_argument("--split", default="validation")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--output", type=Path, default=None)
    return parser.parse_args(argv)


def f0_range_semitones(log_f0: np.ndarray) -> float:
    return float(log_f0.std() / LOG_SEMITONE) if log_f0.size >= 2 else float("nan")


def compare(model, dataset: TTSDataset, batch_size: int) -> list[dict]:
    """Per item: its category, intensity, predicted / true length and both F0 ranges."""
    rows = []
    for start in range(0, len(dataset), batch_size):
        positions = range(start, min(start + batch_size, len(dataset)))
        batch = collate([dataset[p] for p in positions])
        predicted = model.predicted_prosody(batch)
        for row, position in enumerate(positions):
            source = dataset.acoustic.records[dataset.indices[position]]["source"]
            voiced = (batch["voiced"][row] & predicted["frame_mask"][row]).numpy()
            rows.append({"category": source["category"], "intensity": float(source["intensity"]),
                         "length_ratio": float(predicted["durations"][row].sum() / batch["durations"][row].sum()),
                         "f0_range": f0_range_semitones(predicted["log_f0"][row].numpy()[voiced]),
                         "corpus_f0_range": f0_range_semitones(batch["log_f0"][row].numpy()[voiced])})
    return rows


def summarise(rows: list[dict]) -> list[dict]:
    """Means per (category, intensity), in that order."""
    groups: dict[tuple[str, float], list[dict]] = defaultdict(list)
    for row in rows:
        groups[(row["category"], row["intensity"])].append(row)
    return [{"category": category, "intensity": intensity, "items": len(members),
             **{key: round(float(np.nanmean([m[key] for m in members])), 3)
                for key in ("length_ratio", "f0_range", "corpus_f0_range")}}
            for (category, intensity), members in sorted(groups.items())]


def evaluate(args: argparse.Namespace) -> dict:
    synthesizer = Synthesizer.from_checkpoint(args.decoder, args.checkpoint)
    acoustic = load_features(args.corpus, synthesizer.acoustic)
    tokens = load_tokens(args.corpus, acoustic, progress=False)
    items = [i for i, r in enumerate(acoustic.records)
             if r["split"] == args.split and r["source"]["kind"] == "category" and r["voice"] in synthesizer.voices]
    if not items:
        raise SystemExit(f"{args.corpus} has no category items in the {args.split} split in this model's voices")
    rows = compare(synthesizer.model, TTSDataset(acoustic, tokens, items), args.batch_size)
    return {"decoder": args.decoder,
            "checkpoint": str(args.checkpoint or shipped_path(shipped_tts(args.decoder))),
            "split": args.split, "items": len(rows), "by_category_and_intensity": summarise(rows)}


def main(argv=None) -> int:
    args = parse_arguments(argv)
    report = evaluate(args)
    output = args.output or DOCS / f"tts_prosody_{args.decoder}.json"
    atomic_write_bytes(output, (json.dumps(report, indent=2) + "\n").encode())
    for row in report["by_category_and_intensity"]:
        print(f"{row['category']:10s} {row['intensity']:.2f}  length x{row['length_ratio']:.3f}  "
              f"F0 range {row['f0_range']:.2f} st (corpus {row['corpus_f0_range']:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
