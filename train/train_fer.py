"""Train the face expression recognizer on faces rendered here and report it on held-out
identities.

    python -m train.train_fer

Renders `FERDataConfig` identities (photo-portrait variants and cartoon faces) showing the 8
categories at random intensities while talking, blinking and turning, damages the pictures
(lighting, blur, scale, JPEG), trains on 80 % of the identities and reports accuracy over
the 8 categories on the other 20 %. Writes checkpoints/face_expression.pt, its manifest
entry and docs/fer_confusion_heldout.png.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import lightning
import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

from conditioning.categories import CATEGORIES
from conditioning.checkpoints import save_checkpoint, shipped_model, shipped_path
from conditioning.fer.model import FaceExpressionNet, FERConfig
from train.callbacks import TextProgress, one_cycle_adamw, record_training_run
from train.fer.data import FERDataConfig, render_samples
from train.judges.emotion_metrics import confusion_matrix, plot_confusion
from train.ser.module import emotion_loss
from train import scaffold
from train.scaffold import add_run_arguments, build_trainer, fit, start_run, training_parser

DEFAULT_CONFUSION_IMAGE = Path(__file__).resolve().parents[1] / "docs" / "fer_confusion_heldout.png"


def build_parser() -> argparse.ArgumentParser:
    parser = training_parser("train.train_fer", __doc__.splitlines()[0])
    defaults = FERDataConfig()
    parser.add_argument("--portrait-identities", type=int, default=defaults.portrait_identities)
    parser.add_argument("--cartoon-identities", type=int, default=defaults.cartoon_identities)
    parser.add_argument("--samples-per-identity", type=int, default=defaults.samples_per_identity)
    add_run_arguments(parser, epochs=8, batch_size=128, learning_rate=3e-3,
                      output_help=f"default: checkpoints/{shipped_model('face_expression').checkpoint}")
    parser.add_argument("--confusion-image", type=Path, default=DEFAULT_CONFUSION_IMAGE)
    return parser


def parse_arguments(argv=None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def reproducing_command(args: argparse.Namespace) -> str:
    return scaffold.reproducing_command(build_parser(), args, scaffold.RUN_ONLY | {"confusion_image"})


class FERTraining(lightning.LightningModule):
    def __init__(self, config: FERConfig, learning_rate: float, total_steps: int):
        super().__init__()
        # channels-last convolutions run about twice as fast on the CPU
        self.net = FaceExpressionNet(config).to(memory_format=torch.channels_last)
        self.learning_rate, self.total_steps = learning_rate, total_steps
        self.step_losses: list[float] = []
        self.train_losses: list[float] = []

    def training_step(self, batch, _index):
        crops, categories, vad, intensity = batch
        if torch.rand(()) < 0.5:   # expressions are near-symmetric: a mirrored face is another sample
            crops = crops.flip(-1)
        crops = crops.contiguous(memory_format=torch.channels_last)
        losses = emotion_loss(self.net(crops), {"categories": categories, "vad": vad, "intensity": intensity})
        self.step_losses.append(float(losses["total"].detach()))
        return losses["total"]

    def on_train_epoch_end(self):
        self.train_losses.append(float(np.mean(self.step_losses)))
        self.step_losses.clear()

    def configure_optimizers(self):
        return one_cycle_adamw(self.net.parameters(), self.learning_rate, self.total_steps, warmup_share=0.15)


@torch.inference_mode()
def evaluate(net: FaceExpressionNet, crops: np.ndarray, categories: np.ndarray) -> dict:
    if not len(crops):
        return {"items": 0}
    net.eval()
    logits = torch.cat([net(torch.from_numpy(crops[i:i + 512])[:, None])["category_logits"]
                        for i in range(0, len(crops), 512)])
    predicted, reference = logits.argmax(-1).numpy(), categories.argmax(-1)
    matrix = confusion_matrix(reference, predicted, len(CATEGORIES))
    recalls = matrix.diagonal() / np.maximum(matrix.sum(axis=1), 1)
    return {"accuracy": round(float((predicted == reference).mean()), 4), "uar": round(float(recalls.mean()), 4),
            "recall_by_category": {c: round(float(r), 4) for c, r in zip(CATEGORIES, recalls)},
            "items": int(len(reference)), "confusion": matrix.tolist()}


def train(args: argparse.Namespace) -> dict:
    start_run(args)
    data_config = FERDataConfig(args.portrait_identities, args.cartoon_identities,
                                samples_per_identity=args.samples_per_identity, seed=args.seed)
    started = time.perf_counter()
    samples, held = render_samples(data_config, progress=lambda done, total: print(
        f"rendered identity {done}/{total} ({time.perf_counter() - started:.0f} s)", flush=True)
        if done % 20 == 0 else None)
    render_seconds = time.perf_counter() - started
    trained = ~held
    dataset = TensorDataset(*(torch.from_numpy(a[trained]) for a in (
        samples.crops[:, None], samples.categories, samples.vad, samples.intensity)))
    loader = DataLoader(dataset, batch_size=args.batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(args.seed))
    config = FERConfig()
    module = FERTraining(config, args.learning_rate, total_steps=len(loader) * args.epochs)
    trainer = build_trainer(args, [TextProgress(every=100)])
    started = time.perf_counter()
    fit(trainer, module, args, reproducing_command(args), loader)
    seconds = time.perf_counter() - started
    net = module.net.cpu()
    report = {kind: evaluate(net, samples.crops[held & (samples.kind == kind)],
                             samples.categories[held & (samples.kind == kind)]) for kind in ("portrait", "cartoon")}
    report["all"] = evaluate(net, samples.crops[held], samples.categories[held])
    return {"module": module, "config": config, "data_config": data_config, "seconds": seconds,
            "render_seconds": render_seconds, "held_out": report, "trained_items": int(trained.sum())}


def main(argv=None) -> int:
    args = parse_arguments(argv)
    result = train(args)
    output = args.output or shipped_path("face_expression")
    module, held_out = result["module"], result["held_out"]
    metrics = {"held_out_identities": held_out, "train_losses": module.train_losses}
    save_checkpoint(output, result["config"], module.net.state_dict(), extra={"metrics": metrics})
    print("held-out identities:", {k: (v["accuracy"], v["uar"]) for k, v in held_out.items()})
    if args.confusion_image:
        plot_confusion(np.array(held_out["all"]["confusion"]),
                       f"FER, held-out identities: accuracy {held_out['all']['accuracy']:.3f}", args.confusion_image)
    if not args.no_manifest:
        record_training_run(
            output, model="conditioning.fer.model.FaceExpressionNet",
            made_by=reproducing_command(args),
            config=result["config"], network=module.net,
            data=(f"rendered by train.fer.data {dataclasses.asdict(result['data_config'])}: "
                  f"{result['trained_items']} training faces; held-out identities are the last 20 % of each kind; "
                  f"rendering took {result['render_seconds']:.0f} s"),
            seconds=result["seconds"], accelerator=args.accelerator, metrics=metrics)
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
