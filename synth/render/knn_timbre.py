"""A zero-shot voice's timbre frame by frame: each frame of the base voice's envelope moved toward
the mean of its nearest frames from the speaker's own clips, in the spirit of kNN-VC (Baas,
van Niekerk & Kamper 2023, which matches WavLM features; here WORLD mel-cepstra).

The statistical timbre (synth/render/timbre.py: F0, frequency warp, cepstral mean and variance,
aperiodicity) is the prior: it maps every base frame into the speaker's cepstral space, where
the clips' frames are looked up. Matching is on the speaker-normalised cepstrum (each
coefficient c1..c_{MATCH_ORDER} over the clips' mean and spread), the frame and ``context``
neighbours either side, voiced frames against the clips' voiced frames and unvoiced against
unvoiced. The correction (the neighbours' mean minus the prior) is smoothed over time, so
the envelope does not jump from frame to frame (crackle), and added with weight ``blend``:

    c'(t) = prior(t) + blend * smooth_t( trust(t) * (mean_{k nearest}(clip frames) - prior(t)) )

``trust`` falls to 0 for frames whose neighbours are far (a sound the few clips do not hold:
the prior stands). c0 (the level) and c1..c4 (the coarse shape, which carries the phone most:
replacing them too lost words) stay the prior's, F0 and aperiodicity the statistical timbre's.
The clips' frames are stored with the voice (:meth:`ClipFrames.to_dict`: float16, base64; about
21 kB per second of clip).

Opt-in (``emostudio voice add ... --mapping knn``); the statistical timbre is the default. On the
held-out kal16 (``python -m train.evaluate_voices --mapping knn``) the independent encoder scored
it as the statistical one (Resemblyzer neutral 0.765 vs 0.764, min 0.732 vs 0.728) while the
fitted d-vector rose (0.69 -> 0.77) and words were lost (WER 0.18 vs 0.13); on the ALSA speaker,
whom the settings were tuned on, Resemblyzer 0.67 vs 0.64 (docs/models/voice_timbre.md,
"Zero-shot: frame-wise").
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from synth.vocoder.world import WorldFeatures

from .timbre import (CEPSTRUM_ORDER, OnStatisticalTimbre, Timbre, _envelope, _warped, cepstrum, map_cepstrum,
                     with_speaker_source)

FRAMES_FORMAT = "world-mcep-f16/1"
MATCH_ORDER = 24            # c1..c24 carry the phone; the higher ones are fine detail
# Tuned on corpus voices awb and rms (from joe) and the ALSA speaker, never on kal16
# (docs/models/voice_timbre.md, "Zero-shot: frame-wise"):
DEFAULT_K = 16
DEFAULT_BLEND = 1.0
DEFAULT_CONTEXT = 2         # frames either side in the match (+-10 ms)
DEFAULT_SMOOTH = 21         # frames (5 ms each) of the Hann window the correction is smoothed by
DEFAULT_PRIOR_ORDER = 4
DEFAULT_FALLBACK = 0.3


@dataclass(frozen=True)
class ClipFrames:
    """The clips' WORLD frames: the coded envelope c0..c39 and voicing, clip by clip."""
    cepstra: np.ndarray              # (frames, CEPSTRUM_ORDER)
    voiced: np.ndarray               # (frames,) bool
    lengths: tuple[int, ...]         # frames per clip, in order

    def to_dict(self) -> dict:
        return {"format": FRAMES_FORMAT, "order": int(self.cepstra.shape[1]), "lengths": list(self.lengths),
                "cepstra": base64.b64encode(np.asarray(self.cepstra, dtype="<f2").tobytes()).decode("ascii"),
                "voiced": base64.b64encode(np.packbits(self.voiced.astype(bool)).tobytes()).decode("ascii")}

    @classmethod
    def from_dict(cls, data: dict) -> "ClipFrames":
        if data.get("format") != FRAMES_FORMAT:
            raise ValueError(f"clip frames of an unknown format {data.get('format')!r}")
        order, lengths = int(data["order"]), tuple(int(n) for n in data["lengths"])
        total = sum(lengths)
        cepstra = np.frombuffer(base64.b64decode(data["cepstra"]), dtype="<f2").astype(np.float64)
        voiced = np.unpackbits(np.frombuffer(base64.b64decode(data["voiced"]), dtype=np.uint8))[:total].astype(bool)
        if cepstra.size != total * order:
            raise ValueError(f"clip frames hold {cepstra.size} values, not {total} x {order}")
        return cls(cepstra.reshape(total, order), voiced, lengths)


def clip_frames(analyses: Sequence[WorldFeatures]) -> ClipFrames:
    """What a voice stores of its clips' analyses for the frame-wise mapping."""
    coded = [cepstrum(a) for a in analyses]
    return ClipFrames(np.concatenate(coded).astype(np.float16).astype(np.float64),
                      np.concatenate([np.asarray(a.voiced, dtype=bool) for a in analyses]),
                      tuple(len(c) for c in coded))


def _stacked(normalised: np.ndarray, lengths: Sequence[int], context: int) -> np.ndarray:
    """Each frame with ``context`` neighbours either side, within its own clip (edges held)."""
    pieces, start = [], 0
    for n in lengths:
        block = normalised[start:start + n]
        padded = np.pad(block, ((context, context), (0, 0)), mode="edge")
        pieces.append(np.concatenate([padded[j:j + n] for j in range(2 * context + 1)], axis=1))
        start += n
    return np.concatenate(pieces) if pieces else np.zeros((0, normalised.shape[1] * (2 * context + 1)))


def _hann_smooth(values: np.ndarray, width: int) -> np.ndarray:
    if width <= 1:
        return values
    window = np.hanning(width + 2)[1:-1]
    window /= window.sum()
    half = width // 2
    padded = np.pad(values, ((half, width - 1 - half), (0, 0)), mode="edge")
    return np.stack([np.convolve(padded[:, j], window, mode="valid") for j in range(values.shape[1])], axis=1)


def _nearest_mean(queries: np.ndarray, pool: np.ndarray, values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """For each query row, the mean of ``values`` at its ``k`` nearest ``pool`` rows (Euclidean),
    and the mean distance to them."""
    k = max(1, min(int(k), len(pool)))
    distances = np.maximum(np.sum(queries ** 2, axis=1)[:, None] + np.sum(pool ** 2, axis=1)[None, :]
                           - 2.0 * queries @ pool.T, 0.0)
    nearest = np.argpartition(distances, k - 1, axis=1)[:, :k]
    return values[nearest].mean(axis=1), np.sqrt(np.take_along_axis(distances, nearest, axis=1)).mean(axis=1)


@dataclass(frozen=True)
class KnnTimbre(OnStatisticalTimbre):
    """The statistical timbre as prior, the clips' frames as what each base frame becomes (see
    the module doc). ``prior_order``: c1..c_{prior_order}, the envelope's coarse shape that
    carries the phone most, stay the prior's; ``fallback``: frames whose neighbours are far
    (a sound the clips do not hold) keep the prior, fully above the ``1 - fallback/2``
    quantile of an utterance's match distances, not at all below the ``1 - 2 fallback`` one."""
    timbre: Timbre
    frames: ClipFrames
    k: int = DEFAULT_K
    blend: float = DEFAULT_BLEND
    context: int = DEFAULT_CONTEXT
    smooth: int = DEFAULT_SMOOTH
    prior_order: int = DEFAULT_PRIOR_ORDER
    fallback: float = DEFAULT_FALLBACK
    _pools: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def default_settings(cls) -> dict:
        return {"method": "knn", "k": DEFAULT_K, "blend": DEFAULT_BLEND, "context": DEFAULT_CONTEXT,
                "smooth": DEFAULT_SMOOTH, "prior_order": DEFAULT_PRIOR_ORDER, "fallback": DEFAULT_FALLBACK}

    def settings(self) -> dict:
        return {"method": "knn", "k": int(self.k), "blend": float(self.blend), "context": int(self.context),
                "smooth": int(self.smooth), "prior_order": int(self.prior_order), "fallback": float(self.fallback)}

    def _normalise(self, coded: np.ndarray) -> np.ndarray:
        """c1..c_MATCH_ORDER over the speaker's voiced mean and spread (the prior is in the
        speaker's space already, so both sides use the clips' statistics)."""
        mean = np.asarray(self.timbre.cepstrum_mean)[1:MATCH_ORDER + 1]
        std = np.maximum(np.asarray(self.timbre.cepstrum_std)[1:MATCH_ORDER + 1], 1e-6)
        return (coded[:, 1:MATCH_ORDER + 1] - mean) / std

    def _pool(self, voiced: bool) -> tuple[np.ndarray, np.ndarray]:
        if voiced not in self._pools:
            stacked = _stacked(self._normalise(self.frames.cepstra), self.frames.lengths, self.context)
            chosen = self.frames.voiced == voiced
            self._pools[voiced] = (stacked[chosen], self.frames.cepstra[chosen])
        return self._pools[voiced]

    def map_cepstrum(self, coded: np.ndarray, voiced: np.ndarray) -> np.ndarray:
        """The base's coded envelope (already warped) -> the speaker's, frame by frame; c0 kept."""
        prior = map_cepstrum(coded, voiced, self.timbre)
        queries = _stacked(self._normalise(prior), (len(prior),), self.context)
        found, trust = prior.copy(), np.zeros(len(prior))
        for flag in (True, False):
            rows = np.flatnonzero(voiced == flag)
            pool, values = self._pool(flag)
            if not rows.size or not len(pool):
                continue
            found[rows], distance = _nearest_mean(queries[rows], pool, values, self.k)
            trust[rows] = 1.0
            if self.fallback > 0:
                low, high = np.quantile(distance, [max(0.0, 1.0 - 2.0 * self.fallback), 1.0 - self.fallback / 2.0])
                trust[rows] = np.clip((high - distance) / max(high - low, 1e-9), 0.0, 1.0)
        correction = _hann_smooth((found - prior) * trust[:, None], self.smooth)
        correction[:, :self.prior_order + 1] = 0.0      # c0 (the level) and the coarse shape: the prior's
        return prior + self.blend * correction

    def apply(self, features: WorldFeatures) -> WorldFeatures:
        """The speaker's envelope frame by frame, F0 and aperiodicity as the statistical timbre."""
        warped = _warped(features, self.timbre.warp)
        sp = _envelope(self.map_cepstrum(cepstrum(warped), np.asarray(features.voiced, dtype=bool)),
                       features.sample_rate)
        return with_speaker_source(features, self.timbre, sp)


SETTINGS = ("k", "blend", "context", "smooth", "prior_order", "fallback")


def knn_timbre(timbre: Timbre, frames: ClipFrames, settings: dict | None = None) -> KnnTimbre:
    """The frame-wise timbre from stored settings (a voice file's ``timbre["mapping"]``)."""
    return KnnTimbre(timbre, frames, **{k: v for k, v in (settings or {}).items() if k in SETTINGS})


__all__ = ["CEPSTRUM_ORDER", "ClipFrames", "KnnTimbre", "MATCH_ORDER", "clip_frames", "knn_timbre"]
