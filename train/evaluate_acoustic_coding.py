"""How much of an emotion the TTS's acoustic representation keeps: the corpus's own
renderings, passed through it and back, judged by the shipped recognizer.

    python -m train.evaluate_acoustic_coding --corpus data/corpus [--categories calm sad] [--envelope-dims 40 60]

Representations: the audio as rendered; WORLD at the TTS's 10 ms frames, uncoded; and WORLD
at 10 ms with the envelope coded to each ``--envelope-dims`` (and the aperiodicity coded), which
is what a TTS that predicted its features perfectly would give. Each item (the validation
sentences, which the TTS never trained on) is judged against its voice's neutral renderings of
other sentences, passed through the same representation. Prints, per representation, the
recall of each category and where its misses went.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from common.audio_io import load_audio
from common.atomic import atomic_write_bytes
from conditioning.ser.recognizer import SpeechEmotionRecognizer, shipped_recognizer
from synth.tts.acoustic import AcousticConfig, from_world, to_waveform
from synth.vocoder.world import OUTPUT_SAMPLE_RATE, analyze, synthesize
from train.corpus.build import read_manifest
from train.evaluate_tts import other_sentence_references


def representations(envelope_dims: list[int]) -> dict:
    """name -> (audio, rate) -> audio at OUTPUT_SAMPLE_RATE (None: as rendered)."""
    frame_ms = AcousticConfig().frame_period_ms
    chosen = {"as rendered": None,
              f"WORLD {frame_ms:g} ms, uncoded": lambda a, r: synthesize(analyze(a, r, frame_period_ms=frame_ms))}
    for dims in envelope_dims:
        config = AcousticConfig(envelope_dims=dims)
        chosen[f"WORLD {frame_ms:g} ms, envelope coded to {dims}"] = (
            lambda a, r, config=config: to_waveform(from_world(analyze(a, r, frame_period_ms=frame_ms), config),
                                                    config))
    return chosen


def judge(recognizer: SpeechEmotionRecognizer, records: list[dict], clips: dict[str, tuple],
          categories: list[str]) -> dict:
    """Recall of each category, each clip (item id -> (audio, rate)) against its voice's neutral ones."""
    neutral = {(r["text"], r["voice"]): [clips[r["id"]][0]] for r in records if r["source"]["category"] == "neutral"}
    rates = {rate for _, rate in clips.values()}
    if len(rates) != 1:
        raise SystemExit(f"the corpus's audio has several sample rates {sorted(rates)}; expected one")
    references = other_sentence_references(recognizer, neutral, rates.pop())
    heard = {category: Counter() for category in categories}
    for r in records:
        category = r["source"]["category"]
        if category in heard:
            audio, rate = clips[r["id"]]
            reference = references.get((r["text"], r["voice"])) if references else None
            heard[category][recognizer.recognize(audio, rate, frames=False, reference=reference).target.category] += 1
    return {category: {"recall": round(counts[category] / max(sum(counts.values()), 1), 3),
                       "heard_as": dict(counts.most_common())} for category, counts in heard.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="a folder made by train.corpus.build")
    parser.add_argument("--categories", nargs="+", default=["calm", "sad"])
    parser.add_argument("--envelope-dims", nargs="+", type=int, default=[AcousticConfig().envelope_dims])
    parser.add_argument("--output", type=Path, default=None, help="also write the report here, as JSON")
    args = parser.parse_args(argv)
    records = [r for r in read_manifest(args.corpus) if r["split"] == "validation" and r["source"]["kind"] == "category"
               and r["source"]["category"] in {"neutral", *args.categories}]
    if not records:
        raise SystemExit(f"{args.corpus} has no validation renderings of {args.categories}")
    rendered = {r["id"]: load_audio(r["audio"]) for r in records}   # read once, passed through each representation
    recognizer = shipped_recognizer()
    report = {}
    for name, transform in representations(args.envelope_dims).items():
        clips = rendered if transform is None else {
            item: (transform(audio, rate), OUTPUT_SAMPLE_RATE) for item, (audio, rate) in rendered.items()}
        report[name] = judge(recognizer, records, clips, args.categories)
        print(json.dumps({"representation": name, **report[name]}), flush=True)
    if args.output:
        atomic_write_bytes(args.output, (json.dumps(report, indent=2) + "\n").encode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
