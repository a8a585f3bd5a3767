"""Text + emotion + voice -> speech, from the voice's own engine with the emotion rendered.

The studio's default way to speak: the engine (Piper's joe voice by default, or a Debian
festival/flite voice) says the words, so every word it can say survives; the prosody prior
sets F0 level, range and contour, tempo, pauses, loudness, tilt, breathiness, jitter and
shimmer; the engine takes a coarse share of tempo (and F0, where it can), WORLD the rest.
It is the rendering the corpus is built with (the same engine share and WORLD transform),
but for one runtime guard: a lively voice's range widening is capped (``limit_widening``),
which the corpus's narrow Debian voices hardly reach.

The same ``speak`` signature as the learned synthesizer (:mod:`synth.tts.synthesizer`), so
the studio, the CLI and the evaluations treat both alike. ``steps`` and ``scheduler`` do not
apply; ``guidance`` > 1 exaggerates the rendered prosody's departure from neutral.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from conditioning.prosody import DeliveryVariation, ProsodyTargets, delivered, prosody_prior
from conditioning.timeline import EmotionSource
from synth.speech import (ENGINE_DECODER, Speech, TTSInputError, check_speech_settings, fit_with_silence,
                          phrase_pause_room_s)

from .emotional import (MAX_RANGE_WIDENING_SEMITONES, contour_for, engine_preset, engine_renderings, limit_widening,
                        range_widening_semitones, world_share)
from .world_transform import apply_prosody_to_features
from .engines import VoiceRenderError, available_voices, register_piper_voice, voice_spec

OUTPUT_LEVEL_DBFS = -27.0     # neutral speech's RMS level: the peak limiter took back "loud" at -24
DURATION_TOLERANCE = 0.02     # the words' rendering is fitted within 2 %; silence makes it exact
# A dubbing fit speaks no slower than 0.6 and no faster than 2 times the natural rate: beyond
# that the words blur, so longer slots get silence and shorter ones an error.
SPEED_LIMITS = (0.6, 2.0)
MIN_DURATION_RATIO, MAX_DURATION_RATIO = 0.25, 4.0


def engine_prosody(target, rate: float = 1.0, pitch_shift: float = 0.0, guidance: float = 1.0,
                   delivery_variation: DeliveryVariation | None = None, seed: int = 0) -> ProsodyTargets:
    """The prosody prior for ``target``, exaggerated by ``guidance`` (each cue group by its own,
    for ``seed``, with a ``delivery_variation``), then the user's rate and pitch."""
    prosody = delivered(prosody_prior(target), guidance, delivery_variation, seed)
    return dataclasses.replace(prosody, tempo_factor=float(np.clip(prosody.tempo_factor * rate, 0.25, 4.0)),
                               f0_shift_semitones=prosody.f0_shift_semitones + pitch_shift)


class EngineSynthesizer:
    decoder = ENGINE_DECODER
    default_steps = None

    def __init__(self, voices: tuple[str, ...] | None = None):
        self.voices = tuple(voices) if voices is not None else tuple(available_voices())
        if not self.voices:
            raise TTSInputError("no engine voice is installed (run `make setup`)")

    def speak(self, text: str, emotion: EmotionSource, voice: str, duration_s: float | None = None,
              steps: int | None = None, seed: int = 0, guidance: float = 1.0, rate: float = 1.0,
              pitch_shift: float = 0.0, scheduler: str | None = None,
              delivery_variation: DeliveryVariation | None = None) -> Speech:
        """One utterance; ``duration_s`` fixes its length (dubbing), ``rate`` > 1 speaks faster.
        A timeline is sampled at the centre of each phone of the voice's plain rendering.
        A ``delivery_variation`` lets the seed vary the delivery too (each cue group's guidance,
        conditioning.prosody.DeliveryVariation): what the scoring loop's candidates choose among."""
        voice, timbre = self._resolve(voice)
        self._check(voice, guidance, rate, pitch_shift)

        def prosody(target):
            return engine_prosody(target, rate, pitch_shift, guidance, delivery_variation, seed)

        if emotion.varies_over_time:   # the engine renders plainly, the prior moves each phone
            plain = self._engine(text, voice, seed, timbre=timbre)
            at_phones = [emotion.at(0.5 * (start + end)) for _, start, end in plain.phones]
            plan = _Plan(plain, prosody(at_phones[0]), contour_for(emotion.last, voice),
                         tuple(prosody(t) for t in at_phones), range_widening_semitones(at_phones[0].category),
                         tuple(range_widening_semitones(t.category) for t in at_phones))
        else:
            target = emotion.first
            wanted = prosody(target)
            plan = _Plan(self._engine(text, voice, seed, engine_preset(wanted, voice), timbre), wanted,
                         contour_for(target, voice), widening=range_widening_semitones(target.category))
        natural = _speech(plan.render(seed), None)
        if duration_s is None:
            return natural
        return fit_with_silence(self._fit_duration(plan, seed, natural, duration_s), duration_s)

    def _engine(self, text, voice, seed, preset=(0, 0), timbre=None):
        try:
            rendering = engine_renderings(text, voice, {preset}, seed=int(seed), level_dbfs=OUTPUT_LEVEL_DBFS)[preset]
        except VoiceRenderError as error:
            raise TTSInputError(str(error)) from None
        if timbre is None:
            return rendering
        # A stored voice: the base voice's rendering moved toward its speaker before the emotion
        # is rendered, so every emotion starts from the same timbre.
        # Statistical (timbre.py) or fine-tuned (timbre_net.py): both apply themselves.
        return dataclasses.replace(rendering, features=timbre.apply(rendering.features),
                                   plain_f0_std_semitones=rendering.plain_f0_std_semitones * timbre.f0_range_factor)

    def _fit_duration(self, plan: "_Plan", seed, natural: Speech, duration_s: float) -> Speech:
        """The rendering whose words come closest to filling `duration_s` at a speaking rate
        within SPEED_LIMITS: a longer line first lets the pauses between phrases grow (the
        silence fit does that), then slows the words; the silence fit makes it exact."""
        if not np.isfinite(duration_s) or duration_s <= 0:
            raise TTSInputError(f"duration must be a positive number of seconds; got {duration_s}")
        natural_s = natural.duration_s
        ratio = duration_s / natural_s
        if not MIN_DURATION_RATIO <= ratio <= MAX_DURATION_RATIO:
            raise TTSInputError(f"a duration of {duration_s:.2f} s is {ratio:.2f} times this text's natural "
                                f"{natural_s:.2f} s; ask for {MIN_DURATION_RATIO}-{MAX_DURATION_RATIO} times it")
        words_s = max(natural_s, duration_s - phrase_pause_room_s(natural)) if ratio > 1 else duration_s
        speed, spoken = 1.0, natural
        for _ in range(4):   # edge pauses do not scale linearly: a few corrections
            correction = spoken.duration_s / words_s
            if abs(correction - 1.0) <= DURATION_TOLERANCE / 2:
                break
            wanted = float(np.clip(speed * correction, *SPEED_LIMITS))
            if wanted == speed:
                break
            speed = wanted
            spoken = _speech(plan.render(seed, speed), natural_s)
        return spoken

    def _resolve(self, voice: str) -> tuple[str, object]:
        """A Piper model path becomes a registered voice; a stored voice (synth/voice_store.py)
        its base voice and timbre; other names pass through."""
        if voice not in self.voices and not str(voice).endswith(".onnx"):
            from synth.voice_store import load_voice

            stored = load_voice(voice)
            if stored is not None:
                return stored.base_voice, stored.timbre_step()
        return self._registered(voice), None

    def _registered(self, voice: str) -> str:
        if str(voice).endswith(".onnx"):
            try:
                name = register_piper_voice(voice)
            except VoiceRenderError as error:
                raise TTSInputError(str(error)) from None
            if name not in self.voices:
                self.voices = (*self.voices, name)
            return name
        return voice

    def _check(self, voice: str, guidance: float, rate: float, pitch: float) -> None:
        if voice not in self.voices:
            try:
                voice_spec(voice)
                why = f"voice {voice!r} is not installed"
            except VoiceRenderError:
                why = f"unknown voice {voice!r}"
            raise TTSInputError(f"{why}; the voices are {', '.join(self.voices)}")
        check_speech_settings(guidance, rate, pitch)


@dataclasses.dataclass(frozen=True)
class _Plan:
    """What one utterance is rendered from: the engine's rendering and the prosody WORLD adds
    (one set, or one per phone for a timeline), and how far each may widen the voice's F0
    spread (``limit_widening``)."""
    engine: object
    prosody: ProsodyTargets
    contour: str
    per_phone: tuple[ProsodyTargets, ...] | None = None
    widening: float = MAX_RANGE_WIDENING_SEMITONES
    per_phone_widening: tuple[float, ...] | None = None

    def render(self, seed: int, speed: float = 1.0):
        """``speed`` > 1 speaks faster, pauses giving twice as much (dubbing's duration fit)."""
        def faster(p: ProsodyTargets) -> ProsodyTargets:
            if speed == 1.0:
                return p
            return dataclasses.replace(p, tempo_factor=float(np.clip(p.tempo_factor * speed, 0.2, 5.0)),
                                       pause_factor=float(np.clip(p.pause_factor / speed ** 2, 0.1, 10.0)))

        def share(p: ProsodyTargets, widening: float) -> ProsodyTargets:
            return world_share(limit_widening(faster(p), self.engine.plain_f0_std_semitones, widening),
                               self.engine.measured)

        per_phone = [share(p, w) for p, w in zip(self.per_phone, self.per_phone_widening)] if self.per_phone else None
        return apply_prosody_to_features(self.engine.features, self.engine.phones, share(self.prosody, self.widening),
                                         seed=int(seed),
                                         contour=self.contour, phone_targets=per_phone)


def _speech(result, natural_s: float | None) -> Speech:
    """A rendering as Speech; `natural_s` None: it is the natural rendering itself."""
    features = result.features
    f0 = np.asarray(features.f0, dtype=np.float64)
    log_f0 = np.where(f0 > 0, np.log(np.maximum(f0, 1e-6)), 0.0)
    return Speech(result.audio, result.sample_rate, tuple((str(p), float(s), float(e)) for p, s, e in result.phones),
                  float(result.duration if natural_s is None else natural_s), log_f0,
                  features.frame_period_ms / 1000.0)


@functools.cache
def engine_synthesizer() -> EngineSynthesizer:
    return EngineSynthesizer()


__all__ = ["ENGINE_DECODER", "EngineSynthesizer", "engine_prosody", "engine_synthesizer"]
