"""Calibrate the shipped speech emotion recognizer without retraining it: the category head's
temperature and the out-of-distribution distance, written beside the checkpoint
(checkpoints/speech_emotion.calibration.json) and summarised in its manifest entry.

    python -m train.calibrate_ser [--corpus data/ser-calibration] [--sentences 12]

The corpus is rendered here when absent (train.corpus.build, the validation and test splits
only, ``--sentences`` of each): the training voices on validation sentences give the
distribution of training speech as the network encodes it; the held-out voice (kal16) on
test sentences, which nothing trained on, gives the temperature. The test sentences are
split in two by sentence: the first half fits the temperature and the OOD threshold, the
second half reports expected calibration error before and after, so the figures are not
measured on what was fitted.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from conditioning.categories import CATEGORIES
from conditioning.checkpoints import add_to_manifest_entry, shipped_path
from conditioning.ser.calibration import (expected_calibration_error, fit_embedding_distribution, fit_temperature,
                                          save_calibration, softmax)
from common.log_mel import LogMelConfig
from conditioning.ser.recognizer import SpeechEmotionRecognizer
from train.corpus.build import CorpusConfig, build_corpus
from train.ser.data import CorpusAudio, ReferencePicker, load_corpus_audio
from train.train_ser import encode_items

DEFAULT_CORPUS = Path("data/ser-calibration")
# Held-out items beyond this quantile of the fit half's distances count as unfamiliar.
THRESHOLD_QUANTILE = 0.99


def calibration_corpus(path: Path, sentences: int) -> CorpusAudio:
    if not (path / "corpus.json").exists():
        build_corpus(CorpusConfig(name="ser-calibration", splits=("validation", "test"), sentences_per_split=sentences),
                     path, jobs=2)
    return load_corpus_audio(path, LogMelConfig().sample_rate)


def split_by_sentence(corpus: CorpusAudio, items: list[int]) -> tuple[list[int], list[int]]:
    sentences = sorted({corpus.records[i]["sentence_id"] for i in items})
    first = set(sentences[: len(sentences) // 2])
    return ([i for i in items if corpus.records[i]["sentence_id"] in first],
            [i for i in items if corpus.records[i]["sentence_id"] not in first])


def categorical(corpus: CorpusAudio, items: list[int]) -> tuple[list[int], np.ndarray]:
    chosen = [i for i in items if corpus.records[i]["source"]["kind"] == "category"]
    labels = np.array([CATEGORIES.index(corpus.records[i]["source"]["category"]) for i in chosen])
    return chosen, labels


@torch.inference_mode()
def category_logits(recognizer: SpeechEmotionRecognizer, encodings: dict[int, torch.Tensor], corpus: CorpusAudio,
                    items: list[int], with_reference: bool) -> np.ndarray:
    """Uncalibrated logits of the items, alone or against one neutral clip of their voice."""
    pooled = torch.stack([encodings[i] for i in items])
    reference = None
    if with_reference:
        picker = ReferencePicker(corpus, corpus.indices("test"), fixed=True)
        reference = torch.stack([encodings[picker.pick(i)[0]] for i in items])
    return recognizer.net.read(pooled, reference)["category_logits"].double().numpy()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="rendered here when absent")
    parser.add_argument("--sentences", type=int, default=12, help="sentences per split when rendering")
    parser.add_argument("--components", type=int, default=16, help="principal components of the OOD distance")
    parser.add_argument("--checkpoint", type=Path, default=None,
                        help="a candidate recognizer to calibrate (default: the shipped one, and its manifest entry)")
    args = parser.parse_args(argv)
    checkpoint = args.checkpoint or shipped_path("ser")
    recognizer = SpeechEmotionRecognizer.from_checkpoint(checkpoint)
    corpus = calibration_corpus(args.corpus, args.sentences)
    validation, test = corpus.indices("validation"), corpus.indices("test")
    encodings = encode_items(recognizer, corpus, validation + test, corpus.audio, 16)
    distribution = fit_embedding_distribution(torch.stack([encodings[i] for i in validation]).numpy(),
                                              args.components)
    fit, report = split_by_sentence(corpus, test)
    distances = {name: distribution.distance(torch.stack([encodings[i] for i in items]).numpy())
                 for name, items in (("validation", validation), ("held_out_fit", fit), ("held_out_report", report))}
    threshold = float(np.quantile(np.concatenate([distances["validation"], distances["held_out_fit"]]),
                                  THRESHOLD_QUANTILE))
    fit_items, fit_labels = categorical(corpus, fit)
    report_items, report_labels = categorical(corpus, report)
    both = (False, True) if recognizer.takes_speaker_reference else (False,)
    fit_logits = np.concatenate([category_logits(recognizer, encodings, corpus, fit_items, r) for r in both])
    temperature = fit_temperature(fit_logits, np.tile(fit_labels, len(both)))
    ece = {}
    for r in both:
        logits = category_logits(recognizer, encodings, corpus, report_items, r)
        name = "held_out_voice_with_reference" if r else "held_out_voice"
        ece[name] = {"items": len(report_items),
                     "ece_before": round(expected_calibration_error(softmax(logits), report_labels), 4),
                     "ece_after": round(expected_calibration_error(softmax(logits, temperature), report_labels), 4),
                     "accuracy": round(float((logits.argmax(1) == report_labels).mean()), 4)}
    quantiles = {name: [round(float(q), 3) for q in np.quantile(d, [0.5, 0.95, 0.99])] for name, d in distances.items()}
    command = "python -m train.calibrate_ser" + (f" --corpus {args.corpus}" if args.corpus != DEFAULT_CORPUS else "")
    fitted_on = {"made_by": command,
                 "corpus": str(args.corpus), "validation_items": len(validation), "held_out_fit_items": len(fit),
                 "held_out_report_items": len(report), "temperature_items": int(len(fit_logits)),
                 "threshold_quantile": THRESHOLD_QUANTILE, "distance_median_p95_p99": quantiles,
                 "held_out_report_unfamiliar_share": round(float((distances["held_out_report"] > threshold).mean()), 4),
                 "expected_calibration_error": ece}
    calibration = type(distribution)(temperature, distribution.embedding_mean, distribution.components,
                                     distribution.component_variances, distribution.residual_variance, threshold,
                                     fitted_on)
    path = save_calibration(checkpoint, calibration)
    if args.checkpoint is None:
        add_to_manifest_entry(checkpoint, calibration={"file": path.name, "temperature": round(temperature, 4),
                                                        "ood_threshold": round(threshold, 4), **fitted_on})
    print(json.dumps({"temperature": round(temperature, 4), "ood_threshold": round(threshold, 4), **fitted_on},
                     indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
