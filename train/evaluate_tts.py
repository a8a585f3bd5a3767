"""Judge the TTS: from outside (the default), or with the studio's own speech emotion recognizer.

    python -m train.evaluate_tts                                        # outside judges: train/evaluate_tts_outside.py
    python -m train.evaluate_tts --decoder flow                         # ... for a learned decoder
    python -m train.evaluate_tts --judge ser --corpus data/corpus --decoder flow   # the in-repo SER (below)

With ``--corpus`` (or ``--judge ser``) this module judges with the recognizer, as follows.

Speaks test sentences (never trained on) in every TTS voice, each of the 8 categories at
intensities 0.5 / 0.75 / 1.0 (neutral once), and reports, per decoder:
  * UAR of requested vs recognized category, and the confusion matrix (docs/ image);
  * CCC of requested vs recognized arousal;
  * Spearman correlation of requested vs recognized intensity (category items);
  * voice identity drift: how far a voice's long-term spectral envelope moves across
    emotions, relative to how far apart the voices are (0: no drift; 1: as far as another voice);
  * the same metrics for the corpus's own renderings (validation sentences, same voices): what
    the recognizer makes of the speech the TTS learnt from, the ceiling this judge allows.
The TTS cannot speak the corpus's held-out voice (it never heard it); the report says so.
A recognizer trained with a speaker reference (``--recognizer``, or a shipped one) also judges
every utterance against the same voice's neutral speech on other sentences (the TTS's own
neutral renderings; the corpus's for the ceiling), reported under ``with_reference``.
Writes docs/tts_evaluation_<decoder>.json and docs/tts_confusion_<decoder>.png, and (for the
shipped checkpoint) adds the summary to its entry in checkpoints/manifest.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from conditioning.categories import CATEGORIES
from common.audio_io import load_audio
from common.atomic import atomic_write_bytes
from conditioning.checkpoints import add_to_manifest_entry, shipped_path
from conditioning.parse import parse_emotion
from conditioning.target import EmotionTarget
from conditioning.ser.recognizer import SpeakerReference, SpeechEmotionRecognizer, shipped_recognizer
from synth.tts.acoustic import AcousticConfig, analyze_audio
from synth.speech import shipped_tts
from synth.tts.synthesizer import Synthesizer
from train.corpus.build import read_manifest
from train.judges.emotion_metrics import emotion_metrics, plot_confusion, rank_correlation, target_arrays

DOCS = Path(__file__).resolve().parents[1] / "docs"
INTENSITIES = (0.5, 0.75, 1.0)
REFERENCE_CLIPS = 4   # neutral sentences averaged into a voice's reference


def parse_arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="for its test sentences")
    parser.add_argument("--decoder", choices=("flow", "diffusion"), default="flow")
    parser.add_argument("--sentences", type=int, default=12, help="sentences used (of 73 in each split)")
    parser.add_argument("--split", choices=("test", "validation"), default="test",
                        help="whose sentences are spoken: the reported test ones, or the validation ones (neither "
                             "was trained on) to choose a setting such as --guidance without looking at the test")
    parser.add_argument("--steps", type=int, default=None, help="decoder steps (default: the decoder's)")
    parser.add_argument("--guidance", type=float, default=1.0, help="classifier-free guidance on the emotion")
    parser.add_argument("--voices", nargs="*", default=None, help="only these voices (default: all it was trained on)")
    parser.add_argument("--checkpoint", type=Path, default=None)
    parser.add_argument("--recognizer", type=Path, default=None, help="judge with this SER checkpoint "
                        "(default: the shipped one); the manifest is then left alone")
    parser.add_argument("--output", type=Path, default=None)
    return parser.parse_args(argv)


def requests(corpus: Path, sentences: int, split: str = "test") -> list[tuple[str, str, float]]:
    """(text, category, intensity) for the first sentences of a split."""
    texts = sorted({r["text"] for r in read_manifest(corpus) if r["split"] == split})[:sentences]
    levels = [("neutral", 0.0)] + [(c, i) for c in CATEGORIES[1:] for i in INTENSITIES]
    return [(text, category, intensity) for text in texts for category, intensity in levels]


# Fixed, not the TTS's own feature size, so drifts of models with different sizes compare.
TIMBRE_ANALYSIS = AcousticConfig(envelope_dims=40)


def long_term_envelope(audio: np.ndarray, rate: int) -> np.ndarray:
    """Mean coded spectral envelope over voiced frames: the voice's timbre, roughly."""
    features = analyze_audio(audio, rate, TIMBRE_ANALYSIS)
    frames = features.envelope[features.voiced] if features.voiced.any() else features.envelope
    return frames.mean(axis=0)


def identity_drift(envelopes: dict[tuple[str, str], list[np.ndarray]]) -> dict:
    """Per voice: mean distance of each category's long-term envelope from the voice's
    neutral one, over the mean distance between different voices' neutral envelopes."""
    voices = sorted({voice for voice, _ in envelopes})
    neutral = {voice: np.mean(envelopes[(voice, "neutral")], axis=0) for voice in voices}
    between = np.mean([np.linalg.norm(neutral[a] - neutral[b]) for a in voices for b in voices if a < b])
    per_voice = {}
    for voice in voices:
        moves = [np.linalg.norm(np.mean(envelopes[(voice, c)], axis=0) - neutral[voice]) for c in CATEGORIES[1:]]
        per_voice[voice] = round(float(np.mean(moves) / between), 3)
    return {"relative_to_between_voice_distance": per_voice,
            "mean": round(float(np.mean(list(per_voice.values()))), 3)}


def judged(heard: list[EmotionTarget], requested: list[EmotionTarget]) -> dict:
    """UAR, confusion, CCCs and the intensity Spearman of what was heard against what was asked."""
    predicted, reference = target_arrays(heard), target_arrays(requested)
    metrics = emotion_metrics(predicted, reference, np.ones(len(reference["vad"]), dtype=bool))
    emotional = reference["intensity"] > 0
    asked_category = reference["categories"].argmax(axis=1)
    # Pooled over categories the rank also compares one emotion's intensity with another's
    # (is angry at 0.5 stronger than calm at 1.0?); within a category it is only "does more ask give more".
    by_category = {CATEGORIES[c]: rank_correlation(reference["intensity"][chosen], predicted["intensity"][chosen])
                   for c in sorted(set(asked_category[emotional]))
                   for chosen in [emotional & (asked_category == c)]}
    measured = [rho for rho in by_category.values() if rho is not None]
    return {"uar": metrics["uar"], "ccc_arousal": metrics["ccc_arousal"], "ccc_valence": metrics["ccc_valence"],
            "intensity_spearman": metrics["intensity_spearman"],
            "intensity_spearman_within_category": round(float(np.mean(measured)), 4) if measured else None,
            "intensity_spearman_by_category": by_category,
            "items": metrics["items"], "confusion": metrics["confusion"]}


def other_sentence_references(recognizer: SpeechEmotionRecognizer, neutral: dict[tuple[str, str], list[np.ndarray]],
                              rate: int) -> dict[tuple[str, str], SpeakerReference] | None:
    """(text, voice) -> that voice's neutral speech on up to REFERENCE_CLIPS other sentences (the
    same sentence where it has no other), as the recognizer's reference; None if it takes none."""
    if not recognizer.takes_speaker_reference:
        return None
    in_order = sorted(neutral.items(), key=lambda item: item[0])
    references = {}
    for text, voice in neutral:
        others = [clip for (t, v), clips in in_order if v == voice and t != text for clip in clips][:REFERENCE_CLIPS]
        references[(text, voice)] = recognizer.speaker_reference(others or neutral[(text, voice)], rate)
    return references


def corpus_reference(corpus: Path, voices: list[str], recognizer: SpeechEmotionRecognizer) -> dict:
    """The recognizer on the corpus's category renderings of its validation sentences (the
    test sentences are rendered only in the held-out voice) in these voices."""
    records = [r for r in read_manifest(corpus)
               if r["split"] == "validation" and r["voice"] in voices and r["source"]["kind"] == "category"]
    neutral: dict[tuple[str, str], list[np.ndarray]] = {}
    rate = None
    for r in records:
        if r["source"]["category"] == "neutral":
            clip, rate = load_audio(r["audio"])
            neutral.setdefault((r["text"], r["voice"]), []).append(clip)
    references = other_sentence_references(recognizer, neutral, rate) if neutral else None
    alone, against = [], []
    for r in records:   # each file read once, judged both ways
        clip, rate = load_audio(r["audio"])
        alone.append(recognizer.recognize(clip, rate, frames=False).target)
        if references is not None:
            against.append(recognizer.recognize(clip, rate, frames=False,
                                                reference=references.get((r["text"], r["voice"]))).target)
    requested = [EmotionTarget.from_dict(r["target"]) for r in records]
    report = judged(alone, requested)
    if references is not None:
        report["with_reference"] = judged(against, requested)
    return report


def evaluate(args: argparse.Namespace) -> dict:
    synthesizer = Synthesizer.from_checkpoint(args.decoder, args.checkpoint)
    recognizer = SpeechEmotionRecognizer.from_checkpoint(args.recognizer) if args.recognizer else shipped_recognizer()
    started = time.perf_counter()
    heard: list[EmotionTarget] = []
    heard_against_reference: list[EmotionTarget] = []
    requested: list[EmotionTarget] = []
    envelopes: dict[tuple[str, str], list[np.ndarray]] = {}
    plan = requests(args.corpus, args.sentences, args.split)
    voices = list(args.voices or synthesizer.voices)   # the held-out voice is not among them

    def speak(number: int, text: str, target: EmotionTarget, voice: str):
        return synthesizer.speak(text, target, voice, steps=args.steps, seed=number, guidance=args.guidance)

    neutral_speech = {(text, voice): speak(number, text, parse_emotion("neutral"), voice)
                      for number, (text, category, _) in enumerate(plan) if category == "neutral" for voice in voices}
    rate = next(iter(neutral_speech.values())).sample_rate
    clips = {key: [speech.audio] for key, speech in neutral_speech.items()}
    references = other_sentence_references(recognizer, clips, rate)
    for number, (text, category, intensity) in enumerate(plan):
        target = parse_emotion("neutral" if category == "neutral" else f"{category}:{intensity}")
        for voice in voices:
            speech = neutral_speech[(text, voice)] if category == "neutral" else speak(number, text, target, voice)
            heard.append(recognizer.recognize(speech.audio, speech.sample_rate, frames=False).target)
            if references is not None:
                heard_against_reference.append(recognizer.recognize(
                    speech.audio, speech.sample_rate, frames=False, reference=references[(text, voice)]).target)
            requested.append(target)
            if intensity in (0.0, 1.0):
                envelopes.setdefault((voice, category), []).append(long_term_envelope(speech.audio, speech.sample_rate))
        if (number + 1) % 22 == 0:
            print(f"{number + 1}/{len(plan)} requests ({time.perf_counter() - started:.0f} s)", flush=True)
    seconds = round(time.perf_counter() - started, 1)
    report = {"decoder": args.decoder, "steps": args.steps, "guidance": args.guidance, "split": args.split,
              "sentences": args.sentences,
              "voices": voices, "recognizer": str(args.recognizer or "shipped"),
              "held_out_voice": "not spoken: the TTS never heard it (no voice cloning)",
              **judged(heard, requested), "identity_drift": identity_drift(envelopes), "seconds": seconds}
    if references is not None:
        report["with_reference"] = judged(heard_against_reference, requested)
    report["corpus_reference"] = corpus_reference(args.corpus, voices, recognizer)
    return report


def plot_confusions(report: dict, folder: Path) -> None:
    """tts_confusion_<decoder>.png, and ..._with_reference.png where the judge took a reference."""
    decoder = report["decoder"]
    plot_confusion(np.array(report["confusion"]["rows_reference_columns_predicted"]),
                   f"TTS ({decoder}) heard by the SER: UAR {report['uar']:.3f}",
                   folder / f"tts_confusion_{decoder}.png")
    if "with_reference" in report:
        judged = report["with_reference"]
        plot_confusion(np.array(judged["confusion"]["rows_reference_columns_predicted"]),
                       f"TTS ({decoder}) heard by the SER against the voice's neutral speech: UAR {judged['uar']:.3f}",
                       folder / f"tts_confusion_{decoder}_with_reference.png")


def without_confusions(report: dict) -> dict:
    return {k: without_confusions(v) if isinstance(v, dict) else v for k, v in report.items() if k != "confusion"}


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    judge = "ser" if "--corpus" in argv or any(a.startswith("--corpus=") for a in argv) else "outside"
    if "--judge" in argv:
        at = argv.index("--judge")
        judge = argv[at + 1] if at + 1 < len(argv) else ""
        del argv[at:at + 2]
    if judge not in ("outside", "ser"):
        raise SystemExit("--judge must be outside or ser")
    if judge == "outside":
        from train.evaluate_tts_outside import main as outside
        return outside(argv)
    args = parse_arguments(argv)
    report = evaluate(args)
    output = args.output or DOCS / f"tts_evaluation_{args.decoder}.json"
    atomic_write_bytes(output, (json.dumps(report, indent=2) + "\n").encode())
    plot_confusions(report, output.parent)
    summary = without_confusions(report)
    if args.checkpoint is None and args.output is None and args.recognizer is None and args.split == "test":
        # the shipped model's own report
        add_to_manifest_entry(shipped_path(shipped_tts(args.decoder)), evaluation={
            "made_by": f"python -m train.evaluate_tts --corpus {args.corpus} --decoder {args.decoder}", **summary})
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
