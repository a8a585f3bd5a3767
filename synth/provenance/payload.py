"""The watermark's payload and its error-correcting code.

The payload (24 bits: generator, day, recipe-hash prefix) carries a CRC-8 and is coded by the
K=7 rate-1/3 convolutional code (generators 133, 171, 165 octal, as LTE uses), decoded by soft
Viterbi; the CRC rejects a wrong decoding. The embedder and detector are in `watermark.py`.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache

import numpy as np

from common.audio_io import AudioInputError


EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)


class WatermarkInputError(AudioInputError):
    """Audio or a payload the watermark cannot take, with the reason."""


# --- the payload and its code ---------------------------------------------------------

GENERATORS = ("unknown", "speak", "convert", "animate", "dub", "studio", "api", "batch")
GENERATOR_BITS = 3
DAY_BITS = 13                        # days since 2025-01-01 UTC: good until 2047
HASH_BITS = 8                        # the first 2 hex digits of the recipe's sha256
CRC_BITS = 8
DATA_BITS = GENERATOR_BITS + DAY_BITS + HASH_BITS
PAYLOAD_BITS = DATA_BITS + CRC_BITS
CODE_GENERATORS = (0o133, 0o171, 0o165)   # K=7, rate 1/3 (the LTE/3GPP code)
CONSTRAINT = 7
CODED_BITS = len(CODE_GENERATORS) * (PAYLOAD_BITS + CONSTRAINT - 1)   # with a zero tail


@dataclass(frozen=True)
class Payload:
    """What the mark says: which generator made the audio, when (to the day, UTC), and the
    first hex digits of its recipe's hash (the provenance record holds the whole hash)."""

    generator: str
    created: datetime
    recipe_hash: str

    def __post_init__(self) -> None:
        if self.generator not in GENERATORS:
            raise WatermarkInputError(f"generator must be one of {', '.join(GENERATORS)}; got {self.generator!r}")
        if not isinstance(self.created, datetime) or self.created.tzinfo is None:
            raise WatermarkInputError(f"created must be a timezone-aware datetime; got {self.created!r}")
        days = (self.created - EPOCH) // timedelta(days=1)
        if not 0 <= days < 2 ** DAY_BITS:
            raise WatermarkInputError(f"created {self.created.isoformat()} is outside the mark's range "
                                      f"({EPOCH.year}..{(EPOCH + timedelta(days=2 ** DAY_BITS)).year})")
        digits = HASH_BITS // 4
        try:
            int(self.recipe_hash[:digits], 16)
        except (TypeError, ValueError):
            raise WatermarkInputError(f"recipe_hash must be hexadecimal; got {self.recipe_hash!r}") from None
        if len(self.recipe_hash) < digits:
            raise WatermarkInputError(f"recipe_hash needs at least {digits} hex digits; got {self.recipe_hash!r}")
        # The mark holds the day and a hash prefix: keep exactly what a reader gets back.
        object.__setattr__(self, "created", EPOCH + timedelta(days=days))
        object.__setattr__(self, "recipe_hash", self.recipe_hash[:digits].lower())

    @classmethod
    def for_recipe(cls, generator: str, recipe_sha256: str, created: datetime | None = None) -> "Payload":
        return cls(generator, created or datetime.now(timezone.utc), recipe_sha256)

    def to_dict(self) -> dict:
        return {"generator": self.generator, "created": self.created.isoformat(), "recipe_hash": self.recipe_hash}

    def bits(self) -> np.ndarray:
        days = (self.created - EPOCH) // timedelta(days=1)
        data = (GENERATORS.index(self.generator) << (DAY_BITS + HASH_BITS)) | (days << HASH_BITS) \
            | int(self.recipe_hash, 16)
        word = (data << CRC_BITS) | _crc(data)
        return np.array([(word >> (PAYLOAD_BITS - 1 - i)) & 1 for i in range(PAYLOAD_BITS)], dtype=np.int8)

    @classmethod
    def from_bits(cls, bits: np.ndarray) -> "Payload | None":
        """The payload the bits spell, or None when their CRC fails."""
        word = 0
        for bit in np.asarray(bits, dtype=int):
            word = (word << 1) | int(bit)
        data, crc = word >> CRC_BITS, word & ((1 << CRC_BITS) - 1)
        generator = data >> (DAY_BITS + HASH_BITS)
        if crc != _crc(data) or generator >= len(GENERATORS):
            return None
        days = (data >> HASH_BITS) & ((1 << DAY_BITS) - 1)
        digest = data & ((1 << HASH_BITS) - 1)
        return cls(GENERATORS[generator], EPOCH + timedelta(days=days), f"{digest:0{HASH_BITS // 4}x}")




def _crc(data: int) -> int:
    return zlib.crc32(data.to_bytes(math.ceil(DATA_BITS / 8), "big")) & ((1 << CRC_BITS) - 1)


def _parity(values: np.ndarray) -> np.ndarray:
    values = values.copy()
    for shift in (4, 2, 1):
        values ^= values >> shift
    return values & 1


@cache
def _trellis() -> tuple[np.ndarray, np.ndarray]:
    """For every next state (the last 6 inputs, newest highest) its two predecessor states and
    the +-1 code symbols of those transitions: (64, 2) and (64, 2, 3)."""
    states = 1 << (CONSTRAINT - 1)
    nxt = np.arange(states)
    bit = nxt >> (CONSTRAINT - 2)
    previous = np.stack([((nxt << 1) & (states - 1)) | low for low in (0, 1)], axis=1)
    register = (bit[:, None] << (CONSTRAINT - 1)) | previous
    symbols = np.stack([_parity(register & g) for g in CODE_GENERATORS], axis=2)
    return previous, 2.0 * symbols - 1.0


def encode(bits: np.ndarray) -> np.ndarray:
    """The convolutional code of `bits` with a zero tail: CODED_BITS values in {0, 1}."""
    state, out = 0, []
    for bit in list(np.asarray(bits, dtype=int)) + [0] * (CONSTRAINT - 1):
        register = (int(bit) << (CONSTRAINT - 1)) | state
        out.extend(bin(register & g).count("1") & 1 for g in CODE_GENERATORS)
        state = register >> 1
    return np.array(out, dtype=np.int8)


def viterbi(soft: np.ndarray) -> np.ndarray:
    """The most likely input bits for soft code values (positive means 1, in any consistent
    scale: for Gaussian noise of equal variance the correlation metric is maximum likelihood)."""
    previous, symbols = _trellis()
    rate = len(CODE_GENERATORS)
    steps = len(soft) // rate
    metric = np.full(len(previous), -np.inf)
    metric[0] = 0.0
    choices = np.zeros((steps, len(previous)), dtype=np.int8)
    for step in range(steps):
        branch = symbols @ soft[step * rate:(step + 1) * rate]          # (64, 2)
        candidates = metric[previous] + branch
        choices[step] = np.argmax(candidates, axis=1)
        metric = np.max(candidates, axis=1)
    state, bits = 0, []                      # the zero tail ends in state 0
    for step in range(steps - 1, -1, -1):
        bits.append(state >> (CONSTRAINT - 2))
        state = int(previous[state, choices[step, state]])
    return np.array(bits[::-1][:steps - (CONSTRAINT - 1)], dtype=np.int8)
