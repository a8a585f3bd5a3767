"""Measure a trained speech emotion recognizer again on a built corpus.

    python -m train.evaluate_ser --corpus data/corpus

The same evaluation train_ser makes at the end of training (held-out voice's test sentences
and training voices' validation sentences, alone and against the voice's neutral speech),
for when the corpus's test items were rendered again after the recognizer was trained. For
the shipped recognizer it redraws the confusion images and adds the result to its entry in
checkpoints/manifest.json as ``evaluation`` (the training-time ``metrics`` stay as they were:
they describe the corpus the run saw).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from common.atomic import atomic_write_bytes
from conditioning.checkpoints import add_to_manifest_entry, shipped_path
from common.log_mel import LogMelConfig
from conditioning.ser.recognizer import SpeechEmotionRecognizer
from train.ser.data import load_corpus_audio
from train.train_ser import DEFAULT_CONFUSION_IMAGE, evaluate_recognizer, report_held_out, without_confusions


def parse_arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="a folder made by train.corpus.build")
    parser.add_argument("--checkpoint", type=Path, default=None,
                        help="default: the shipped recognizer (then the manifest and docs images are updated)")
    parser.add_argument("--output", type=Path, default=None, help="also write the evaluation here as JSON")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_arguments(argv)
    shipped = args.checkpoint is None
    recognizer = SpeechEmotionRecognizer.from_checkpoint(args.checkpoint)
    corpus = load_corpus_audio(args.corpus, LogMelConfig().sample_rate)
    if not corpus.indices("test"):
        raise SystemExit(f"{args.corpus} has no test items to evaluate on")
    evaluations = evaluate_recognizer(recognizer, corpus)
    report_held_out(evaluations, DEFAULT_CONFUSION_IMAGE if shipped else None)
    summary = without_confusions(evaluations)
    if args.output:
        atomic_write_bytes(args.output, (json.dumps(evaluations, indent=2) + "\n").encode())
    if shipped:
        corpus_summary = json.loads((Path(args.corpus) / "corpus.json").read_text())
        add_to_manifest_entry(shipped_path("ser"), evaluation={
            "made_by": f"python -m train.evaluate_ser --corpus {args.corpus}",
            "corpus": {k: corpus_summary.get(k) for k in ("name", "rendering", "seed", "items", "hours")},
            **summary})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
