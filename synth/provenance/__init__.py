"""Provenance of every output: an inaudible audio watermark (watermark.py), a C2PA-style
record inside and beside the file (record.py), and their verification (verify.py).

    marked, record = mark(audio, rate, recipe={"text": ..., "voice": "joe", "seed": 0}, generator="speak")
    soundfile.write("out.wav", marked, rate); write_record("out.wav", record)
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Sequence

import numpy as np

from .record import (AI_NOTICE, ProvenanceError, ProvenanceRecord, make_record, read_record, recipe_sha256,
                     write_record)
from .verify import Verification, verify
from .payload import Payload, WatermarkInputError
from .watermark import Detection, detect, embed

__all__ = ["AI_NOTICE", "Detection", "Payload", "ProvenanceError", "ProvenanceRecord", "Verification",
           "WatermarkInputError", "detect", "embed", "mark", "read_record", "verify", "write_record"]


def mark(audio: np.ndarray, rate: int, recipe: dict, consent: dict | None = None, generator: str = "speak",
         checkpoints: Sequence[str] = (), created: datetime | None = None) -> tuple[np.ndarray, ProvenanceRecord]:
    """`audio` with the watermark (same shape, dtype, rate) and the record describing it: the
    payload carries the generator, the day and the first digits of the recipe's hash."""
    when = created or datetime.now(timezone.utc)
    payload = Payload.for_recipe(generator, recipe_sha256(recipe), when)
    record = make_record(generator, recipe, payload, consent, checkpoints, when)
    return embed(audio, rate, payload), record
