"""Real neutral speech as corpus items: anchors of what plain human speech sounds like.

No package reachable here ships real *emotional* speech, but some ship plain speech by real
people (docs/models/ser.md, "Real speech on this machine"). A corpus config names the sets in
``real_anchors``; each clip becomes a ``train`` item labelled neutral at intensity 0, with its
speaker as the voice, so the recognizer's reference branch also pairs it with the same
speaker's other prompts.

Only the Asterisk prompts by Allison Smith are used: the alsa-utils channel test and the
linphone greeting stay out of training so the evaluation keeps real speakers nobody trained
on, and the Asterisk clips train.evaluate_ser_real reads (the first ``EVALUATED_CLIPS`` of
2.5-8 s, by name) are left out too.

    apt-get install asterisk-core-sounds-en-wav
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import soundfile as sf

from common.atomic import atomic_write_bytes
from conditioning.vocabulary import vocabulary


@dataclass(frozen=True)
class AnchorSet:
    folder: Path
    speaker: str
    sex: str
    package: str
    shortest_s: float
    longest_s: float
    most: int                         # clips used at most (in name order)
    evaluated: tuple[float, float]    # the duration window train.evaluate_ser_real reads from


ANCHOR_SETS = {
    "asterisk_allison": AnchorSet(Path("/usr/share/asterisk/sounds/en_US_f_Allison"), "allison", "female",
                                  "asterisk-core-sounds-en-wav (CC-BY-SA 3.0, Allison Smith)", 1.0, 8.0, 160,
                                  (2.5, 8.0)),
}
# train.evaluate_ser_real reads the first 8 clips of its window; 16 are kept out for margin.
EVALUATED_CLIPS = 16


def anchor_clips(name: str) -> list[Path]:
    """The clips of a set used for training, in name order (the evaluated ones left out)."""
    spec = ANCHOR_SETS[name]
    if not spec.folder.is_dir():
        raise FileNotFoundError(f"real anchor set {name!r} needs {spec.folder}: apt-get install "
                                f"{spec.package.split()[0]}")
    paths = sorted(spec.folder.glob("*.wav"))
    durations = {p: sf.info(p).duration for p in paths}
    evaluated = [p for p in paths if spec.evaluated[0] <= durations[p] <= spec.evaluated[1]][:EVALUATED_CLIPS]
    chosen = [p for p in paths if spec.shortest_s <= durations[p] <= spec.longest_s and p not in evaluated]
    return chosen[: spec.most]


def build_anchors(names: tuple[str, ...], out_dir: Path) -> list[dict]:
    """Copy each set's clips into ``out_dir/audio`` (as 16-bit PCM at their own rate) and
    return their manifest records; a set already copied (its group file) is read back."""
    records = []
    for name in names:
        done = Path(out_dir) / "groups" / f"real-{name}.json"
        if done.exists():
            records += json.loads(done.read_text())["items"]
            continue
        built = [_anchor(name, k, path, Path(out_dir)) for k, path in enumerate(anchor_clips(name))]
        atomic_write_bytes(done, json.dumps({"group": f"real-{name}", "items": built}, sort_keys=True).encode())
        records += built
    return records


def _anchor(name: str, k: int, path: Path, out_dir: Path) -> dict:
    spec = ANCHOR_SETS[name]
    audio, rate = sf.read(path, dtype="float32", always_2d=True)
    audio = audio.mean(axis=1)
    item_id = f"real-{name}-{k:04d}"
    buffer = io.BytesIO()
    sf.write(buffer, audio, rate, subtype="PCM_16", format="WAV")
    relative = f"audio/{item_id}.wav"
    atomic_write_bytes(out_dir / relative, buffer.getvalue())
    return {"id": item_id, "audio": relative, "sample_rate": int(rate), "duration_s": round(len(audio) / rate, 6),
            "text": None, "sentence_id": item_id, "sentence_kind": "real", "split": "train", "voice": spec.speaker,
            "speaker_sex": spec.sex, "phones": [], "target": vocabulary().lookup("neutral").target(0.0).to_dict(),
            "source": {"kind": "category", "category": "neutral", "intensity": 0.0, "real": name},
            "rendering": {"real_recording": str(path), "package": spec.package}}
