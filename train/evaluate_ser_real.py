"""The speech emotion recognizer on real people, reported apart from its synthetic figures.

    python -m train.evaluate_ser_real [--corpus data/ser-calibration] [--output docs/ser_real.json]

Four parts, all through the shipped inference path (``recognize``: calibrated network,
OOD distance, cue reading, judgement):

* **held-out synthetic**: the held-out voice's test items of the calibration corpus (see
  train.calibrate_ser), alone and against one neutral clip, UAR of the network as today
  and of the judged reading, so what the judging changes is measured on the same items;
* **real neutral speech**: every set of real recordings found on the machine (the alsa-utils
  channel test, Asterisk's IVR prompts by Allison Smith, linphone's greeting: Debian
  packages), plus neutral renderings of the Piper joe voice (a neural voice of a real
  speaker). What plain speech is read as, with what confidence, alone and against three
  other clips of the same speaker;
* **known prosodic changes**: each real clip through WORLD with F0 +3 st, tempo x1.15 and
  +6 dB ("up") and the reverse ("down"), against the same clip through WORLD unchanged; the
  reading's arousal must rise for up and fall for down, alone and against the speaker;
* **calibration**: the expected calibration error before and after temperature scaling,
  as train.calibrate_ser measured it on held-out sentences it did not fit on.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pyworld
import soundfile as sf

from common.audio_io import load_audio, resample
from conditioning.categories import CATEGORIES
from common.atomic import atomic_write_bytes
from conditioning.checkpoints import read_manifest, shipped_model, shipped_path
from conditioning.ser.calibration import load_calibration
from conditioning.ser.recognizer import SpeechEmotionRecognizer
from train.calibrate_ser import DEFAULT_CORPUS, calibration_corpus
from train.judges.emotion_metrics import emotion_metrics, target_arrays
from train.ser.data import ReferencePicker

REAL_SETS = {
    "alsa channel test (alsa-utils)": (Path("/usr/share/sounds/alsa"), 0.5, 8.0),
    "Allison Smith, Asterisk prompts, 8 kHz (asterisk-core-sounds-en-wav)":
        (Path("/usr/share/asterisk/sounds/en_US_f_Allison"), 2.5, 8.0),
    "linphone greeting (linphone-common)": (Path("/usr/share/sounds/linphone"), 2.0, 12.0),
}
# Noise, ring tones and music; hello8000 is hello16000 again at 8 kHz.
NOT_SPEECH = {"Noise.wav", "ringback.wav", "incoming_chat.wav", "toy-mono.wav", "hello8000.wav"}
JOE_SENTENCES = ("The train leaves from the second platform at noon.", "Please put the books back on the shelf.",
                 "We walked along the river until the sun went down.", "Her office is on the third floor.",
                 "The meeting has been moved to Thursday morning.", "He bought bread, cheese and a few apples.")
AROUSED = {"f0_semitones": 3.0, "tempo": 1.15, "gain_db": 6.0}
ANXIOUS_CATEGORIES = ("angry", "fearful")
ANALYSIS_RATE = 16000


def real_clips(per_set: int) -> dict[str, list[tuple[str, np.ndarray, int]]]:
    found = {}
    for name, (folder, shortest, longest) in REAL_SETS.items():
        paths = [p for p in sorted(folder.glob("*.wav")) if p.name not in NOT_SPEECH
                 and shortest <= sf.info(p).duration <= longest] if folder.is_dir() else []
        clips = [(p.name, *at_analysis_rate(*load_audio(p))) for p in paths[:per_set]]
        if clips:
            found[name] = clips
    return found


def joe_clips() -> list[tuple[str, np.ndarray, int]]:
    from synth.speaking import synthesizer_for
    from conditioning.parse import parse_emotion
    synthesizer = synthesizer_for("engine")
    spoken = [synthesizer.speak(text, parse_emotion("neutral"), "joe") for text in JOE_SENTENCES]
    return [(f"joe-{k}", *at_analysis_rate(s.audio, s.sample_rate)) for k, s in enumerate(spoken)]


def at_analysis_rate(audio: np.ndarray, rate: int) -> tuple[np.ndarray, int]:
    """The recognizer hears 16 kHz; WORLD (Harvest) runs three times faster there than at 48 kHz."""
    return resample(audio, rate, ANALYSIS_RATE).astype(np.float32), ANALYSIS_RATE


def world_change(audio: np.ndarray, rate: int, semitones: float, tempo: float, gain_db: float) -> np.ndarray:
    """WORLD analysis and resynthesis with F0 scaled, time compressed by ``tempo`` (frames
    resampled) and a gain; (0, 1, 0) is the vocoded original the changes are compared with."""
    x = np.asarray(audio, dtype=np.float64)
    f0, times = pyworld.harvest(x, rate, f0_floor=60.0, f0_ceil=600.0)
    envelope, aperiodicity = pyworld.cheaptrick(x, f0, times, rate), pyworld.d4c(x, f0, times, rate)
    frames = max(2, int(round(len(f0) / tempo)))
    source = np.minimum(np.round(np.arange(frames) * tempo).astype(int), len(f0) - 1)
    y = pyworld.synthesize(np.ascontiguousarray(f0[source] * 2 ** (semitones / 12)),
                           np.ascontiguousarray(envelope[source]), np.ascontiguousarray(aperiodicity[source]), rate)
    y = y * 10 ** (gain_db / 20)
    return (y / max(1.0, np.abs(y).max() / 0.99)).astype(np.float32)  # no clipping: scale down instead


def reading_summary(readings) -> dict:
    anxious = [CATEGORIES.index(c) for c in ANXIOUS_CATEGORIES]
    return {"clips": len(readings),
            "labels": dict(Counter(r.label for r in readings).most_common()),
            "top_category": dict(Counter(r.target.category for r in readings).most_common()),
            "network_top_category": dict(Counter(r.network.category for r in readings).most_common()),
            "read_angry_or_fearful": sum(r.target.category in ANXIOUS_CATEGORIES for r in readings),
            "labelled_angry_or_fearful": sum(r.label in ANXIOUS_CATEGORIES for r in readings),
            "mean_p_angry_or_fearful": round(float(np.mean([np.array(r.target.categories)[anxious].sum()
                                                            for r in readings])), 3),
            "network_mean_p_angry_or_fearful": round(float(np.mean([np.array(r.network.categories)[anxious].sum()
                                                                    for r in readings])), 3),
            "mean_confidence": round(float(np.mean([r.confidence for r in readings])), 3),
            "reliable": sum(r.reliable for r in readings),
            "mean_ood_distance": round(float(np.mean([r.doubt.ood_distance for r in readings])), 3),
            "mean_arousal": {"reported": round(float(np.mean([r.target.arousal for r in readings])), 3),
                             "network": round(float(np.mean([r.network.arousal for r in readings])), 3),
                             "cues": round(float(np.mean([r.cue_reading.vad[1] for r in readings])), 3)}}


def others(clips: list, k: int, count: int = 3) -> list:
    rest = clips[k + 1:] + clips[:k]
    return rest[:count]


def real_neutral(recognizer: SpeechEmotionRecognizer, clips: list) -> dict:
    alone = [recognizer.recognize(x, r, frames=False) for _, x, r in clips]
    report = {"alone": reading_summary(alone)}
    if len(clips) >= 2:
        against = [recognizer.recognize(x, r, frames=False,
                                        reference=recognizer.speaker_reference([c[1] for c in others(clips, k)], r))
                   for k, (_, x, r) in enumerate(clips) if len({c[2] for c in clips}) == 1]
        if against:
            report["against_own_reference"] = reading_summary(against)
    report["clips"] = [{"clip": name, "alone": {"label": a.label, "category": a.target.category,
                                                "confidence": round(a.confidence, 3),
                                                "arousal": round(a.target.arousal, 3),
                                                "network": a.network.category}}
                       for (name, _, _), a in zip(clips, alone)]
    return report


def moved(recognizer: SpeechEmotionRecognizer, clips: list) -> dict:
    """How the reading's arousal moves under the known change, alone and against the speaker."""
    rate_of = {id(c): c[2] for c in clips}
    plain = [world_change(x, r, 0.0, 1.0, 0.0) for _, x, r in clips]
    changed = {"up": [world_change(x, r, AROUSED["f0_semitones"], AROUSED["tempo"], AROUSED["gain_db"])
                      for _, x, r in clips],
               "down": [world_change(x, r, -AROUSED["f0_semitones"], 1 / AROUSED["tempo"], -AROUSED["gain_db"])
                        for _, x, r in clips]}
    same_rate = len(set(rate_of.values())) == 1
    report = {}
    for against in ("alone", "against_own_reference"):
        if against != "alone" and not (same_rate and len(clips) >= 2):
            continue
        references = [None if against == "alone" else
                      recognizer.speaker_reference(others(plain, k), clips[k][2]) for k in range(len(clips))]
        base = [recognizer.recognize(p, c[2], frames=False, reference=ref)
                for p, c, ref in zip(plain, clips, references)]
        for direction, audio in changed.items():
            after = [recognizer.recognize(a, c[2], frames=False, reference=ref)
                     for a, c, ref in zip(audio, clips, references)]
            sign = 1 if direction == "up" else -1
            entry = {}
            for reading in ("reported", "network", "cues"):
                delta = np.array([_arousal(b2, reading) - _arousal(b1, reading) for b1, b2 in zip(base, after)])
                entry[reading] = {"moved_right_way": int((sign * delta > 0).sum()), "clips": len(delta),
                                  "mean_arousal_change": round(float(delta.mean()), 3)}
            report.setdefault(against, {})[direction] = entry
    return report


def _arousal(reading, which: str) -> float:
    return {"reported": reading.target, "network": reading.network}[which].arousal if which != "cues" \
        else reading.cue_reading.vad[1]


def held_out_synthetic(recognizer: SpeechEmotionRecognizer, corpus_path: Path) -> dict:
    corpus = calibration_corpus(corpus_path, 12)
    test = corpus.indices("test")
    picker = ReferencePicker(corpus, test, fixed=True)
    categorical = np.array([corpus.records[i]["source"]["kind"] == "category" for i in test])
    truth = {"categories": corpus.categories[test], "vad": corpus.vad[test], "intensity": corpus.intensity[test]}
    report = {}
    for name, with_reference in (("held_out_voice_test", False), ("held_out_voice_test_with_reference", True)):
        readings, references = [], {}
        for i in test:
            clips = tuple(picker.pick(i)) if with_reference else ()
            if clips and clips not in references:
                references[clips] = recognizer.speaker_reference([corpus.audio(j) for j in clips], corpus.sample_rate)
            reference = references.get(clips)
            readings.append(recognizer.recognize(corpus.audio(i), corpus.sample_rate, frames=False,
                                                 reference=reference))
        network = emotion_metrics(target_arrays(r.network for r in readings), truth, categorical)
        judged = emotion_metrics(target_arrays(r.target for r in readings), truth, categorical)
        report[name] = {"items": len(test), "network_uar": network["uar"], "judged_uar": judged["uar"],
                        "network_ccc_arousal": network["ccc_arousal"], "judged_ccc_arousal": judged["ccc_arousal"],
                        "reliable_share": round(float(np.mean([r.reliable for r in readings])), 3),
                        "mean_confidence": round(float(np.mean([r.confidence for r in readings])), 3),
                        "cue_ccc_arousal": emotion_metrics(
                            {**truth, "vad": np.array([r.cue_reading.vad for r in readings])}, truth,
                            categorical)["ccc_arousal"],
                        "accuracy_when_reliable": _accuracy(readings, corpus, test, True),
                        "accuracy_when_unreliable": _accuracy(readings, corpus, test, False)}
    entry = read_manifest()["checkpoints"][shipped_model("ser").checkpoint].get("evaluation", {})
    report["today_full_test_set"] = {name: entry.get(name, {}).get("uar") for name in report}
    report["corpus"] = str(corpus_path)
    return report


def _accuracy(readings, corpus, items, reliable: bool) -> float | None:
    pairs = [(r, i) for r, i in zip(readings, items)
             if r.reliable == reliable and corpus.records[i]["source"]["kind"] == "category"]
    if not pairs:
        return None
    return round(float(np.mean([r.target.category == corpus.records[i]["source"]["category"] for r, i in pairs])), 3)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="the calibration corpus (rendered if absent)")
    parser.add_argument("--clips-per-set", type=int, default=8, help="real clips per recording set")
    parser.add_argument("--output", type=Path, default=Path("docs/ser_real.json"))
    parser.add_argument("--skip-synthetic", action="store_true", help="only the real recordings")
    parser.add_argument("--checkpoint", type=Path, default=None,
                        help="a candidate recognizer, calibrated beside it (default: the shipped one)")
    args = parser.parse_args(argv)
    recognizer = SpeechEmotionRecognizer.from_checkpoint(args.checkpoint)
    sets = real_clips(args.clips_per_set)
    sets["Piper joe, neutral (neural voice of a real speaker; synthetic)"] = joe_clips()
    report = {"real_neutral": {}, "prosodic_changes": {"change": AROUSED}}
    for name, clips in sets.items():
        report["real_neutral"][name] = real_neutral(recognizer, clips)
        report["prosodic_changes"][name] = moved(recognizer, clips[:8])
        print(json.dumps({name: {k: v for k, v in report["real_neutral"][name].items() if k != "clips"}}), flush=True)
    fitted_on = load_calibration(args.checkpoint or shipped_path("ser")).fitted_on
    report["calibration"] = {"temperature_and_ood": fitted_on.get("made_by"),
                             **fitted_on.get("expected_calibration_error", {})}
    if not args.skip_synthetic:
        report["held_out_synthetic"] = held_out_synthetic(recognizer, args.corpus)
        print(json.dumps(report["held_out_synthetic"]), flush=True)
    atomic_write_bytes(args.output, (json.dumps(report, indent=2) + "\n").encode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
