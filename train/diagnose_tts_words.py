"""Where does the learned TTS lose the words? An outside ASR on held-out sentences, one cause at a time.

    python -m train.diagnose_tts_words --decoder flow --voices slt awb kal_diphone --sentences 8

For each voice, neutral speech of the test sentences (no model trained on them), judged by
pocketsphinx, in these conditions:

* ``ceiling``: the voice's own engine rendering through the model's coded WORLD features and
  back: what the representation allows;
* ``tts``: the model as shipped (its predicted durations, F0 and energy, default steps);
* ``tts_true_durations``: the same with the engine's own phone durations (timed onto the
  model's tokens as in training): durations and alignment ruled out;
* ``tts_steps_32``: 32 sampling steps: sampling error ruled out;
* ``tts_postfilter``: the predicted envelope's per-dimension temporal variance restored to the
  corpus's (global-variance post-filter, Toda et al. 2007; statistics from the validation
  sentences' engine renderings, never the test ones): over-smoothing ruled in or out.

Also the global variance ratio (predicted over true, per envelope dimension, averaged): far
below 1 means an over-smoothed spectrum, the classic cause of muffled, misheard speech.
Writes docs/tts_words_<decoder>.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from conditioning import parse_emotion
from common.atomic import atomic_write_bytes
from conditioning.features import target_features
from synth.render.engines import render
from synth.speaking import synthesizer_for
from synth.text import text_to_sequence
from synth.tts.acoustic import AcousticFeatures, analyze_audio, to_world
from synth.vocoder.world import synthesize
from train.corpus.sentences import corpus_sentences
from train.judges.speech import transcribe, word_error_rate
from train.tts.alignment import timed_tokens

DOCS = Path(__file__).resolve().parents[1] / "docs"
CONDITIONS = ("ceiling", "tts", "tts_true_durations", "tts_steps_32", "tts_postfilter")


def sentences(split: str, count: int) -> list[str]:
    return [s.text for s in corpus_sentences(720) if s.split == split][:count]


def envelope_variance(features: list[AcousticFeatures]) -> np.ndarray:
    """Mean over utterances of each envelope dimension's variance over time."""
    return np.mean([f.envelope.var(axis=0) for f in features], axis=0)


def postfilter(envelope: np.ndarray, target_variance: np.ndarray) -> np.ndarray:
    """Each dimension's deviation from its utterance mean scaled to the target variance
    (c0, the level, left alone)."""
    mean = envelope.mean(axis=0, keepdims=True)
    scale = np.sqrt(target_variance / np.maximum(envelope.var(axis=0), 1e-8))
    scale[0] = 1.0
    return mean + (envelope - mean) * np.clip(scale, 0.5, 3.0)


def _speak(synthesizer, text: str, voice: str, steps=None, durations=None) -> AcousticFeatures:
    """The model's features for neutral ``text`` (optionally with given token durations)."""
    model, config = synthesizer.model, synthesizer.acoustic
    sequence = text_to_sequence(text)
    emotion = torch.from_numpy(target_features(parse_emotion("neutral")))[None]
    out = model.infer(torch.tensor([sequence.ids]), torch.tensor([sequence.stresses]), emotion,
                      torch.tensor([synthesizer.voice_id(voice)]), steps=steps,
                      generator=torch.Generator().manual_seed(0),
                      durations=None if durations is None else torch.tensor([durations]))
    mask = out["frame_mask"][0].numpy()
    acoustic = out["acoustic"][0].numpy()[:, mask].T
    dims = config.envelope_dims
    return AcousticFeatures(log_f0=out["log_f0"][0].numpy()[mask], voiced=out["voiced"][0].numpy()[mask],
                            envelope=acoustic[:, :dims], aperiodicity=acoustic[:, dims:],
                            energy_db=out["energy"][0].numpy()[mask],
                            duration_s=int(mask.sum()) / config.frames_per_second)


def true_durations(text: str, rendering, frames: int, fps: float) -> list[int] | None:
    """The engine's phone times on the model's tokens; None where the front end inserts
    pause tokens the model would not see at inference (the sequences then differ)."""
    symbols = text_to_sequence(text).symbols
    phones = [[p.phone, p.start, p.end] for p in rendering.phones]
    timed = timed_tokens(symbols, phones, fps, frames)
    if any(index is None for index, _ in timed):
        return None
    return [count for _, count in timed]


def evaluate(decoder: str, voices: list[str], count: int) -> dict:
    synthesizer = synthesizer_for(decoder)
    config = synthesizer.acoustic
    report = {"decoder": decoder, "sentences": count, "voices": {}}
    for voice in voices:
        reference = [analyze_audio(r.audio, r.sample_rate, config)
                     for r in (render(t, voice) for t in sentences("validation", count))]
        target_variance = envelope_variance(reference)
        texts = sentences("test", count)
        heard = {c: [] for c in CONDITIONS}
        ratios = []
        for text in texts:
            rendering = render(text, voice)
            truth = analyze_audio(rendering.audio, rendering.sample_rate, config)
            heard["ceiling"].append(transcribe(synthesize(to_world(truth, config)), config.sample_rate))
            predicted = _speak(synthesizer, text, voice)
            kept = predicted.envelope.var(axis=0)[1:] / np.maximum(truth.envelope.var(axis=0)[1:], 1e-8)
            ratios.append(float(np.mean(kept)))
            heard["tts"].append(transcribe(synthesize(to_world(predicted, config)), config.sample_rate))
            durations = true_durations(text, rendering, len(truth.log_f0), config.frames_per_second)
            forced = _speak(synthesizer, text, voice, durations=durations) if durations else predicted
            heard["tts_true_durations"].append(transcribe(synthesize(to_world(forced, config)), config.sample_rate))
            more = _speak(synthesizer, text, voice, steps=32)
            heard["tts_steps_32"].append(transcribe(synthesize(to_world(more, config)), config.sample_rate))
            filtered = AcousticFeatures(predicted.log_f0, predicted.voiced,
                                        postfilter(predicted.envelope, target_variance),
                                        predicted.aperiodicity, predicted.energy_db, predicted.duration_s)
            heard["tts_postfilter"].append(transcribe(synthesize(to_world(filtered, config)), config.sample_rate))
        report["voices"][voice] = {"wer": {c: round(word_error_rate(texts, h), 4) for c, h in heard.items()},
                                   "envelope_variance_ratio": round(float(np.mean(ratios)), 3),
                                   "heard_tts": heard["tts"][:3], "texts": texts[:3]}
        print(voice, report["voices"][voice]["wer"], report["voices"][voice]["envelope_variance_ratio"], flush=True)
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decoder", choices=("flow", "diffusion"), default="flow")
    parser.add_argument("--voices", nargs="*", default=["slt", "awb", "kal_diphone"])
    parser.add_argument("--sentences", type=int, default=8)
    args = parser.parse_args(argv)
    report = evaluate(args.decoder, args.voices, args.sentences)
    output = DOCS / f"tts_words_{args.decoder}.json"
    atomic_write_bytes(output, json.dumps(report, indent=2, ensure_ascii=False).encode())
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
