"""`EmotionalTTS`: phones + emotion + voice -> WORLD acoustic features.

    per-token emotion features -> EmotionEncoder (shared conditioning path) -> (B, T, E)
    phones, stress -> TextEncoder (FiLM by emotion + voice) -> DurationPredictor
      -> LengthRegulator -> FramePredictor (log F0, voicing, energy)
      -> DecoderCondition -> flow-matching or diffusion decoder -> envelope + aperiodicity

Both model variants share everything but the decoder (`TTSConfig.decoder`). Training drops
the emotion condition (null embedding) for a random part of each batch, everywhere at once,
so the same network also models emotion-free speech: classifier-free guidance at inference
extrapolates from it. Guidance applies to the duration, F0 and energy predictions as well as
the decoder, because tempo, pitch and loudness are where most of an emotion is heard.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from conditioning.encoder import EmotionEncoder
from synth.sampling import classifier_free_guidance
from synth.text.frontend import PAD_ID

from .config import TTSConfig
from .decoder_net import DecoderCondition, masked_mse
from .diffusion_decoder import DiffusionDecoder
from .flow_decoder import FlowMatchingDecoder
from .text_encoder import TextEncoder
from .variance import (DurationPredictor, FrameAlignment, FramePredictor, FrameProsody, LengthRegulator,
                       durations_from_log, log_duration_target, pause_mask_of, scale_durations,
                       utterance_statistics_loss)

LOG_SEMITONE = math.log(2.0) / 12.0


def _extrapolate(conditional: torch.Tensor, unconditional: torch.Tensor | None, guidance: float) -> torch.Tensor:
    if unconditional is None:
        return conditional
    return classifier_free_guidance(conditional, unconditional, guidance)


class EmotionalTTS(nn.Module):
    def __init__(self, config: TTSConfig = TTSConfig()):
        super().__init__()
        self.config = config
        self.emotion = EmotionEncoder(config.emotion)
        self.voices = nn.Embedding(config.voices, config.voice_dim)
        self.text_encoder = TextEncoder(config)
        self.duration_predictor = DurationPredictor(config)
        self.length_regulator = LengthRegulator()
        self.frame_predictor = FramePredictor(config)
        self.decoder_condition = DecoderCondition(config)
        self.decoder = FlowMatchingDecoder(config) if config.decoder == "flow" else DiffusionDecoder(config)

    # --- normalisation (statistics live in the config, so checkpoints carry them) -------

    def _acoustic_stats(self, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean = torch.tensor(self.config.acoustic_mean, dtype=like.dtype, device=like.device)[:, None]
        std = torch.tensor(self.config.acoustic_std, dtype=like.dtype, device=like.device)[:, None]
        return mean, std

    def normalise_acoustic(self, acoustic: torch.Tensor) -> torch.Tensor:
        mean, std = self._acoustic_stats(acoustic)
        return (acoustic - mean) / std

    def denormalise_acoustic(self, acoustic: torch.Tensor) -> torch.Tensor:
        mean, std = self._acoustic_stats(acoustic)
        return acoustic * std + mean

    def normalise_log_f0(self, log_f0: torch.Tensor) -> torch.Tensor:
        return (log_f0 - self.config.log_f0_mean) / self.config.log_f0_std

    def normalise_energy(self, energy_db: torch.Tensor) -> torch.Tensor:
        return (energy_db - self.config.energy_mean) / self.config.energy_std

    # --- shared pieces --------------------------------------------------------------------

    def _encode(self, tokens: torch.Tensor, stress: torch.Tensor, token_mask: torch.Tensor,
                emotion: torch.Tensor, voice: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """-> (encoder features (B, T, H), predicted log(1 + frames) (B, T))."""
        encoded = self.text_encoder(tokens, stress, token_mask, emotion, voice)
        return encoded, self.duration_predictor(encoded, token_mask, emotion, voice)

    def _condition(self, encoded: torch.Tensor, emotion: torch.Tensor, voice: torch.Tensor,
                   alignment: FrameAlignment, log_f0: torch.Tensor, voiced: torch.Tensor,
                   energy: torch.Tensor) -> torch.Tensor:
        regulated = self.length_regulator(encoded, alignment)
        frame_emotion = self.length_regulator(emotion, alignment)
        return self.decoder_condition(regulated, log_f0, voiced, energy, alignment.progress, frame_emotion,
                                      voice, alignment.frame_mask)

    def _frame_prosody(self, encoded: torch.Tensor, emotion: torch.Tensor, voice: torch.Tensor,
                       alignment: FrameAlignment) -> FrameProsody:
        regulated = self.length_regulator(encoded, alignment)
        return self.frame_predictor(regulated, alignment, self.length_regulator(emotion, alignment), voice)

    # --- training -------------------------------------------------------------------------

    def training_losses(self, batch: dict[str, torch.Tensor], generator: torch.Generator | None = None,
                        condition_dropout: float = 0.1, with_decoder: bool = True,
                        utterance_weight: float = 0.0) -> dict[str, torch.Tensor]:
        """batch: tokens, stress, token_mask, token_emotion (B, T, FEATURE_DIM), voice (B,),
        durations (B, T) frames, log_f0, voiced, energy (B, F) in natural units (log Hz,
        bool, dB), acoustic (B, A, F), frame_mask (B, F). Returns each loss and "total";
        `with_decoder` False leaves out the decoder's (the costly part) for training the
        variance predictors alone; `utterance_weight` > 0 adds `utterance_statistics_loss`."""
        tokens, token_mask = batch["tokens"], batch["token_mask"]
        acoustic = batch["acoustic"]
        device = generator.device if generator is not None else tokens.device
        dropped = (torch.rand(len(tokens), generator=generator, device=device) < condition_dropout).to(tokens.device)
        emotion, voice, encoded, log_durations, alignment, prosody = self._on_true_durations(batch, dropped)
        frame_mask = alignment.frame_mask

        log_f0 = self.normalise_log_f0(batch["log_f0"])
        voiced = batch["voiced"].to(log_f0.dtype)
        energy = self.normalise_energy(batch["energy"])
        weight = frame_mask.to(log_f0.dtype)
        voicing = F.binary_cross_entropy_with_logits(prosody.voiced_logit, voiced, reduction="none")
        losses = {
            "duration": masked_mse(log_durations, log_duration_target(batch["durations"]), token_mask),
            "f0": masked_mse(prosody.log_f0, log_f0, frame_mask),
            "voicing": (voicing * weight).sum() / weight.sum().clamp(min=1.0),
            "energy": masked_mse(prosody.energy, energy, frame_mask),
        }
        if utterance_weight > 0:
            losses["utterance"] = utterance_weight * utterance_statistics_loss(
                log_durations, batch["durations"], token_mask, prosody.log_f0, log_f0, batch["voiced"], frame_mask)
        if with_decoder:
            # Teacher forcing: the decoder learns from true prosody, and at inference follows
            # whatever prosody it is given (predicted, shifted or edited).
            condition = self._condition(encoded, emotion, voice, alignment, log_f0, voiced, energy)
            losses["decoder"] = self.decoder.loss(self.normalise_acoustic(acoustic), condition, frame_mask, generator)
        losses["total"] = sum(losses.values())
        return losses

    def _on_true_durations(self, batch: dict[str, torch.Tensor], drop_mask: torch.Tensor | None = None):
        """Emotion, voice, encoder features, predicted log durations, the alignment of the batch's
        true durations and the frame prosody predicted on it (so frames line up with the features)."""
        emotion = self.emotion(batch["token_emotion"], drop_mask=drop_mask)
        voice = self.voices(batch["voice"])
        encoded, log_durations = self._encode(batch["tokens"], batch["stress"], batch["token_mask"], emotion, voice)
        alignment = self.length_regulator.align(batch["durations"], total_frames=batch["log_f0"].shape[-1])
        # Frames beyond either the durations' total or the features are excluded from every loss.
        alignment = alignment._replace(frame_mask=alignment.frame_mask & batch["frame_mask"])
        prosody = self._frame_prosody(encoded, emotion, voice, alignment)
        return emotion, voice, encoded, log_durations, alignment, prosody

    def predicted_prosody(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """What the predictors make of a training-style batch, for diagnostics: frames per token
        (B, T) as predicted, and log F0 (B, F) in log Hz predicted on the true durations, with
        the frame mask; compare with the batch's durations and log_f0."""
        with self._inference():
            *_, log_durations, alignment, prosody = self._on_true_durations(batch)
        frames = torch.expm1(log_durations).clamp(min=1.0) * batch["token_mask"]
        log_f0 = prosody.log_f0 * self.config.log_f0_std + self.config.log_f0_mean
        return {"durations": frames, "log_f0": log_f0, "frame_mask": alignment.frame_mask}

    # --- inference ------------------------------------------------------------------------

    def infer(self, tokens: torch.Tensor, stress: torch.Tensor, token_emotion: torch.Tensor, voice: torch.Tensor,
              steps: int | None = None, generator: torch.Generator | None = None, guidance: float = 1.0,
              durations: torch.Tensor | None = None, target_frames: int | Sequence[int] | torch.Tensor | None = None,
              rate: float = 1.0, pitch_shift: float = 0.0, scheduler: str | None = None,
              token_mask: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """tokens, stress (B, T); token_emotion (B, T, FEATURE_DIM) (a timeline sampled at
        the tokens) or (B, FEATURE_DIM) for one emotion throughout; voice (B,) ids.
        `durations` (B, T) frames replace the predicted ones; `rate` > 1 speaks faster;
        `target_frames` fixes each item's total length (rate is then moot), stretching
        pauses most; the pitch shift moves log F0 before the decoder sees it.
        `scheduler` ("dpm" or "ddpm") applies to the diffusion decoder only.
        Returns acoustic (B, A, F), log_f0 (B, F) log Hz, voiced (B, F) bool, energy (B, F)
        dB, durations (B, T), frame_mask (B, F); padded frames are zero."""
        if scheduler is not None and not isinstance(self.decoder, DiffusionDecoder):
            raise ValueError("a scheduler choice applies to the diffusion decoder only")
        if int(voice.min()) < 0 or int(voice.max()) >= self.config.voices:
            raise ValueError(f"voice ids must be in 0..{self.config.voices - 1}; got {voice.tolist()}")
        with self._inference():
            return self._infer(tokens, stress, token_emotion, voice, steps, generator, guidance, durations,
                               target_frames, rate, pitch_shift, scheduler, token_mask)

    def predict_durations(self, tokens: torch.Tensor, stress: torch.Tensor, token_emotion: torch.Tensor,
                          voice: torch.Tensor, rate: float = 1.0) -> torch.Tensor:
        """(B, T) frames per token, from the encoder and duration predictor alone: what a
        caller needs to place a timeline on the tokens, without running the decoder."""
        token_mask = tokens != PAD_ID
        if token_emotion.dim() == 2:
            token_emotion = token_emotion[:, None, :].expand(-1, tokens.shape[1], -1)
        with self._inference():
            _, log_durations = self._encode(tokens, stress, token_mask, self.emotion(token_emotion), self.voices(voice))
            return durations_from_log(log_durations, token_mask, rate)

    @contextlib.contextmanager
    def _inference(self):
        """Eval mode without autograd for one call; the caller's mode comes back after."""
        was_training = self.training
        self.eval()
        try:
            with torch.inference_mode():
                yield
        finally:
            self.train(was_training)

    def _infer(self, tokens, stress, token_emotion, voice, steps, generator, guidance, durations, target_frames,
               rate, pitch_shift, scheduler, token_mask) -> dict[str, torch.Tensor]:
        token_mask = token_mask if token_mask is not None else tokens != PAD_ID
        if token_emotion.dim() == 2:
            token_emotion = token_emotion[:, None, :].expand(-1, tokens.shape[1], -1)
        guided = guidance != 1.0
        emotion = self.emotion(token_emotion)
        null_emotion = self.emotion.null(*tokens.shape) if guided else None
        voice = self.voices(voice)
        encoded, log_durations = self._encode(tokens, stress, token_mask, emotion, voice)
        null_encoded, null_log_durations = (self._encode(tokens, stress, token_mask, null_emotion, voice)
                                            if guided else (None, None))

        if durations is None:
            durations = durations_from_log(_extrapolate(log_durations, null_log_durations, guidance), token_mask, rate)
        elif rate != 1.0:
            durations = durations_from_log(log_duration_target(durations), token_mask, rate)
        durations = durations * token_mask
        if target_frames is not None:
            durations = scale_durations(durations, target_frames, pause_mask_of(tokens), token_mask)
        alignment = self.length_regulator.align(durations)

        prosody = self._frame_prosody(encoded, emotion, voice, alignment)
        null_prosody = self._frame_prosody(null_encoded, null_emotion, voice, alignment) if guided else None
        keep = alignment.frame_mask.to(prosody.log_f0.dtype)
        log_f0 = _extrapolate(prosody.log_f0, null_prosody.log_f0 if guided else None, guidance)
        log_f0_hz = (log_f0 * self.config.log_f0_std + self.config.log_f0_mean
                     + pitch_shift * LOG_SEMITONE) * keep
        voiced = (prosody.voiced_logit > 0) & alignment.frame_mask
        energy = _extrapolate(prosody.energy, null_prosody.energy if guided else None, guidance)

        # The decoder hears the shifted F0, so the spectrum is made for the pitch played.
        decoder_prosody = (self.normalise_log_f0(log_f0_hz) * keep, voiced, energy)
        condition = self._condition(encoded, emotion, voice, alignment, *decoder_prosody)
        null_condition = (self._condition(null_encoded, null_emotion, voice, alignment, *decoder_prosody)
                          if guided else None)
        options = {"scheduler": scheduler} if scheduler is not None else {}
        acoustic = self.decoder.sample(condition, alignment.frame_mask, steps, generator, guidance,
                                       null_condition, **options)
        return {
            "acoustic": self.denormalise_acoustic(acoustic) * keep[:, None, :],
            "log_f0": log_f0_hz,
            "voiced": voiced,
            "energy": (energy * self.config.energy_std + self.config.energy_mean) * keep,
            "durations": durations,
            "frame_mask": alignment.frame_mask,
        }
