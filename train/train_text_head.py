"""Train the description head: `python -m train.train_text_head` (about 3 minutes on 2 cores).

Generates the description corpus from the vocabulary, embeds it with the offline MiniLM
encoder, trains the head with Lightning, evaluates it on held-out templates and held-out
words/idioms, and writes `checkpoints/text_head.pt` plus its manifest entry.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import asdict

import torch

from conditioning.checkpoints import record_in_manifest, save_checkpoint, shipped_path
from conditioning.sentence_encoder import embed_sentences
from conditioning.text_head import TextHeadConfig
from train import scaffold
from train.text_head.descriptions import generate_descriptions
from train.scaffold import add_run_arguments, build_trainer, fit, sliced_batch_loader, start_run, training_parser
from train.text_head.module import (LabelledEmbeddings, TextHeadTraining, evaluate_head,
                                    target_labels, training_loss)


def build_parser() -> argparse.ArgumentParser:
    parser = training_parser("train.train_text_head", __doc__.splitlines()[0])
    parser.add_argument("--train-size", type=int, default=24000)
    parser.add_argument("--test-size", type=int, default=2000, help="examples per test split")
    add_run_arguments(parser, epochs=30, batch_size=256, output_help="default: the shipped checkpoint path")
    parser.add_argument("--hidden-dim", type=int, default=256)
    return parser


def parse_arguments(argv=None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def reproducing_command(args: argparse.Namespace) -> str:
    return scaffold.reproducing_command(build_parser(), args)


def train(args: argparse.Namespace) -> dict:
    start_run(args)
    started = time.perf_counter()
    train_set = generate_descriptions(args.train_size, args.seed, "train")
    test_sets = {split: generate_descriptions(args.test_size, args.seed, split)
                 for split in ("test_template", "test_words")}
    embeddings = {"train": embed_sentences([e.text for e in train_set], progress=True)}
    for split, examples in test_sets.items():
        embeddings[split] = embed_sentences([e.text for e in examples])

    config = TextHeadConfig(hidden_dim=args.hidden_dim)
    module = TextHeadTraining(config)
    labels = target_labels([e.target for e in train_set])
    dataset = LabelledEmbeddings(embeddings["train"], labels)
    initial_loss = training_loss(module.head, embeddings["train"], labels)
    loader = sliced_batch_loader(dataset, args.batch_size, args.seed)
    trainer = build_trainer(args, deterministic=True)
    fit(trainer, module, args, reproducing_command(args), loader)
    head = module.head.cpu()
    losses = {"initial": initial_loss, "final": training_loss(head, embeddings["train"], labels)}
    metrics = {split: evaluate_head(head, embeddings[split], [e.target for e in examples])
               for split, examples in test_sets.items()}
    metrics["train"] = evaluate_head(head, embeddings["train"][:args.test_size],
                                     [e.target for e in train_set[:args.test_size]])
    seconds = time.perf_counter() - started

    output = args.output or shipped_path("text_head")
    save_checkpoint(output, config, head.state_dict(), extra={"metrics": metrics, "losses": losses})
    if not args.no_manifest:
        record_in_manifest(output, {
            "model": "conditioning.text_head.DescriptionHead",
            "made_by": reproducing_command(args),
            "config": asdict(config),
            "data": (f"{args.train_size} generated descriptions (train.text_head.descriptions, seed "
                     f"{args.seed}); tests: {args.test_size} with held-out templates, "
                     f"{args.test_size} with held-out words and idioms"),
            "training_seconds": round(seconds, 1),
            "training_hardware": f"{args.accelerator}, torch threads {torch.get_num_threads()}",
            "losses": losses,
            "metrics": metrics,
        })
    return {"metrics": metrics, "losses": losses, "seconds": seconds, "output": str(output),
            "state_dict": head.state_dict()}


def main(argv=None) -> None:
    result = train(parse_arguments(argv))
    print(f"training loss {result['losses']['initial']:.3f} -> {result['losses']['final']:.3f}")
    for split, values in result["metrics"].items():
        print(split, {k: round(v, 3) for k, v in values.items()})
    print(f"trained in {result['seconds']:.0f} s -> {result['output']}")


if __name__ == "__main__":
    main()
