"""How steady the speech emotion recognizer's judgement is when the recording changes but the
emotion does not: the held-out voice's test items with a brighter or darker spectrum, another
pitch and vocal-tract size, another F0 over the same formants, a rougher voice, another tempo,
noise or a telephone band.

    python -m train.evaluate_ser_robustness --corpus data/corpus [--checkpoint PATH] [--items N]

A fair judge of generated and real speech keeps its reading under these; one that moves
with them is reading the recording, not the emotion. Prints one JSON object per condition
(UAR, CCC arousal and valence) and writes them all to ``--output`` (docs/ser_robustness.json).
A recognizer with a reference branch is also read against one neutral clip of the voice (the
next test sentence's), changed the same way: the same speaker through the same channel.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from common.atomic import atomic_write_bytes
from common.log_mel import LogMelConfig
from conditioning.ser.recognizer import SpeechEmotionRecognizer
from train.audio_augment import (add_noise, band_limit, change_tempo, roughen_voice, shift_pitch, shift_voice,
                                 tilt_spectrum)
from train.ser.data import ReferencePicker, load_corpus_audio
from train.train_ser import evaluate

TILT_CORNER_HZ = 1500.0


def conditions(seed: int) -> dict:
    """name -> (audio, rate) -> audio; ``clean`` first."""
    return {
        "clean": None,
        "tilt -6 dB": lambda x, r: tilt_spectrum(x, r, -6.0, TILT_CORNER_HZ),
        "tilt -3 dB": lambda x, r: tilt_spectrum(x, r, -3.0, TILT_CORNER_HZ),
        "tilt +3 dB": lambda x, r: tilt_spectrum(x, r, 3.0, TILT_CORNER_HZ),
        "tilt +6 dB": lambda x, r: tilt_spectrum(x, r, 6.0, TILT_CORNER_HZ),
        "voice -2 st": lambda x, r: shift_voice(x, r, -2.0)[0],
        "voice +2 st": lambda x, r: shift_voice(x, r, 2.0)[0],
        "pitch -2 st": lambda x, r: shift_pitch(x, r, -2.0)[0],
        "pitch +2 st": lambda x, r: shift_pitch(x, r, 2.0)[0],
        "pitch +3 st": lambda x, r: shift_pitch(x, r, 3.0)[0],
        "rough mild": lambda x, r: roughen_voice(x, r, 0.1, 0.5, 30.0, np.random.default_rng(seed)),
        "rough strong": lambda x, r: roughen_voice(x, r, 0.3, 1.5, 12.0, np.random.default_rng(seed)),
        "tempo 0.9": lambda x, r: change_tempo(x, r, 0.9),
        "tempo 1.1": lambda x, r: change_tempo(x, r, 1.1),
        "pink noise 20 dB": lambda x, r: add_noise(x, r, 20.0, "pink", np.random.default_rng(seed)),
        "telephone band": lambda x, r: band_limit(x, r, 300.0, 3400.0),
    }


def summary(metrics: dict) -> dict:
    return {k: metrics[k] for k in ("items", "uar", "ccc_arousal", "ccc_valence")}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="a folder made by train.corpus.build")
    parser.add_argument("--checkpoint", type=Path, default=None, help="default: the shipped recognizer")
    parser.add_argument("--items", type=int, default=600, help="held-out test items, drawn evenly (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=Path("docs/ser_robustness.json"),
                        help="every condition's metrics, as JSON (default: docs/ser_robustness.json)")
    args = parser.parse_args(argv)
    corpus = load_corpus_audio(args.corpus, LogMelConfig().sample_rate)
    test = pool = corpus.indices("test")
    if not test:
        raise SystemExit(f"{args.corpus} has no test items (the held-out voice's sentences)")
    if args.items and args.items < len(test):
        test = sorted(np.random.default_rng(args.seed).choice(test, args.items, replace=False).tolist())
    recognizer = SpeechEmotionRecognizer.from_checkpoint(args.checkpoint)
    references = ReferencePicker(corpus, pool, fixed=True) if recognizer.takes_speaker_reference else None
    report = {}
    for name, transform in conditions(args.seed).items():
        report[name] = summary(evaluate(recognizer, corpus, test, transform))
        if references is not None:
            report[name]["with_reference"] = summary(evaluate(recognizer, corpus, test, transform, references))
        print(json.dumps({"condition": name, **report[name]}), flush=True)
    atomic_write_bytes(args.output, json.dumps(report, indent=2).encode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
