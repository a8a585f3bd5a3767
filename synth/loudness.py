"""Loudness for every generated file, in one place: integrated loudness by ITU-R BS.1770
(pyloudnorm) and a true-peak ceiling (4× oversampled peak, as BS.1770-4 Annex 2 measures it),
kept by a short look-ahead limiter rather than by lowering the whole file."""

from __future__ import annotations

import numpy as np

# Online speech (podcasts, streaming video) sits at -16 to -19 LUFS and broadcast at -23 (EBU R128);
# -18 is loud enough beside other media and leaves speech's 10-15 dB of crest below the -1 dBTP ceiling.
DEFAULT_LOUDNESS_LUFS = -18.0
TRUE_PEAK_DBTP = -1.0
LOUDNESS_RANGE_LUFS = (-40.0, -5.0)
OVERSAMPLING = 4
LOOKAHEAD_S = 0.005
RELEASE_S = 0.08
_MEASURE_BLOCK_S = 0.4
_PASSES = 8
_PEAK_BLOCK = 1 << 16


class LoudnessError(ValueError):
    """A loudness setting the studio cannot honour."""


def parse_loudness(value: str | float | None) -> float | None:
    """A target in LUFS, or None for 'none' (keep the level as made)."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "none"):
        return None
    try:
        target = float(value)
    except (TypeError, ValueError):
        raise LoudnessError(f"loudness must be a number of LUFS (e.g. -18) or 'none'; got {value!r}") from None
    low, high = LOUDNESS_RANGE_LUFS
    if not low <= target <= high:
        raise LoudnessError(f"loudness must be within {low:g}..{high:g} LUFS; got {target:g}")
    return target


def integrated_loudness(audio: np.ndarray, sample_rate: int) -> float:
    """BS.1770 integrated loudness in LUFS; -inf for silence. Clips shorter than the standard's
    400 ms block are measured as one block."""
    import pyloudnorm  # imports scipy.signal (~1 s): only when a file is measured

    audio = np.asarray(audio, dtype=np.float64)
    block = min(_MEASURE_BLOCK_S, (len(audio) - 1) / sample_rate)  # pyloudnorm needs one sample more than a block
    if block <= 0 or not np.any(audio):
        return float("-inf")
    return float(pyloudnorm.Meter(sample_rate, block_size=block).integrated_loudness(audio))


def true_peak_dbtp(audio: np.ndarray) -> float:
    peak = float(np.max(_sample_peaks(audio))) if len(audio) else 0.0
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def normalize_loudness(audio: np.ndarray, sample_rate: int, target_lufs: float | None = DEFAULT_LOUDNESS_LUFS,
                       ceiling_dbtp: float = TRUE_PEAK_DBTP) -> np.ndarray:
    """`audio` at `target_lufs` with true peaks at or below `ceiling_dbtp`; unchanged when the
    target is None or the audio is silent. Limiting lowers loudness a little, so the gain is
    raised until the limited result meets the target (±0.1 LU within a few passes)."""
    audio = np.asarray(audio, dtype=np.float32)
    loudness = integrated_loudness(audio, sample_rate) if target_lufs is not None else float("nan")
    if not np.isfinite(loudness):
        return audio
    gain_db = target_lufs - loudness
    for _ in range(_PASSES):
        made = _limited(audio * np.float32(10 ** (gain_db / 20)), sample_rate, ceiling_dbtp)
        missing = target_lufs - integrated_loudness(made, sample_rate)
        if abs(missing) < 0.1:
            break
        gain_db += missing
    return made


def _sample_peaks(audio: np.ndarray) -> np.ndarray:
    """Per input sample, the largest magnitude among its OVERSAMPLING oversampled values
    (float32), oversampled a block at a time (`common.audio_io.resampled`: equal to one pass
    over the whole), so ten minutes need no gigabyte of them."""
    from common.audio_io import resampled

    audio = np.asarray(audio)
    _, read_oversampled = resampled(lambda a, b: np.asarray(audio[a:b], dtype=np.float64), len(audio), 1,
                                    OVERSAMPLING)
    peaks = np.empty(len(audio), dtype=np.float32)
    for first in range(0, len(audio), _PEAK_BLOCK):
        last = min(len(audio), first + _PEAK_BLOCK)
        up = read_oversampled(first * OVERSAMPLING, last * OVERSAMPLING)
        peaks[first:last] = np.abs(up).reshape(-1, OVERSAMPLING).max(axis=1)
    return peaks


def _limited(audio: np.ndarray, sample_rate: int, ceiling_dbtp: float) -> np.ndarray:
    """Gain reduction where the oversampled peak passes the ceiling: the needed gain, held
    over a look-ahead window (so it is down before the peak arrives) and released smoothly."""
    from scipy.ndimage import minimum_filter1d
    from scipy.signal import lfilter

    ceiling = np.float32(10 ** (ceiling_dbtp / 20))
    needed = np.minimum(np.float32(1.0), ceiling / np.maximum(_sample_peaks(audio), np.float32(1e-12)))
    if needed.min() >= 1.0:
        return audio
    window = max(1, int(LOOKAHEAD_S * sample_rate))
    held = minimum_filter1d(needed, size=2 * window + 1, mode="nearest")
    release = np.float32(np.exp(-1.0 / (RELEASE_S * sample_rate)))
    b, a = np.array([1 - release], np.float32), np.array([1, -release], np.float32)   # float32 throughout
    # A one-pole smoother run forwards and backwards never rises above the held minimum's neighbourhood
    # faster than the release allows; the final minimum keeps every sample under the ceiling.
    smoothed = lfilter(b, a, held[::-1], zi=np.array([held[-1] * release], np.float32))[0][::-1]
    smoothed = lfilter(b, a, smoothed, zi=np.array([smoothed[0] * release], np.float32))[0]
    gain = np.minimum(held, smoothed)
    limited = (audio * gain).astype(np.float32)
    # Oversampled peaks between samples can still poke over by a hair: one exact trim.
    overshoot = 10 ** ((true_peak_dbtp(limited) - ceiling_dbtp) / 20)
    return limited / np.float32(overshoot) if overshoot > 1 else limited


def limit_true_peak(audio: np.ndarray, sample_rate: int, ceiling_dbtp: float = TRUE_PEAK_DBTP) -> np.ndarray:
    """`audio` with true peaks at or below `ceiling_dbtp`, its level otherwise kept: for audio
    whose gain is set elsewhere (dubbing sets one gain for a whole track, then limits cue by cue)."""
    return _limited(np.asarray(audio, dtype=np.float32), sample_rate, ceiling_dbtp)
