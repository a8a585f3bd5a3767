"""Train the learned conversion planner on the corpus's parallel pairs.

    python -m train.corpus.build --size full --out data/corpus
    python -m train.train_vc --corpus data/corpus

Each pair is one sentence by one voice in two emotions; the planner learns the change of
delivery between them (train.vc.pairs) from the source's measures and the two emotions' embeddings
(the TTS's EmotionEncoder, frozen), with a flow-matching and a diffusion decoder. The held-out
voice stays out of training. Reports, on pairs of validation sentences (training voices) and of
the held-out voice's test sentences, each decoder's error against the change the corpus shows,
beside the literature prior's. Writes checkpoints/vc_planner.pt and its manifest entry.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


from conditioning.checkpoints import load_shipped, save_checkpoint, shipped_model, shipped_path
from synth.tts.config import TTSConfig
from synth.vc.plan_model import PlanModelConfig
from train import scaffold
from train.corpus.build import HELD_OUT_VOICE
from train.callbacks import TextProgress, record_training_run
from train.scaffold import add_run_arguments, build_trainer, fit, sliced_batch_loader, start_run, training_parser
from train.vc.module import PairTensors, PlanTraining, evaluate_plans
from train.vc.pairs import chosen_records, item_measures, make_pairs, statistics


def build_parser() -> argparse.ArgumentParser:
    parser = training_parser("train.train_vc", __doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="a folder made by train.corpus.build")
    parser.add_argument("--train-groups", type=int, default=600,
                        help="sentence-and-voice groups of the training split to pair (measuring is the cost)")
    parser.add_argument("--evaluate-groups", type=int, default=60, help="groups of each evaluation split")
    parser.add_argument("--jobs", type=int, default=2, help="processes measuring the items")
    add_run_arguments(parser, epochs=40, batch_size=256, learning_rate=1e-3,
                      output_help=f"default: checkpoints/{shipped_model('vc_planner').checkpoint}")
    parser.add_argument("--channels", type=int, default=PlanModelConfig.channels)
    return parser


def parse_arguments(argv=None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def reproducing_command(args: argparse.Namespace) -> str:
    return scaffold.reproducing_command(build_parser(), args)


def _pairs(args, split: str, groups: int | None, held_out: bool):
    chosen = chosen_records(args.corpus, split, groups, args.seed, include_held_out=held_out)
    if held_out:
        chosen = [g for g in chosen if g[0]["voice"] == HELD_OUT_VOICE]
    measures = item_measures(args.corpus, [r for g in chosen for r in g], args.jobs)
    return make_pairs(chosen, measures, args.seed), len(chosen)


def train(args: argparse.Namespace) -> dict:
    start_run(args)
    started = time.perf_counter()
    train_pairs, train_groups = _pairs(args, "train", args.train_groups, held_out=False)
    if not len(train_pairs):
        raise SystemExit(f"{args.corpus} has no training pairs (groups with two or more emotions)")
    evaluation = {"validation_sentences": _pairs(args, "validation", args.evaluate_groups, held_out=False)[0],
                  "held_out_voice_test": _pairs(args, "test", args.evaluate_groups, held_out=True)[0]}
    config = PlanModelConfig(channels=args.channels, **statistics(train_pairs))
    module = PlanTraining(config, args.learning_rate)
    _, tts_weights, _ = load_shipped("tts_flow", TTSConfig)
    module.freeze_emotion_encoder(tts_weights)
    trainer = build_trainer(args, [TextProgress()], gradient_clip_val=1.0, num_sanity_val_steps=0,
                            log_every_n_steps=50)
    fit(trainer, module, args, reproducing_command(args),
        sliced_batch_loader(PairTensors(train_pairs), args.batch_size, args.seed))
    seconds = time.perf_counter() - started
    model = module.model.cpu().eval()
    metrics = {name: evaluate_plans(model, pairs, args.seed) for name, pairs in evaluation.items() if len(pairs)}
    metrics["train_losses"] = module.train_losses
    return {"module": module, "config": config, "seconds": seconds, "metrics": metrics,
            "train_pairs": len(train_pairs), "train_groups": train_groups}


def main(argv=None) -> int:
    args = parse_arguments(argv)
    result = train(args)
    output = args.output or shipped_path("vc_planner")
    module = result["module"]
    save_checkpoint(output, result["config"], module.model.state_dict(), extra={"metrics": result["metrics"]})
    for name, report in result["metrics"].items():
        print(name, report)
    if not args.no_manifest:
        record_training_run(
            output, model="synth.vc.plan_model.ConversionPlanModel", made_by=reproducing_command(args),
            config=result["config"], network=module.model,
            data=(f"{result['train_pairs']} source-target pairs from {result['train_groups']} sentence-and-voice "
                  f"groups of the training split of {args.corpus} (held-out voice excluded; train.vc.pairs); "
                  f"emotion encoder: the shipped tts_flow.pt's, frozen"),
            seconds=result["seconds"], accelerator=args.accelerator, metrics=result["metrics"])
    print(f"wrote {output} in {result['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
