"""Judge the shipped talking head the way a viewer would, from the rendered frames alone.

    python -m train.evaluate_talking_head --corpus data/corpus

The default portrait is driven by held-out-voice test speech of each of the 8 categories,
with that category requested. On every rendered frame dlib finds the face again; from those
re-detected landmarks it measures:
  * expression: the face expression recognizer's category per frame and per clip;
  * lip sync: Pearson r between the re-detected mouth opening and the audio loudness
    envelope, per clip, averaged;
  * identity stability: how much the landmark-free regions (background, hair, shoulders:
    everything outside the face hull) drift from the first frame, in grey levels.
Writes the report to docs/talking_head_evaluation.json and a frame per category to
docs/talking_head_categories.png.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import cv2
import numpy as np

from conditioning.categories import CATEGORIES
from conditioning.checkpoints import atomic_write_bytes
from conditioning.fer.recognizer import FaceExpressionRecognizer, mean_target
from synth.face.behaviour import speech_energy
from synth.face.pipeline import AnimateOptions, TalkingHeadPipeline, make_renderer
from synth.face.portrait import detect_face
from synth.face.rig import mouth_opening, pose_track
from train.fer_data import category_target
from train.ser_data import load_corpus_audio

DOCS = Path(__file__).resolve().parents[1] / "docs"
DEFAULT_REPORT = DOCS / "talking_head_evaluation.json"
DEFAULT_FIGURE = DOCS / "talking_head_categories.png"


def parse_arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--clips-per-category", type=int, default=3)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=DEFAULT_REPORT)
    parser.add_argument("--figure", type=Path, default=DEFAULT_FIGURE, help="a frame per category (PNG)")
    return parser.parse_args(argv)


def test_clips(corpus, category: str, count: int) -> list[int]:
    """Held-out voice, test sentences, the category at full intensity (neutral: any)."""
    chosen = [i for i in corpus.indices("test") if corpus.records[i]["source"].get("category") == category
              and corpus.records[i]["source"].get("intensity", 0.0) in (0.0, 1.0)]
    return chosen[:count]


def outside_face_mask(points: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """True where no landmark-driven region reaches: outside the dilated face hull."""
    mask = np.zeros(shape, dtype=np.uint8)
    hull = cv2.convexHull(points.astype(np.int32))
    centre = points.mean(axis=0)
    grown = (hull[:, 0] - centre) * 1.6 + centre
    grown[:, 1] = np.minimum(grown[:, 1], shape[0])
    cv2.fillConvexPoly(mask, grown.astype(np.int32), 1)
    return mask == 0


def clip_measures(pipeline: TalkingHeadPipeline, recognizer: FaceExpressionRecognizer, audio: np.ndarray,
                  rate: int, category: str, options: AnimateOptions) -> dict:
    target = category_target(category, 1.0)
    renderer = make_renderer(None, options)
    motion = pipeline.motion(audio, rate, target, options)
    posed = pose_track(renderer.source_points[:68], motion)
    frames = [renderer.render(p) for p in posed]
    detected = [detect_face(frame).landmarks for frame in frames]
    opening = np.array([mouth_opening(points) for points in detected])
    envelope = speech_energy(audio, rate, len(frames))
    lip_sync = float(np.corrcoef(opening, envelope)[0, 1]) if opening.std() > 0 else 0.0
    recognized = recognizer.recognize_faces(frames, detected)
    frame_categories = [t.category for t in recognized]
    mask = outside_face_mask(np.vstack([p[:68] for p in posed]), frames[0].shape[:2])
    grey = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY).astype(np.float32) for f in frames]
    drift = [float(np.abs(g - grey[0])[mask].mean()) for g in grey[1:]] or [0.0]
    return {"frames": len(frames), "lip_sync_r": lip_sync,
            "frame_recall": float(np.mean([c == category for c in frame_categories])),
            "clip_category": mean_target(recognized).category, "drift_mean": float(np.mean(drift)),
            "drift_max": float(np.max(drift)), "still": frames[int(0.6 * len(frames))]}


def save_figure(stills: list[np.ndarray], path: Path) -> None:
    """One frame per requested category, labelled, in a 2 x 4 grid."""
    tiles = []
    for category, still in zip(CATEGORIES, stills):
        tile = cv2.resize(still, (192, 192), interpolation=cv2.INTER_AREA).copy()
        cv2.rectangle(tile, (0, 0), (192, 22), (255, 255, 255), -1)
        cv2.putText(tile, category, (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1, cv2.LINE_AA)
        tiles.append(tile)
    grid = np.vstack([np.hstack(tiles[:4]), np.hstack(tiles[4:])])
    ok, encoded = cv2.imencode(".png", grid[..., ::-1])
    atomic_write_bytes(Path(path), encoded.tobytes())


def evaluate(args: argparse.Namespace) -> dict:
    corpus = load_corpus_audio(args.corpus)
    pipeline = TalkingHeadPipeline.shipped()
    recognizer = pipeline.recognizer
    options = AnimateOptions(size=args.size, seed=args.seed)
    started = time.perf_counter()
    per_category, clips, stills = {}, [], []
    for category in CATEGORIES:
        measures = [clip_measures(pipeline, recognizer, corpus.audio(i), corpus.sample_rate, category, options)
                    for i in test_clips(corpus, category, args.clips_per_category)]
        clips.extend(measures)
        stills.append(measures[0]["still"])
        per_category[category] = {
            "clips": len(measures),
            "frame_recall": round(float(np.mean([m["frame_recall"] for m in measures])), 3),
            "clips_recognized": sum(m["clip_category"] == category for m in measures),
            "clip_categories": [m["clip_category"] for m in measures],
            "lip_sync_r": round(float(np.mean([m["lip_sync_r"] for m in measures])), 3),
        }
        print(category, per_category[category], flush=True)
    if args.figure:
        save_figure(stills, args.figure)
    return {"portrait": "assets/portrait.png (default)", "size": args.size, "voice": "kal16 (held out), test sentences",
            "per_category": per_category,
            "frame_recall_mean": round(float(np.mean([c["frame_recall"] for c in per_category.values()])), 3),
            "clips_recognized": f"{sum(c['clips_recognized'] for c in per_category.values())}/{len(clips)}",
            "lip_sync_r_mean": round(float(np.mean([m["lip_sync_r"] for m in clips])), 3),
            "identity_drift_grey_levels": {"mean": round(float(np.mean([m["drift_mean"] for m in clips])), 3),
                                           "max": round(float(np.max([m["drift_max"] for m in clips])), 3)},
            "frames": int(sum(m["frames"] for m in clips)), "seconds": round(time.perf_counter() - started, 1)}


def main(argv=None) -> int:
    args = parse_arguments(argv)
    report = evaluate(args)
    output = args.output
    atomic_write_bytes(output, (json.dumps(report, indent=2) + "\n").encode())
    print(json.dumps({k: v for k, v in report.items() if k != "per_category"}, indent=2))
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
