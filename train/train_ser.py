"""Train the speech emotion recognizer on a built corpus and evaluate it on the held-out voice.

    python -m train.corpus.build --size full --out data/corpus
    python -m train.train_ser --corpus data/corpus

Trains on the corpus's train split (training voices) with waveform augmentation, selects
nothing on the test split, and reports on it: those are the test sentences spoken by the
held-out voice only. Writes checkpoints/speech_emotion.pt (config, weights, metrics), its
manifest entry and the confusion-matrix image.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from conditioning.checkpoints import save_checkpoint, shipped_model, shipped_path
from common.log_mel import LogMelConfig
from conditioning.ser.model import SERConfig, centre_utterances
from conditioning.ser.recognizer import SpeechEmotionRecognizer
from train.audio_augment import AugmentConfig, roughness_ranges
from train.callbacks import (EpochSeeds, TextProgress, record_training_run, starting_point,
                             training_items_description)
from train.ser.data import (REHEARSAL_SPLIT, CorpusAudio, CropConfig, EncodedItems, EpochSampler, ReferencePicker,
                             SERDataset, collate, load_corpus_audio, with_rehearsal)
from train.judges.emotion_metrics import emotion_metrics, plot_confusion, target_arrays
from train.ser.module import LossWeights, SERTraining, warm_start
from train import scaffold
from train.scaffold import add_corpus_arguments, add_run_arguments, build_trainer, fit, start_run, training_parser

DEFAULT_CONFUSION_IMAGE = Path(__file__).resolve().parents[1] / "docs" / "ser_confusion_heldout.png"
STATS_ITEMS = 400
# Training references are crops, like their items; evaluation uses whole neutral items.
REFERENCE_CROP = CropConfig(1.5, 3.0)
# Neutral clips an evaluation's reference averages -> the suffix of its metrics' name.
EVALUATED_REFERENCES = {1: "_with_reference", 3: "_with_3_references"}


def build_parser() -> argparse.ArgumentParser:
    parser = training_parser("train.train_ser", __doc__.splitlines()[0])
    add_corpus_arguments(parser, corpus_help="a folder made by train.corpus.build", workers=1)
    add_run_arguments(parser, epochs=6, batch_size=32, learning_rate=2e-3,
                      output_help=f"default: checkpoints/{shipped_model('ser').checkpoint}")
    parser.add_argument("--rehearse", type=Path, default=None, metavar="CORPUS",
                        help="also train on this corpus's training items (validation and test stay --corpus's): "
                             "a fine-tune on new speech keeps what --initialise-from learnt")
    parser.add_argument("--rehearse-items", type=int, default=None, metavar="N",
                        help="with --rehearse: at most this many of its training items, a seeded draw (default all)")
    parser.add_argument("--hidden", type=int, default=SERConfig.hidden)
    parser.add_argument("--harmonic-bins", type=int, default=0,
                        help="narrow-band low-frequency bins added to the 64 mel bands (0: mel only)")
    parser.add_argument("--utterance-normalisation", action="store_true",
                        help="centre each band on the utterance's mean (invariance to a voice's spectral balance)")
    parser.add_argument("--speaker-reference", action="store_true",
                        help="also read neutral speech by the same speaker and judge against it")
    parser.add_argument("--reference-clips", type=int, default=1,
                        help="with --speaker-reference: each training item's reference averages 1 to this many "
                             "neutral clips (users and the studio give several)")
    parser.add_argument("--reference-dropout", type=float, default=0.3,
                        help="with --speaker-reference: share of training items given no reference")
    parser.add_argument("--initialise-from", type=Path, default=None, metavar="CHECKPOINT",
                        help="start from a trained recognizer of the same size (e.g. to add --speaker-reference)")
    parser.add_argument("--heads-only", action="store_true",
                        help="with --initialise-from: train only the output heads, on what the frozen encoder "
                             "reads of whole clean items (read once; no augmentation), as evaluations read them")
    parser.add_argument("--intensity-weight", type=float, default=LossWeights.intensity,
                        help="weight of the intensity's squared error in the loss")
    parser.add_argument("--intensity-ranking-weight", type=float, default=LossWeights.intensity_ranking,
                        help="weight of a loss that orders every pair of items in a batch by intensity")
    parser.add_argument("--no-augment", action="store_true", help="train on clean audio (for comparison)")
    parser.add_argument("--voice-shift-probability", type=float, default=0.7,
                        help="share of items moved to another pitch and vocal-tract size (speaker augmentation)")
    parser.add_argument("--pitch-shift-probability", type=float, default=0.0,
                        help="share of items given another F0 baseline over the same formants (speaker augmentation)")
    parser.add_argument("--roughness-probability", type=float, default=0.0,
                        help="share of items given a rougher, breathier voice (jitter, shimmer, aspiration)")
    parser.add_argument("--roughness-strength", type=float, default=1.0,
                        help="how rough the roughest of those voices is, in (0, 1] (1: three times sadness's jitter)")
    parser.add_argument("--tilt-probability", type=float, default=0.0,
                        help="share of items given another spectral balance (a high shelf of +-6 dB)")
    parser.add_argument("--telephone-probability", type=float, default=0.0,
                        help="share of items sent down a G.711 telephone line (8 kHz, 300-3400 Hz, mu-law)")
    parser.add_argument("--codec-probability", type=float, default=0.0,
                        help="share of items through a lossy codec at a low bit rate (MP3, Opus, AMR-NB)")
    parser.add_argument("--confusion-image", type=Path, default=DEFAULT_CONFUSION_IMAGE)
    return parser


def parse_arguments(argv=None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.heads_only and args.initialise_from is None:
        parser.error("--heads-only trains the heads of a trained recognizer: give it with --initialise-from")
    return args


def mel_statistics(module: SERTraining, corpus: CorpusAudio, indices: list[int], seed: int) -> None:
    """Per-band mean and spread of clean training audio, stored in the network's buffers."""
    chosen = np.random.default_rng(seed).permutation(indices)[:STATS_ITEMS]
    mels = []
    for i in chosen:
        mel = module.frontend(torch.from_numpy(corpus.audio(int(i)))[None])
        mels.append(centre_utterances(mel, torch.tensor([mel.shape[-1]]), module.net.config)[0])
    mels = torch.cat(mels, dim=1)
    module.net.mel_mean.copy_(mels.mean(dim=1))
    module.net.mel_std.copy_(mels.std(dim=1).clamp_min(1e-3))


def predict(recognizer: SpeechEmotionRecognizer, corpus: CorpusAudio, indices: list[int],
            batch_size: int = 32, transform=None, references: ReferencePicker | None = None) -> dict[str, np.ndarray]:
    """The shipped inference path on whole items, batched by similar length; ``transform``
    (audio, rate) -> audio changes each item (and its reference) first; ``references`` picks
    each item's speaker reference."""
    rate = corpus.sample_rate
    load = corpus.audio if transform is None else (lambda i: transform(corpus.audio(i), rate))
    encoded = {}
    if references is not None:
        chosen = {i: tuple(references.pick(i)) for i in indices}
        by_reference = {clips: recognizer.speaker_reference([load(r) for r in clips], rate)
                        for clips in set(chosen.values()) if clips}
        encoded = {i: by_reference.get(clips) for i, clips in chosen.items()}
    encodings = encode_items(recognizer, corpus, indices, load, batch_size)
    return target_arrays(recognizer.read(torch.stack([encodings[i] for i in indices]),
                                         [encoded[i] for i in indices] if encoded else None))


def evaluate(recognizer: SpeechEmotionRecognizer, corpus: CorpusAudio, indices: list[int], transform=None,
             references: ReferencePicker | None = None) -> dict:
    predicted = predict(recognizer, corpus, indices, transform=transform, references=references)
    reference = {"categories": corpus.categories[indices], "vad": corpus.vad[indices],
                 "intensity": corpus.intensity[indices]}
    categorical = np.array([corpus.records[i]["source"]["kind"] == "category" for i in indices])
    metrics = emotion_metrics(predicted, reference, categorical)
    metrics["voices"] = sorted({corpus.records[i]["voice"] for i in indices})
    sources = [corpus.records[i]["source"] for i in indices]
    levels = np.array([source["intensity"] if source["kind"] == "category" else np.nan for source in sources])
    neutral = np.array([source.get("category") == "neutral" for source in sources])
    by_intensity = {}
    for level in sorted(set(levels[levels > 0])):  # neutral (intensity 0) joins every level
        chosen = (levels == level) | neutral
        by_intensity[str(level)] = emotion_metrics(
            {k: v[chosen] for k, v in predicted.items()}, {k: v[chosen] for k, v in reference.items()},
            np.ones(int(chosen.sum()), dtype=bool))["uar"]
    metrics["uar_by_intensity"] = by_intensity
    return metrics


def augmentation(args: argparse.Namespace) -> AugmentConfig | None:
    if args.no_augment or args.heads_only:   # the heads read the frozen encoder's clean encodings
        return None
    return AugmentConfig(voice_shift_probability=args.voice_shift_probability,
                         pitch_shift_probability=args.pitch_shift_probability,
                         roughness_probability=args.roughness_probability, tilt_probability=args.tilt_probability,
                         telephone_probability=args.telephone_probability, codec_probability=args.codec_probability,
                         **roughness_ranges(args.roughness_strength))


def train(args: argparse.Namespace) -> dict:
    start_run(args)
    corpus = load_corpus_audio(args.corpus, LogMelConfig().sample_rate)
    train_items = corpus.indices("train")[: args.limit_train]
    if args.rehearse is not None:
        corpus = with_rehearsal(corpus, load_corpus_audio(args.rehearse, corpus.sample_rate), args.rehearse_items,
                                args.seed)
        train_items = train_items + corpus.indices(REHEARSAL_SPLIT)
    validation_items, test_items = corpus.indices("validation"), corpus.indices("test")
    if not train_items or not test_items:
        raise SystemExit(f"{args.corpus} has {len(train_items)} training and {len(test_items)} test items; "
                         "both are needed")
    frontend = LogMelConfig(harmonic_bins=args.harmonic_bins)
    config = SERConfig(input_bands=frontend.bands, hidden=args.hidden,
                       utterance_normalisation=args.utterance_normalisation, speaker_reference=args.speaker_reference)
    steps_per_epoch = -(-len(train_items) // args.batch_size)
    module = SERTraining(config, frontend, learning_rate=args.learning_rate, total_steps=steps_per_epoch * args.epochs,
                         loss_weights=LossWeights(intensity=args.intensity_weight,
                                                  intensity_ranking=args.intensity_ranking_weight),
                         heads_only=args.heads_only)
    mel_statistics(module, corpus, train_items, args.seed)
    if args.initialise_from is not None:
        warm_start(module.net, SpeechEmotionRecognizer.from_checkpoint(args.initialise_from).net)

    started = time.perf_counter()
    augment_config = augmentation(args)
    sampler = EpochSampler(train_items, args.seed)
    validation_sampler = EpochSampler(validation_items, args.seed, shuffle=False)
    if args.heads_only:
        train_set, validation_set = encoded_datasets(args, module, corpus, train_items, validation_items)
        loader_options = {}
    else:
        train_references = (ReferencePicker(corpus, train_items, dropout=args.reference_dropout,
                                            clips=args.reference_clips) if args.speaker_reference else None)
        train_set = SERDataset(corpus, CropConfig(), augment_config, train_references, REFERENCE_CROP)
        validation_references = (ReferencePicker(corpus, validation_items, fixed=True) if args.speaker_reference
                                 else None)
        validation_set = SERDataset(corpus, None, None, validation_references)
        loader_options = {"collate_fn": collate}
    train_loader = DataLoader(train_set, batch_size=args.batch_size, sampler=sampler, num_workers=args.workers,
                              persistent_workers=args.workers > 0, **loader_options)
    validation_loader = (DataLoader(validation_set, batch_size=args.batch_size, sampler=validation_sampler,
                                    **loader_options) if validation_items else None)
    trainer = build_trainer(args, [EpochSeeds(sampler),
                                   TextProgress(summary=lambda m: m.history[-1] if m.history else None)],
                            gradient_clip_val=1.0, num_sanity_val_steps=0, log_every_n_steps=20)
    fit(trainer, module, args, reproducing_command(args), train_loader, validation_loader)
    seconds = time.perf_counter() - started

    net = module.net.cpu().eval()
    recognizer = SpeechEmotionRecognizer(net, module.frontend.config)
    return {"module": module, "config": config, "seconds": seconds, "augment": augment_config,
            "train_items": train_items, "corpus": corpus, "evaluations": evaluate_recognizer(recognizer, corpus)}


def encoded_datasets(args: argparse.Namespace, module: SERTraining, corpus: CorpusAudio, train_items: list[int],
                     validation_items: list[int]) -> tuple[EncodedItems, EncodedItems]:
    """Training and validation items read once by the module's (frozen) encoder, with references
    drawn as in full training (validation: the fixed ones evaluations use)."""
    recognizer = SpeechEmotionRecognizer(module.net, module.frontend.config)
    started = time.perf_counter()
    encodings = encode_items(recognizer, corpus, train_items + validation_items)
    print(f"encoded {len(encodings)} items in {time.perf_counter() - started:.0f} s", flush=True)
    if not args.speaker_reference:
        return EncodedItems(corpus, encodings, None), EncodedItems(corpus, encodings, None)
    no_reference = module.net.no_reference.detach()
    training = ReferencePicker(corpus, train_items, dropout=args.reference_dropout, clips=args.reference_clips)
    return (EncodedItems(corpus, encodings, training, no_reference),
            EncodedItems(corpus, encodings, ReferencePicker(corpus, validation_items, fixed=True), no_reference))


def encode_items(recognizer: SpeechEmotionRecognizer, corpus: CorpusAudio, indices: list[int],
                 load=None, batch_size: int = 32) -> dict[int, torch.Tensor]:
    """Each item's utterance encoding, batched by similar length; ``load`` (item -> audio at the
    corpus's rate) reads each item, by default as it is."""
    load = load or corpus.audio
    order = by_length(corpus, indices)
    encodings = {}
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        encodings.update(zip(chunk, recognizer.encode_batch([load(i) for i in chunk], corpus.sample_rate)))
    return encodings


def by_length(corpus: CorpusAudio, indices: list[int]) -> list[int]:
    """Shortest first, so a batch of neighbours pads little."""
    return sorted(indices, key=lambda i: corpus.offsets[i + 1] - corpus.offsets[i])


def evaluate_recognizer(recognizer: SpeechEmotionRecognizer, corpus: CorpusAudio) -> dict[str, dict]:
    """The recognizer on the held-out voice's test sentences and on the training voices'
    validation sentences: alone, and (for one with a reference branch) against one and three
    neutral items of the same voice on other sentences."""
    test_items, validation_items = corpus.indices("test"), corpus.indices("validation")
    splits = {"held_out_voice_test": test_items, "validation": validation_items}
    evaluations = {name: evaluate(recognizer, corpus, items) for name, items in splits.items() if items}
    if recognizer.net.config.speaker_reference:
        for clips, suffix in EVALUATED_REFERENCES.items():
            evaluations.update({f"{name}{suffix}": evaluate(
                recognizer, corpus, items, references=ReferencePicker(corpus, items, fixed=True, clips=clips))
                for name, items in splits.items() if items})
    return evaluations


def report_held_out(evaluations: dict[str, dict], confusion_image: Path | None) -> None:
    """Prints the held-out summaries and draws the confusion matrices of the recognizer alone
    and against one neutral clip (that one beside ``confusion_image``, with a _with_reference suffix)."""
    images = {"held_out_voice_test": confusion_image,
              "held_out_voice_test_with_reference": confusion_image and with_reference_image(confusion_image)}
    for name, test in evaluations.items():
        if not name.startswith("held_out_voice_test"):
            continue
        summary = {k: test[k] for k in ("uar", "ccc_arousal", "ccc_valence", "ccc_dominance", "intensity_mae")}
        print(f"{name.replace('_', ' ')}:", summary, "by intensity:", test["uar_by_intensity"])
        if images.get(name):
            against = " against its neutral voice" if name.endswith("_with_reference") else ", test sentences"
            plot_confusion(np.array(test["confusion"]["rows_reference_columns_predicted"]),
                           f"Held-out voice {', '.join(test['voices'])}{against}: UAR {test['uar']:.3f}", images[name])


def without_confusions(evaluations: dict[str, dict]) -> dict[str, dict]:
    return {name: {k: v for k, v in evaluation.items() if k != "confusion"} for name, evaluation in evaluations.items()}


def with_reference_image(path: Path) -> Path:
    return path.with_name(f"{path.stem}_with_reference{path.suffix}")


def rehearsal_description(args: argparse.Namespace, corpus: CorpusAudio) -> str:
    if args.rehearse is None:
        return ""
    return f" (of which {len(corpus.indices(REHEARSAL_SPLIT))} rehearsed from {args.rehearse})"


def reproducing_command(args: argparse.Namespace) -> str:
    """The command line that makes this run again: every argument that is not its default."""
    return scaffold.reproducing_command(build_parser(), args, scaffold.RUN_ONLY | {"confusion_image"})


def main(argv=None) -> int:
    args = parse_arguments(argv)
    started_from = starting_point(args.initialise_from) if args.initialise_from else None   # before it is replaced
    result = train(args)
    output = args.output or shipped_path("ser")
    module, corpus, evaluations = result["module"], result["corpus"], result["evaluations"]
    metrics = {**evaluations, "history": module.history, "train_losses": module.train_losses}
    save_checkpoint(output, result["config"], module.net.state_dict(),
                    extra={"frontend": dataclasses.asdict(module.frontend.config), "metrics": metrics})
    report_held_out(evaluations, args.confusion_image)
    if not args.no_manifest:
        corpus_summary = (Path(args.corpus) / "corpus.json")
        record_training_run(
            output, model="conditioning.ser.model.SpeechEmotionNet",
            made_by=reproducing_command(args),
            config=result["config"], network=module.net, frontend=dataclasses.asdict(module.frontend.config),
            data=(f"{training_items_description(args.corpus, corpus.records, result['train_items'])}"
                  f"{rehearsal_description(args, corpus)}, "
                  f"augmentation {dataclasses.asdict(result['augment']) if result['augment'] else 'off'}; "
                  f"corpus summary: {corpus_summary.read_text() if corpus_summary.exists() else 'n/a'}"),
            seconds=result["seconds"], accelerator=args.accelerator,
            **({"initialised_from": started_from} if started_from else {}),
            metrics={**without_confusions(evaluations),
                     "history": module.history, "train_losses": [round(x, 4) for x in module.train_losses]})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
