"""An audio watermark made here: keyed spread spectrum on STFT band energies.

Why this design (AudioSeal's weights are unreachable, resemble-perth needs torchaudio):

* **Where:** a gain of about +-1.5 dB on cells of the short-time spectrum between 500 and
  3500 Hz, each cell 2 frames (32 ms) by 125 Hz. That band holds most of speech's energy, lies
  under every rate from 8 kHz up, and is what MP3 at 128 kbit/s and a 16 kHz channel keep best.
  All analysis runs at an internal 8 kHz, so any input rate works the same way; the change is
  made there and added back, upsampled, to the untouched original.
* **How loud:** a gain on the signal's own magnitudes, so the mark follows the spectrum it sits
  in (louder where the speech is loud, nothing in silence) and stays under its masking.
* **Against the host:** the detector reads each cell's log energy minus its neighbours' mean
  (gain, equalisation and the speech's slow spectral shape drop out) and correlates it with a
  keyed +-1 chip pattern.
* **Any crop:** the pattern repeats every 64 tiles (2.048 s); 60 % of its cells are sync, and
  the detector tries every block offset, frame phase and half-hop shift and keeps the best.
  The other cells carry the payload's 32 bits (CRC-8 included), soft-combined over blocks.
* **When it says "marked":** the sync statistic is self-normalised (sum of products over the
  root of the sum of their squares): the chips are fair coins whatever unmarked audio holds, so
  there it is close to N(0, 1); the threshold sits far in that tail.

Measured limits (docs/models/watermark.md): detection 86-93 % after the issue's attacks on 3 s
crops, and the payload does not yet decode from a few seconds of audio.

Everything is numpy/scipy, deterministic, and costs a few ms per second of audio.
"""

from __future__ import annotations

import hashlib
import math
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache

import numpy as np
from scipy.signal import resample_poly

from common.audio_io import AudioInputError

INTERNAL_RATE = 8000
MIN_RATE = 8000
MAX_RATE = 192000
EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)


class WatermarkInputError(AudioInputError):
    """Audio or a payload the watermark cannot take, with the reason."""


@dataclass(frozen=True)
class WatermarkConfig:
    """The mark's layout and strength; the key makes the pattern (another key, another mark)."""

    key: str = "emostudio-watermark-v1"
    n_fft: int = 256                 # 32 ms at 8 kHz
    hop: int = 128
    low_hz: float = 500.0
    high_hz: float = 3500.0
    bins_per_band: int = 4           # 125 Hz per cell
    frames_per_tile: int = 2         # 32 ms per cell
    tiles_per_block: int = 64        # the pattern repeats every 2.048 s
    sync_share: float = 0.6
    sync_target_db: float = 1.5      # the sync cells' gain (plain spread spectrum)
    bit_target_db: float = 1.0       # each block's mean chip-weighted feature of a bit
    cancel_host: float = 0.0         # share of a bit's host correlation the embedder removes
                                     # (measured: cancelling costs more loudness than it gains)
    max_gain_db: float = 3.0         # no cell is changed by more than this
    refine_passes: int = 2           # re-analyse and correct what overlap-add smeared
    feature_clip_db: float = 6.0     # onsets and clicks would otherwise dominate a sum
    active_below_db: float = 30.0    # cells this far under the loud ones carry nothing
    threshold: float = 5.0           # sync z above which audio counts as marked

    @property
    def band_bins(self) -> tuple[int, int]:
        bin_hz = INTERNAL_RATE / self.n_fft
        low = int(round(self.low_hz / bin_hz))
        bands = int((self.high_hz - self.low_hz) / bin_hz) // self.bins_per_band
        return low, low + bands * self.bins_per_band

    @property
    def bands(self) -> int:
        low, high = self.band_bins
        return (high - low) // self.bins_per_band

    @property
    def block_seconds(self) -> float:
        return self.tiles_per_block * self.frames_per_tile * self.hop / INTERNAL_RATE


DEFAULT_CONFIG = WatermarkConfig()

# --- the payload ----------------------------------------------------------------------

GENERATORS = ("unknown", "speak", "convert", "animate", "dub", "studio", "api", "batch")
GENERATOR_BITS = 3
DAY_BITS = 13                        # days since 2025-01-01 UTC: good until 2047
HASH_BITS = 8                        # the first 2 hex digits of the recipe's sha256
CRC_BITS = 8
DATA_BITS = GENERATOR_BITS + DAY_BITS + HASH_BITS
PAYLOAD_BITS = DATA_BITS + CRC_BITS


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


@dataclass(frozen=True)
class Detection:
    """The detector's answer: ``score`` is the sync statistic (about N(0,1) on unmarked audio),
    ``payload`` None when the mark is absent or its bits fail their CRC."""

    watermarked: bool
    payload: Payload | None
    score: float
    bit_confidence: float = 0.0      # the weakest bit's soft value, in the same z units

    def to_dict(self) -> dict:
        return {"watermarked": self.watermarked, "score": round(self.score, 2),
                "payload": None if self.payload is None else self.payload.to_dict(),
                "bit_confidence": round(self.bit_confidence, 2)}


# --- the keyed pattern ----------------------------------------------------------------


@dataclass(frozen=True)
class _Pattern:
    role: np.ndarray   # (tiles_per_block, bands): -1 sync, else the payload bit the cell carries
    chip: np.ndarray   # (tiles_per_block, bands): +-1


@cache
def _pattern(config: WatermarkConfig) -> _Pattern:
    seed = int.from_bytes(hashlib.sha256(config.key.encode()).digest()[:8], "big")
    rng = np.random.default_rng(seed)
    cells = config.tiles_per_block * config.bands
    sync = int(round(cells * config.sync_share))
    roles = np.concatenate([np.full(sync, -1), np.arange(cells - sync) % PAYLOAD_BITS])
    role = rng.permutation(roles).reshape(config.tiles_per_block, config.bands)
    chip = rng.choice(np.array([-1.0, 1.0]), size=role.shape)
    return _Pattern(role, chip)


# --- analysis shared by embedder and detector -----------------------------------------


def _window(n_fft: int) -> np.ndarray:
    return np.sqrt(np.hanning(n_fft + 1)[:-1])   # periodic sqrt-Hann: WOLA-exact at 50 % overlap


def _stft(x: np.ndarray, config: WatermarkConfig) -> np.ndarray:
    frames = np.lib.stride_tricks.sliding_window_view(x, config.n_fft)[::config.hop]
    return np.fft.rfft(frames * _window(config.n_fft), axis=1)


def _band_power(spectrum: np.ndarray, config: WatermarkConfig) -> np.ndarray:
    """(frames, bands) power of each band."""
    low, high = config.band_bins
    power = np.abs(spectrum[:, low:high]) ** 2
    return power.reshape(len(power), config.bands, config.bins_per_band).sum(axis=2)


def _cells(band_power: np.ndarray, phase: int, config: WatermarkConfig) -> np.ndarray:
    """(tiles, bands) power of each cell, tiles starting at frame `phase`."""
    tiles = (len(band_power) - phase) // config.frames_per_tile
    used = band_power[phase:phase + tiles * config.frames_per_tile]
    return used.reshape(tiles, config.frames_per_tile, config.bands).sum(axis=1)


def _features(cell_power: np.ndarray, config: WatermarkConfig) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's log energy minus its 8 neighbours' mean (clipped), and which cells are active."""
    level = 10 * np.log10(cell_power + 1e-20)
    loud = np.percentile(level, 95) if level.size else 0.0
    active = level > loud - config.active_below_db
    level = np.maximum(level, loud - config.active_below_db)
    padded = np.pad(level, 1, mode="edge")
    neighbours = sum(padded[1 + dt:1 + dt + level.shape[0], 1 + db:1 + db + level.shape[1]]
                     for dt in (-1, 0, 1) for db in (-1, 0, 1) if dt or db) / 8.0
    features = level - neighbours
    # A cell far off its neighbours (an onset, the edge of a pause) neither carries a mark
    # reliably nor lets one sum be ruled by it.
    active &= np.abs(features) < config.feature_clip_db
    return np.clip(features, -config.feature_clip_db, config.feature_clip_db), active


# --- rates and channels ---------------------------------------------------------------


def _mono(audio, sample_rate) -> tuple[np.ndarray, int]:
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)):
        raise WatermarkInputError(f"sample_rate must be an integer number of Hz; got {sample_rate!r}")
    if not MIN_RATE <= int(sample_rate) <= MAX_RATE:
        raise WatermarkInputError(f"sample_rate {sample_rate} Hz is outside {MIN_RATE}..{MAX_RATE} Hz")
    x = np.asarray(audio)
    if x.dtype == object or not np.issubdtype(x.dtype, np.floating):
        raise WatermarkInputError(f"audio must be a float array; got dtype {x.dtype}")
    if x.ndim == 2:
        x = x.mean(axis=1)
    if x.ndim != 1:
        raise WatermarkInputError(f"audio must be (samples,) or (samples, channels); got shape {np.shape(audio)}")
    if x.size == 0:
        raise WatermarkInputError("audio is empty")
    if not np.all(np.isfinite(x)):
        raise WatermarkInputError("audio contains NaN/inf samples")
    return x.astype(np.float64), int(sample_rate)


def _to_rate(x: np.ndarray, rate: int, target: int) -> np.ndarray:
    if rate == target:
        return x
    g = math.gcd(rate, target)
    return resample_poly(x, target // g, rate // g)


# --- embedding ------------------------------------------------------------------------


def embed(audio: np.ndarray, sample_rate: int, payload: Payload,
          config: WatermarkConfig = DEFAULT_CONFIG) -> np.ndarray:
    """`audio` with the mark carrying `payload`; same shape, dtype and rate. Stereo gets the
    same mark in every channel. Silence stays silent (there is nothing to hide a mark in)."""
    if not isinstance(payload, Payload):
        raise WatermarkInputError(f"payload must be a Payload; got {type(payload).__name__}")
    x, rate = _mono(audio, sample_rate)
    low_rate = _to_rate(x, rate, INTERNAL_RATE)
    padded = np.concatenate([np.zeros(config.hop), low_rate, np.zeros(config.n_fft)])
    spectrum = _stft(padded, config)
    gains_db = _cell_gains(spectrum, payload.bits(), config)
    mark = _synthesise(spectrum, gains_db, config)[config.hop:config.hop + len(low_rate)]
    mark = _to_rate(mark, INTERNAL_RATE, rate)[:len(x)]
    mark = np.pad(mark, (0, len(x) - len(mark)))
    original = np.asarray(audio)
    marked = original + (mark[:, None] if original.ndim == 2 else mark)
    if np.max(np.abs(original)) <= 1.0:
        marked = np.clip(marked, -1.0, 1.0)
    return marked.astype(original.dtype)


def _groups(tiles: int, offset: int, config: WatermarkConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(role, chip, group) per cell for tiles whose first sits at block position `offset`;
    a group is one role (sync, or one payload bit) in one block."""
    pattern = _pattern(config)
    position = (np.arange(tiles) + offset) % config.tiles_per_block
    role, chip = pattern.role[position], pattern.chip[position]
    block = ((np.arange(tiles) + offset) // config.tiles_per_block)[:, None]
    return role, chip, block * (PAYLOAD_BITS + 1) + role + 1


def _cell_gains(spectrum: np.ndarray, bits: np.ndarray, config: WatermarkConfig) -> np.ndarray:
    """(tiles, bands) gain in dB for every cell: each group's mean chip-weighted feature brought
    to +-target, with `cancel_host` of the host's own mean removed (the rest costs no energy)."""
    cell_power = _cells(_band_power(spectrum, config), 0, config)
    role, chip, group = _groups(len(cell_power), 0, config)
    _, group = np.unique(group, return_inverse=True)
    group = group.reshape(role.shape)
    sign = np.where(role < 0, 1.0, 2.0 * bits[np.maximum(role, 0)] - 1.0)
    target = np.where(role < 0, config.sync_target_db, config.bit_target_db) * sign
    gains = np.zeros_like(chip)
    for step in range(1 + config.refine_passes):
        # Pass one sets the aim from the host; later passes correct what the cells' mixing
        # (overlap-add, the neighbours' mean, clipping) left off it.
        features, active = _features(cell_power * 10 ** (gains / 10), config)
        reached = _group_means(chip * features, active, group)
        if step == 0:
            cancel = np.where(role < 0, 0.0, config.cancel_host)
            aim = target + (1.0 - cancel) * reached[group]
        gains = np.clip(gains + chip * (aim - reached[group]), -config.max_gain_db, config.max_gain_db)
    return gains


def _group_means(values: np.ndarray, active: np.ndarray, group: np.ndarray) -> np.ndarray:
    count = np.bincount(group.ravel(), weights=active.ravel().astype(float))
    total = np.bincount(group.ravel(), weights=np.where(active, values, 0.0).ravel())
    return total / np.maximum(count, 1.0)


def _synthesise(spectrum: np.ndarray, gains_db: np.ndarray, config: WatermarkConfig) -> np.ndarray:
    """The mark alone: overlap-add of (gain - 1) x spectrum in the band."""
    low, high = config.band_bins
    frame_gain = np.zeros((len(spectrum), config.bands))
    used = len(gains_db) * config.frames_per_tile
    frame_gain[:used] = np.repeat(gains_db, config.frames_per_tile, axis=0)
    factor = 10 ** (np.repeat(frame_gain, config.bins_per_band, axis=1) / 20) - 1.0
    delta = np.zeros_like(spectrum)
    delta[:, low:high] = spectrum[:, low:high] * factor
    frames = np.fft.irfft(delta, n=config.n_fft, axis=1) * _window(config.n_fft)
    out = np.zeros(config.hop * (len(frames) - 1) + config.n_fft)
    layers = config.n_fft // config.hop
    for layer in range(layers):   # each layer's frames abut without overlapping
        flat = frames[layer::layers].ravel()
        out[layer * config.hop:layer * config.hop + len(flat)] += flat
    return out


# --- detection ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    score: float
    bit_scores: np.ndarray


SEGMENT_TILES = 480     # detection reads long audio 30 s at a time: memory stays bounded


def detect(audio: np.ndarray, sample_rate: int, config: WatermarkConfig = DEFAULT_CONFIG) -> Detection:
    """Whether `audio` (any rate 8-192 kHz, mono or (samples, channels)) carries the mark, and
    its payload. Tries every block offset, frame phase and half-hop shift; keeps the best."""
    x, rate = _mono(audio, sample_rate)
    low_rate = _to_rate(x, rate, INTERNAL_RATE)
    best = _Reading(-math.inf, np.zeros(PAYLOAD_BITS))
    for shift in range(0, config.hop, config.hop // 2):
        if len(low_rate) - shift < config.n_fft * config.frames_per_tile:
            continue
        band_power = _band_power(_stft(low_rate[shift:], config), config)
        for phase in range(config.frames_per_tile):
            cells = _cells(band_power, phase, config)
            for start in range(0, max(len(cells) - config.tiles_per_block // 2, 1), SEGMENT_TILES):
                reading = _read(cells[start:start + SEGMENT_TILES], config)
                if reading.score > best.score:
                    best = reading
    if not math.isfinite(best.score):
        return Detection(False, None, 0.0)
    bits = (best.bit_scores > 0).astype(np.int8)
    marked = best.score >= config.threshold
    payload = Payload.from_bits(bits) if marked else None
    return Detection(marked, payload, float(best.score), float(np.min(np.abs(best.bit_scores))))


MIN_ACTIVE_CELLS = 64


def _read(cell_power: np.ndarray, config: WatermarkConfig) -> _Reading:
    """The best block offset on one grid of cells: its sync score and every bit's soft value.

    The pattern is periodic, so cells fold onto one block first (sums and sums of squares per
    block position); trying every offset then costs a block's size, not the audio's. The sync
    score is self-normalised (sum of chip x feature over the root of the sum of squares): the
    chips are fair coins independent of any unmarked audio, so there it is close to N(0, 1). Bits:
    each one's sum the same way; the embedder removed the host's share of each block's sum."""
    features, active = _features(cell_power, config)
    weighted = np.where(active, features, 0.0)
    period = config.tiles_per_block
    position = np.arange(len(weighted)) % period
    folded = np.zeros((period, config.bands))
    energy = np.zeros((period, config.bands))
    np.add.at(folded, position, weighted)
    np.add.at(energy, position, weighted ** 2)
    pattern = _pattern(config)
    offsets = (np.arange(period)[:, None] + np.arange(period)[None, :]) % period   # (offset, position)
    role = pattern.role[offsets]                     # (offset, position, bands)
    products = pattern.chip[offsets] * folded[None]
    sync = role < 0
    numerator = np.where(sync, products, 0.0).sum(axis=(1, 2))
    denominator = np.sqrt(np.where(sync, energy[None], 0.0).sum(axis=(1, 2)))
    if np.count_nonzero(active) < MIN_ACTIVE_CELLS:
        return _Reading(-math.inf, np.zeros(PAYLOAD_BITS))
    z = numerator / np.maximum(denominator, 1e-12)
    best = int(np.argmax(z))
    roles, items = role[best].ravel(), products[best].ravel()
    squares = np.broadcast_to(energy, role[best].shape).ravel()
    carried = roles >= 0
    sums = np.bincount(roles[carried], weights=items[carried], minlength=PAYLOAD_BITS)
    spread = np.sqrt(np.bincount(roles[carried], weights=squares[carried], minlength=PAYLOAD_BITS))
    return _Reading(float(z[best]), sums / np.maximum(spread, 1e-12))


def detect_bits(audio: np.ndarray, sample_rate: int, config: WatermarkConfig = DEFAULT_CONFIG) -> np.ndarray:
    """The payload bits as read at the best sync, CRC or not (for measuring bit accuracy)."""
    x, rate = _mono(audio, sample_rate)
    low_rate = _to_rate(x, rate, INTERNAL_RATE)
    best = _Reading(-math.inf, np.zeros(PAYLOAD_BITS))
    for shift in range(0, config.hop, config.hop // 2):
        band_power = _band_power(_stft(low_rate[shift:], config), config)
        for phase in range(config.frames_per_tile):
            reading = _read(_cells(band_power, phase, config)[:SEGMENT_TILES], config)
            if reading.score > best.score:
                best = reading
    return (best.bit_scores > 0).astype(np.int8)
