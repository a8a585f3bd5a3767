"""Text + emotion + voice -> speech, from a shipped TTS checkpoint.

Wraps `EmotionalTTS` with what inference needs: the text front end, emotion features per
token (a timeline is sampled at each token's time, found by a first pass of predicted
durations), voice names, the duration target for dubbing, and WORLD to turn the predicted
features into a waveform. Steps, guidance and seed are run-time parameters.

Jitter and shimmer (the emotion's cycle-to-cycle irregularity, from the prosody prior) are
drawn at vocoding, as the corpus renders them, not predicted: they are noise, and the F0 and
energy predictors, trained on the mean square error, average noise away.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import torch

from conditioning.checkpoints import load_shipped
from conditioning.features import target_features
from conditioning.prosody import prosody_prior
from conditioning.target import EmotionTarget
from conditioning.timeline import EmotionSource
from synth.text import text_to_sequence
from synth.text.errors import TextFrontendError

from synth.vocoder.world import apply_jitter_shimmer, synthesize

from synth.settings import SPEAK_FIELDS, check_range
from synth.speech import Speech, TTSInputError, check_speech_settings, shipped_tts

from .acoustic import AcousticConfig, AcousticFeatures, to_world
from .config import DECODERS, TTSConfig
from .model import EmotionalTTS

MIN_DURATION_RATIO, MAX_DURATION_RATIO = 0.25, 4.0   # beyond these a duration target is refused


PREFERRED_VOICE = "slt"   # flite's US English female voice: a clear one, and a training voice of the corpus


def default_voice(voices) -> str:
    """The voice used when none is named: slt where the model has it, else its first."""
    return PREFERRED_VOICE if PREFERRED_VOICE in voices else voices[0]


class Synthesizer:
    def __init__(self, model: EmotionalTTS, voices: tuple[str, ...], acoustic: AcousticConfig = AcousticConfig(),
                 trained_voices: tuple[str, ...] | None = None):
        """voices: the name of each voice embedding, in order; trained_voices: those the model
        learnt (default all). An untrained embedding (the corpus's held-out voice) is not offered."""
        if len(voices) != model.config.voices:
            raise ValueError(f"{len(voices)} voice names for a model of {model.config.voices} voices")
        trained = set(voices if trained_voices is None else trained_voices)
        self.model, self.acoustic = model.eval(), acoustic
        self.embedding_names = tuple(voices)
        self.voices = tuple(v for v in voices if v in trained)

    @classmethod
    def from_checkpoint(cls, decoder: str = "flow", path: Path | None = None) -> "Synthesizer":
        if decoder not in DECODERS:
            raise TTSInputError(f"decoder must be one of {', '.join(DECODERS)}; got {decoder!r}")
        config, state, extra = load_shipped(shipped_tts(decoder), TTSConfig, path)
        model = EmotionalTTS(config)
        model.load_state_dict(state)
        return cls(model, tuple(extra["voices"]), AcousticConfig(**extra.get("acoustic", {})),
                   extra.get("trained_voices"))

    @property
    def decoder(self) -> str:
        return self.model.config.decoder

    @property
    def default_steps(self) -> int:
        """The sampling steps `speak` takes when given none."""
        return self.model.decoder.default_steps

    def voice_id(self, voice: str) -> int:
        if voice in self.embedding_names and voice not in self.voices:
            raise TTSInputError(f"voice {voice!r} was held out of this model's training, so it cannot speak it; "
                                f"the voices are {', '.join(self.voices)}")
        if voice not in self.voices:
            raise TTSInputError(f"unknown voice {voice!r}; the voices are {', '.join(self.voices)}")
        return self.embedding_names.index(voice)

    def speak(self, text: str, emotion: EmotionSource, voice: str, duration_s: float | None = None,
              steps: int | None = None, seed: int = 0, guidance: float = 1.0, rate: float = 1.0,
              pitch_shift: float = 0.0, scheduler: str | None = None,
              delivery_variation=None) -> Speech:
        """One utterance. `duration_s` fixes its length (dubbing); `rate` > 1 speaks faster.
        `delivery_variation` is the engine decoder's (the seed already varies this one's sampling)."""
        sequence = text_to_sequence(text)
        _check_settings(steps, guidance, rate, pitch_shift)
        if delivery_variation is not None:
            raise TTSInputError("delivery variation applies to the engine decoder only; "
                                "a learned decoder's seed varies its sampling")
        tokens = torch.tensor([sequence.ids])
        stress = torch.tensor([sequence.stresses])
        voice_ids = torch.tensor([self.voice_id(voice)])
        generator = torch.Generator().manual_seed(int(seed))
        natural = self.model.predict_durations(tokens, stress, torch.from_numpy(target_features(emotion.first))[None],
                                               voice_ids, rate)[0].numpy()
        token_targets = self._token_targets(emotion, natural)
        token_emotion = torch.from_numpy(np.stack([target_features(t) for t in token_targets]))[None]
        target_frames = self._target_frames(duration_s, int(natural.sum()))
        out = self.model.infer(tokens, stress, token_emotion, voice_ids, steps=steps, generator=generator,
                               guidance=guidance, target_frames=target_frames, rate=rate,
                               pitch_shift=pitch_shift, scheduler=scheduler)
        return self._speech(sequence.symbols, out, natural.sum() / self.acoustic.frames_per_second,
                            token_targets, np.random.default_rng(int(seed)))

    def _token_targets(self, emotion: EmotionSource, durations: np.ndarray) -> list[EmotionTarget]:
        """The emotion at each token's centre (a static target is the same everywhere)."""
        centres = (np.cumsum(durations) - durations / 2) / self.acoustic.frames_per_second
        return [emotion.at(float(t)) for t in centres]

    def _target_frames(self, duration_s: float | None, natural_frames: int) -> int | None:
        if duration_s is None:
            return None
        if not np.isfinite(duration_s) or duration_s <= 0:
            raise TTSInputError(f"duration must be a positive number of seconds; got {duration_s}")
        natural_s = natural_frames / self.acoustic.frames_per_second
        ratio = duration_s / natural_s
        if not MIN_DURATION_RATIO <= ratio <= MAX_DURATION_RATIO:
            raise TTSInputError(f"a duration of {duration_s:.2f} s is {ratio:.2f} times this text's natural "
                                f"{natural_s:.2f} s; ask for {MIN_DURATION_RATIO}-{MAX_DURATION_RATIO} times it")
        return int(round(duration_s * self.acoustic.frames_per_second))

    def _speech(self, symbols: tuple[str, ...], out: dict[str, torch.Tensor], natural_s: float,
                token_targets: list[EmotionTarget], rng: np.random.Generator) -> Speech:
        mask = out["frame_mask"][0].numpy()
        acoustic = out["acoustic"][0].numpy()[:, mask].T
        envelope_dims = self.acoustic.envelope_dims
        frames = int(mask.sum())
        period = 1.0 / self.acoustic.frames_per_second
        log_f0 = out["log_f0"][0].numpy()[mask]
        voiced = out["voiced"][0].numpy()[mask]
        features = AcousticFeatures(log_f0=log_f0, voiced=voiced, envelope=acoustic[:, :envelope_dims],
                                    aperiodicity=acoustic[:, envelope_dims:], energy_db=out["energy"][0].numpy()[mask],
                                    duration_s=frames * period)
        ends = np.cumsum(out["durations"][0].numpy()) * period
        phones = tuple((symbol, float(end - length * period), float(end)) for symbol, end, length in
                       zip(symbols, ends, out["durations"][0].numpy()))
        jitter, shimmer = irregularity_per_frame(token_targets, out["durations"][0].numpy(), frames)
        world = apply_jitter_shimmer(to_world(features, self.acoustic), jitter, shimmer, rng)
        return Speech(synthesize(world), self.acoustic.sample_rate, phones, float(natural_s),
                      np.where(voiced, log_f0, 0.0), period)


def irregularity_per_frame(token_targets: list[EmotionTarget], durations: np.ndarray,
                           frames: int) -> tuple[np.ndarray, np.ndarray]:
    """The prosody prior's jitter and shimmer for each frame, from each token's emotion."""
    prosody = [prosody_prior(target) for target in token_targets]
    token_frames = np.maximum(np.rint(durations).astype(int), 0)
    token_frames[-1] += max(frames - int(token_frames.sum()), 0)   # rounding: the last token holds to the end
    jitter, shimmer = (np.repeat([getattr(p, name) for p in prosody], token_frames)[:frames]
                       for name in ("jitter", "shimmer"))
    return jitter, shimmer


def _check_settings(steps, guidance, rate, pitch) -> None:
    if steps is not None:
        check_range("steps", steps, SPEAK_FIELDS["steps"], TTSInputError)
    check_speech_settings(guidance, rate, pitch)


@functools.cache
def shipped_synthesizer(decoder: str = "flow") -> Synthesizer:
    return Synthesizer.from_checkpoint(decoder)


__all__ = ["Speech", "Synthesizer", "TTSInputError", "TextFrontendError", "default_voice",
           "shipped_synthesizer", "shipped_tts"]
