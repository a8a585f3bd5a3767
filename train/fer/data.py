"""Training faces for the expression recognizer, rendered here: many identities (variants of
the photo portrait and random cartoon faces) showing each category at many intensities,
while talking, blinking and moving their heads, photographed badly (lighting, blur, scale,
JPEG). Identities are split so the report is on faces the network never saw.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from conditioning.categories import CATEGORIES
from conditioning.fer.alignment import AlignmentConfig, aligned_face
from conditioning.parse import parse_emotion
from conditioning.target import EmotionTarget
from synth.face.cartoon import CartoonIdentity, CartoonRenderer
from synth.face.expression import action_units
from synth.face.motion import ACTION_UNIT_SLICE, CHANNEL_INDEX, MotionTrack
from synth.face.portrait import default_portrait_path, detect_face, load_portrait
from synth.face.renderer import PortraitRenderer
from synth.face.rig import FaceFrame, TEMPLATE, pose_track

RENDER_SIZE = 256


@dataclass(frozen=True)
class FERDataConfig:
    portrait_identities: int = 40       # colour / geometry / mirror variants of the photo
    cartoon_identities: int = 120
    held_out_share: float = 0.2         # of each kind, never trained on
    samples_per_identity: int = 120
    seed: int = 0


@dataclass
class FaceSamples:
    crops: np.ndarray          # (N, size, size) float32
    categories: np.ndarray     # (N, 8)
    vad: np.ndarray            # (N, 3)
    intensity: np.ndarray      # (N,)
    identity: np.ndarray       # (N,) identity number
    kind: np.ndarray           # (N,) "portrait" | "cartoon"


def category_target(category: str, intensity: float) -> EmotionTarget:
    return parse_emotion("neutral" if category == "neutral" else f"{category}:{intensity:.3f}")


def random_motion(target: EmotionTarget, rng: np.random.Generator) -> MotionTrack:
    """One frame: the expression of `target` (jittered a little) on a face that may be
    mid-word, mid-blink, glancing or turning."""
    track = MotionTrack.rest(1)
    row = track.values[0]
    row[ACTION_UNIT_SLICE] = np.clip(action_units(target) * rng.uniform(0.85, 1.15), 0, 1)
    if rng.random() < 0.7:
        row[CHANNEL_INDEX["jaw_open"]] = rng.uniform(0.0, 0.7)
        row[CHANNEL_INDEX["lip_width"]] = rng.uniform(-0.6, 0.6)
        row[CHANNEL_INDEX["lip_close"]] = rng.uniform(0.0, 0.4) if rng.random() < 0.8 else 1.0
    if rng.random() < 0.12:
        row[CHANNEL_INDEX["blink"]] = rng.uniform(0.3, 1.0)
    row[CHANNEL_INDEX["gaze_x"]], row[CHANNEL_INDEX["gaze_y"]] = rng.uniform(-0.8, 0.8, 2)
    for name, spread in (("head_yaw", 0.08), ("head_pitch", 0.06), ("head_roll", 0.08)):
        row[CHANNEL_INDEX[name]] = rng.normal(0.0, spread)
    return track


def portrait_variant(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Another-looking person from the one photo: skin and hair hue, saturation, brightness,
    sometimes grey or mirrored."""
    hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV).astype(np.float32)
    hsv[..., 0] = (hsv[..., 0] + rng.uniform(-12, 12)) % 180
    hsv[..., 1] *= rng.uniform(0.5, 1.4)
    hsv[..., 2] *= rng.uniform(0.6, 1.25)
    varied = cv2.cvtColor(np.clip(hsv, 0, 255).astype(np.uint8), cv2.COLOR_HSV2RGB)
    if rng.random() < 0.15:
        varied = np.repeat(cv2.cvtColor(varied, cv2.COLOR_RGB2GRAY)[..., None], 3, axis=2)
    return varied[:, ::-1].copy() if rng.random() < 0.5 else varied


def face_shape_offset(rng: np.random.Generator) -> np.ndarray:
    """A constant canonical displacement of the 70 points: wider or narrower face, longer
    jaw, eyes further apart, bigger mouth; applied to the rest pose of an identity."""
    offset = np.zeros((70, 2))
    template = np.vstack([TEMPLATE, TEMPLATE[36:42].mean(0), TEMPLATE[42:48].mean(0)])
    offset[:17, 0] = template[:17, 0] * rng.uniform(-0.08, 0.08)
    offset[:17, 1] = np.clip(template[:17, 1], 0, None) * rng.uniform(-0.06, 0.08)
    eyes = list(range(36, 48)) + [68, 69]
    offset[eyes, 0] += np.sign(template[eyes, 0]) * rng.uniform(-0.04, 0.04)
    offset[48:68] += (template[48:68] - template[48:68].mean(0)) * rng.uniform(-0.1, 0.1)
    return offset


def photograph(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Lighting, blur, scale and JPEG damage."""
    x = image.astype(np.float32) / 255.0
    x = np.clip(x * rng.uniform(0.7, 1.3) + rng.uniform(-0.1, 0.1), 0, 1) ** rng.uniform(0.75, 1.3)
    if rng.random() < 0.4:   # light from one side
        ramp = np.linspace(-1, 1, x.shape[1])[None, :, None] * rng.uniform(-0.25, 0.25)
        x = np.clip(x * (1 + ramp), 0, 1)
    out = (x * 255).astype(np.uint8)
    if rng.random() < 0.3:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.5, 1.6))
    if rng.random() < 0.3:
        small = int(out.shape[0] * rng.uniform(0.35, 0.8))
        out = cv2.resize(cv2.resize(out, (small, small), interpolation=cv2.INTER_AREA), out.shape[1::-1])
    if rng.random() < 0.5:
        ok, encoded = cv2.imencode(".jpg", out[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(25, 90))])
        out = cv2.imdecode(encoded, cv2.IMREAD_COLOR)[..., ::-1]
    return out


class IdentityRenderer:
    """One identity: a renderer plus its rest landmarks (with its face-shape offset)."""

    def __init__(self, renderer, rest_landmarks: np.ndarray, offset: np.ndarray):
        self.renderer = renderer
        face = FaceFrame.of(rest_landmarks)
        self.rest = face.to_image(face.to_canonical(renderer.source_points) + offset)[:68]

    def draw(self, track: MotionTrack) -> tuple[np.ndarray, np.ndarray]:
        points = pose_track(self.rest, track)[0]
        return self.renderer.render(points), points


def identities(config: FERDataConfig) -> list[tuple[str, int, IdentityRenderer]]:
    rng = np.random.default_rng([config.seed, 1])
    photo = load_portrait(default_portrait_path())
    made = []
    for number in range(config.portrait_identities):
        variant = portrait_variant(photo, rng)
        landmarks = detect_face(variant).landmarks if number else detect_face(photo).landmarks
        renderer = PortraitRenderer(variant if number else photo, landmarks, RENDER_SIZE)
        offset = face_shape_offset(rng) if number else np.zeros((70, 2))
        made.append(("portrait", number, IdentityRenderer(renderer, renderer.source_points[:68], offset)))
    for number in range(config.cartoon_identities):
        renderer = CartoonRenderer(CartoonIdentity.random(rng), RENDER_SIZE)
        made.append(("cartoon", config.portrait_identities + number,
                     IdentityRenderer(renderer, renderer.source_points[:68], np.zeros((70, 2)))))
    return made


def held_out(kind: str, number: int, config: FERDataConfig) -> bool:
    """The last share of each kind (at least one identity) is held out; the default portrait
    (number 0) is always trained on."""
    count = config.portrait_identities if kind == "portrait" else config.cartoon_identities
    position = number if kind == "portrait" else number - config.portrait_identities
    kept = count - max(1, round(count * config.held_out_share))
    return position >= max(kept, 1 if kind == "portrait" else 0)


def render_samples(config: FERDataConfig, alignment: AlignmentConfig = AlignmentConfig(),
                   progress=None) -> tuple[FaceSamples, np.ndarray]:
    """All samples, and a boolean mask of those from held-out identities."""
    crops, categories, vad, intensity, identity, kinds = [], [], [], [], [], []
    made = identities(config)
    for position, (kind, number, renderer) in enumerate(made):
        rng = np.random.default_rng([config.seed, 2, number])
        for k in range(config.samples_per_identity):
            category = CATEGORIES[k % len(CATEGORIES)]
            target = category_target(category, rng.uniform(0.35, 1.0))
            image, points = renderer.draw(random_motion(target, rng))
            jitter = rng.normal(0.0, 0.015 * FaceFrame.of(points[:68]).scale, size=(68, 2))
            crops.append(aligned_face(photograph(image, rng), points[:68] + jitter, alignment))
            categories.append(target.categories)
            vad.append(target.vad)
            intensity.append(target.intensity)
            identity.append(number)
            kinds.append(kind)
        if progress:
            progress(position + 1, len(made))
    samples = FaceSamples(np.stack(crops).astype(np.float32), np.array(categories, dtype=np.float32),
                          np.array(vad, dtype=np.float32), np.array(intensity, dtype=np.float32),
                          np.array(identity), np.array(kinds))
    mask = np.array([held_out(k, n, config) for k, n in zip(samples.kind, samples.identity)])
    return samples, mask
