"""Train the mouth-motion model (speech + emotion -> jaw and lips) on a built corpus.

    python -m train.corpus.build --size full --out data/corpus
    python -m train.train_mouth --corpus data/corpus

Targets are visemes with coarticulation from the corpus phone times (`synth/face/visemes.py`),
shaped by each item's emotion; the model hears only audio. Reports, on the test sentences of
the held-out voice, how closely sampled motion follows those targets. Writes
checkpoints/mouth_motion.pt (config, weights, metrics) and its manifest entry.
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
from synth.face.motion import MOUTH_CHANNELS
from synth.face.mouth_generator import MouthMotionGenerator
from synth.face.mouth_model import MouthModelConfig
from train.callbacks import EpochSeeds, TextProgress, record_training_run, training_items_description
from train.mouth.data import MOUTH_AUGMENT, MouthCrop, MouthDataset, collate, item_target, mouth_targets
from train.mouth.module import MouthTraining
from train import scaffold
from train.scaffold import add_corpus_arguments, add_run_arguments, build_trainer, fit, start_run, training_parser
from train.ser.data import CorpusAudio, EpochSampler, load_corpus_audio

STATS_ITEMS = 400


def build_parser() -> argparse.ArgumentParser:
    parser = training_parser("train.train_mouth", __doc__.splitlines()[0])
    add_corpus_arguments(parser, corpus_help="a folder made by train.corpus.build", workers=1)
    add_run_arguments(parser, epochs=4, batch_size=32, learning_rate=2e-3,
                      output_help=f"default: checkpoints/{shipped_model('mouth_motion').checkpoint}")
    parser.add_argument("--channels", type=int, default=MouthModelConfig.channels)
    parser.add_argument("--evaluate-items", type=int, default=300, help="held-out items sampled for the report")
    parser.add_argument("--no-augment", action="store_true")
    return parser


def parse_arguments(argv=None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def reproducing_command(args: argparse.Namespace) -> str:
    return scaffold.reproducing_command(build_parser(), args)


def statistics(module: MouthTraining, corpus: CorpusAudio, targets: dict[int, np.ndarray],
               seed: int) -> MouthModelConfig:
    """Mel band statistics into the network's buffers; returns the config with motion statistics."""
    chosen = np.random.default_rng(seed).permutation(list(targets))[:STATS_ITEMS]
    mels = torch.cat([module.frontend(torch.from_numpy(corpus.audio(int(i)))[None])[0] for i in chosen], dim=1)
    module.net.audio.mel_mean.copy_(mels.mean(dim=1))
    module.net.audio.mel_std.copy_(mels.std(dim=1).clamp_min(1e-3))
    motion = np.concatenate([targets[int(i)] for i in chosen])
    return dataclasses.replace(module.net.config, motion_mean=tuple(float(x) for x in motion.mean(0)),
                               motion_std=tuple(float(x) for x in motion.std(0).clip(1e-3)))


def evaluate(generator: MouthMotionGenerator, corpus: CorpusAudio, targets: dict[int, np.ndarray],
             indices: list[int], steps: int = 8) -> dict:
    """Sampled motion against the viseme targets: per channel MAE and Pearson r over all frames."""
    predicted, reference = [], []
    for index in indices:
        motion = generator.generate(corpus.audio(index), corpus.sample_rate, item_target(corpus.records[index]),
                                    steps=steps, seed=index)
        frames = min(len(motion), len(targets[index]))
        predicted.append(motion[:frames])
        reference.append(targets[index][:frames])
    predicted, reference = np.concatenate(predicted), np.concatenate(reference)
    report = {"items": len(indices), "frames": int(len(predicted)), "steps": steps}
    for k, name in enumerate(MOUTH_CHANNELS):
        report[f"{name}_mae"] = round(float(np.abs(predicted[:, k] - reference[:, k]).mean()), 4)
        report[f"{name}_r"] = round(float(np.corrcoef(predicted[:, k], reference[:, k])[0, 1]), 4)
    return report


def train(args: argparse.Namespace) -> dict:
    start_run(args)
    frontend = LogMelConfig()
    corpus = load_corpus_audio(args.corpus, frontend.sample_rate)
    train_items = corpus.indices("train")[: args.limit_train]
    validation_items, test_items = corpus.indices("validation"), corpus.indices("test")
    if not train_items or not test_items:
        raise SystemExit(f"{args.corpus} has {len(train_items)} training and {len(test_items)} test items; "
                         "both are needed")
    print(f"viseme targets for {len(corpus.records)} items ...", flush=True)
    targets = mouth_targets(corpus, train_items + validation_items + test_items)
    steps_per_epoch = -(-len(train_items) // args.batch_size)
    module = MouthTraining(MouthModelConfig(channels=args.channels), frontend, args.learning_rate,
                           total_steps=steps_per_epoch * args.epochs)
    config = statistics(module, corpus, {i: targets[i] for i in train_items}, args.seed)
    module.net.config = config

    sampler = EpochSampler(train_items, args.seed)
    train_targets = {i: targets[i] for i in train_items}
    augmentation = None if args.no_augment else MOUTH_AUGMENT
    train_loader = DataLoader(MouthDataset(corpus, train_targets, MouthCrop(), augmentation),
                              batch_size=args.batch_size, sampler=sampler, collate_fn=collate,
                              num_workers=args.workers, persistent_workers=args.workers > 0)
    validation_loader = None
    if validation_items:
        validation_targets = {i: targets[i] for i in validation_items}
        validation_loader = DataLoader(MouthDataset(corpus, validation_targets, MouthCrop(), None),
                                       batch_size=args.batch_size, collate_fn=collate,
                                       sampler=EpochSampler(validation_items, args.seed, shuffle=False))
    trainer = build_trainer(args, [EpochSeeds(sampler), TextProgress(
        summary=lambda m: {"val_loss": m.validation_losses[-1]} if m.validation_losses else None)],
        gradient_clip_val=1.0, num_sanity_val_steps=0, log_every_n_steps=20)
    started = time.perf_counter()
    fit(trainer, module, args, reproducing_command(args), train_loader, validation_loader)
    seconds = time.perf_counter() - started

    generator = MouthMotionGenerator(module.net.cpu().eval(), frontend)
    chosen = list(np.random.default_rng(args.seed).permutation(test_items)[: args.evaluate_items])
    test_metrics = evaluate(generator, corpus, targets, [int(i) for i in chosen])
    return {"module": module, "config": config, "seconds": seconds, "test": test_metrics,
            "train_items": train_items, "corpus": corpus}


def main(argv=None) -> int:
    args = parse_arguments(argv)
    result = train(args)
    output = args.output or shipped_path("mouth_motion")
    module, corpus = result["module"], result["corpus"]
    metrics = {"held_out_voice_test": result["test"], "train_losses": module.train_losses,
               "validation_losses": module.validation_losses}
    save_checkpoint(output, result["config"], module.net.state_dict(),
                    extra={"frontend": dataclasses.asdict(module.frontend.config), "metrics": metrics})
    print("held-out voice test:", result["test"])
    if not args.no_manifest:
        corpus_summary = Path(args.corpus) / "corpus.json"
        record_training_run(
            output, model="synth.face.mouth_model.MouthFlowNet",
            made_by=reproducing_command(args),
            config=result["config"], network=module.net, frontend=dataclasses.asdict(module.frontend.config),
            data=(f"{training_items_description(args.corpus, corpus.records, result['train_items'])}; targets: "
                  f"synth.face.visemes.mouth_track from the phone times and each item's emotion; augmentation "
                  f"{'off' if args.no_augment else dataclasses.asdict(MOUTH_AUGMENT)}; corpus summary: "
                  f"{corpus_summary.read_text().strip() if corpus_summary.exists() else 'n/a'}"),
            seconds=result["seconds"], accelerator=args.accelerator, metrics=metrics)
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
