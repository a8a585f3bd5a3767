"""Train the emotional TTS (flow-matching or diffusion decoder) on a built corpus.

    python -m train.corpus.build --size full --out data/corpus
    python -m train.tts.features --corpus data/corpus
    python -m train.train_tts --corpus data/corpus --decoder flow
    python -m train.train_tts --corpus data/corpus --decoder diffusion --init-from checkpoints/tts_flow.pt
    python -m train.train_tts --corpus data/corpus --decoder flow --init-from checkpoints/tts_flow.pt --variance-only

Trains on the train split (six voices), validates each epoch on the validation split at
fixed noise, and writes checkpoints/tts_<decoder>.pt (config with the corpus's
normalisation statistics, weights, per-epoch losses) and its manifest entry.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import lightning
from torch.utils.data import DataLoader

from conditioning.checkpoints import load_checkpoint, save_checkpoint, shipped_path
from synth.tts.acoustic import AcousticConfig
from synth.speech import shipped_tts
from synth.tts.config import DECODERS, TTSConfig
from train.callbacks import TextProgress, record_training_run, starting_point, training_items_description
from train import scaffold
from train.scaffold import add_corpus_arguments, add_run_arguments, build_trainer, fit, start_run, training_parser
from train.tts.data import VOICE_INDEX, LengthBatches, TTSDataset, collate, load_tokens
from train.tts.features import load_features
from train.tts.module import TTSTraining, corpus_statistics


def build_parser() -> argparse.ArgumentParser:
    parser = training_parser("train.train_tts", __doc__.splitlines()[0])
    add_corpus_arguments(parser, corpus_help="a corpus with tts_features built", workers=0)
    parser.add_argument("--decoder", choices=DECODERS, default="flow")
    add_run_arguments(parser, epochs=20, batch_size=16, learning_rate=1e-3,
                      output_help="default: checkpoints/tts_<decoder>.pt")
    parser.add_argument("--hidden", type=int, default=TTSConfig.hidden)
    parser.add_argument("--decoder-channels", type=int, default=TTSConfig.decoder_channels)
    parser.add_argument("--envelope-dims", type=int, default=AcousticConfig.envelope_dims,
                        help="dimensions of the coded spectral envelope the decoder predicts (features built "
                             "with the same --envelope-dims)")
    parser.add_argument("--init-from", type=Path, default=None,
                        help="start from this TTS checkpoint's config and weights (its decoder type may differ; "
                             "--hidden and --decoder-channels are then ignored): the trained flow model gives the "
                             "diffusion model its text side and a denoiser that already knows speech")
    parser.add_argument("--variance-only", action="store_true",
                        help="train only the duration and frame predictors of the --init-from model (same decoder), "
                             "without the decoder's loss: several times faster per epoch")
    parser.add_argument("--utterance-weight", type=float, default=0.0,
                        help="weight of a loss on each utterance's length and F0 range (what per-frame squared "
                             "errors flatten); 0 leaves it out")
    return parser


def parse_arguments(argv=None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.variance_only and args.init_from is None:
        parser.error("--variance-only trains the predictors of a trained model: give it with --init-from")
    return args


def reproducing_command(args: argparse.Namespace) -> str:
    return scaffold.reproducing_command(build_parser(), args)


class _EpochBatches(lightning.Callback):
    def __init__(self, batches: LengthBatches):
        self.batches = batches

    def on_train_epoch_start(self, trainer, module):
        self.batches.set_epoch(trainer.current_epoch)


def train(args: argparse.Namespace) -> dict:
    start_run(args)
    acoustic = load_features(args.corpus, AcousticConfig(envelope_dims=args.envelope_dims))
    tokens = load_tokens(args.corpus, acoustic)
    splits = {split: [i for i, r in enumerate(acoustic.records) if r["split"] == split]
              for split in ("train", "validation")}
    train_items = splits["train"][: args.limit_train]
    if not train_items:
        raise SystemExit(f"{args.corpus} has no training items")
    initial_weights = None
    if args.init_from is not None:
        initial, initial_weights, _ = load_checkpoint(args.init_from, TTSConfig, made_by="python -m train.train_tts")
        config = dataclasses.replace(initial, decoder=args.decoder)
        if args.variance_only and initial.decoder != args.decoder:
            raise SystemExit(f"--variance-only keeps the decoder of {args.init_from}, a {initial.decoder} decoder; "
                             f"asked for {args.decoder}")
        if config.acoustic_dims != acoustic.config.decoder_dims:
            raise SystemExit(f"{args.init_from} predicts {config.acoustic_dims} acoustic dimensions; the features "
                             f"have {acoustic.config.decoder_dims} (--envelope-dims {args.envelope_dims})")
    else:
        config = corpus_statistics(acoustic, train_items, TTSConfig(
            decoder=args.decoder, hidden=args.hidden, decoder_channels=args.decoder_channels))
    batches = LengthBatches([int(acoustic.offsets[i + 1] - acoustic.offsets[i]) for i in train_items],
                            args.batch_size, args.seed)
    module = TTSTraining(config, args.learning_rate, total_steps=len(batches) * args.epochs,
                         variance_only=args.variance_only, utterance_weight=args.utterance_weight)
    if initial_weights is not None:
        module.model.load_state_dict(initial_weights)
    train_loader = DataLoader(TTSDataset(acoustic, tokens, train_items), batch_sampler=batches, collate_fn=collate,
                              num_workers=args.workers)
    validation_loader = DataLoader(TTSDataset(acoustic, tokens, splits["validation"]), batch_size=args.batch_size,
                                   collate_fn=collate) if splits["validation"] else None
    trainer = build_trainer(args, [_EpochBatches(batches), TextProgress(
        summary=lambda m: m.validation_losses[-1] if m.validation_losses else None)],
        gradient_clip_val=1.0, num_sanity_val_steps=0, log_every_n_steps=20)
    started = time.perf_counter()
    fit(trainer, module, args, reproducing_command(args), train_loader, validation_loader)
    return {"module": module, "config": config, "seconds": time.perf_counter() - started,
            "train_items": train_items, "acoustic": acoustic}


def main(argv=None) -> int:
    args = parse_arguments(argv)
    result = train(args)
    output = args.output or shipped_path(shipped_tts(args.decoder))
    started_from = starting_point(args.init_from) if args.init_from else None   # before it is replaced
    module = result["module"]
    metrics = {"train_losses": module.train_losses, "validation_losses": module.validation_losses}
    records, train_items = result["acoustic"].records, result["train_items"]
    heard = {records[i]["voice"] for i in train_items}
    save_checkpoint(output, result["config"], module.model.state_dict(),
                    extra={"metrics": metrics, "voices": list(VOICE_INDEX),
                           "trained_voices": [voice for voice in VOICE_INDEX if voice in heard],
                           "acoustic": dataclasses.asdict(result["acoustic"].config)})
    if not args.no_manifest:
        record_training_run(
            output, model=f"synth.tts.model.EmotionalTTS ({args.decoder} decoder)",
            made_by=reproducing_command(args),
            config=result["config"], network=module.model,
            data=(f"{training_items_description(args.corpus, records, train_items)}; features "
                  f"train.tts.features (WORLD, 10 ms, {args.envelope_dims}-d envelope)"),
            seconds=result["seconds"], accelerator=args.accelerator, metrics=metrics,
            **({"initialised_from": started_from} if started_from else {}))
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
