"""`Studio`: the one Python entry point. Every method takes `emotion` in any input form
(label with intensity, mixture, VAD values, free text, EmotionML, timeline) and returns the
result with the resolved emotion and what the studio's own recognizers measured.

    >>> from synth.studio import Studio
    >>> studio = Studio()
    >>> spoken = studio.speak("Hello there.", emotion="happy:0.8", voice="slt")  # doctest: +SKIP
    >>> spoken.write_wav("hello.wav")  # doctest: +SKIP
    >>> result = studio.animate(None, "speech.wav", emotion="happy:0.8", output="out.mp4")  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from conditioning import parse_emotion
from common.audio_io import AudioInputError, load_audio
from conditioning.prosody import DeliveryVariation
from conditioning.checkpoints import ShippedModel, missing_shipped_models, shipped_model
from conditioning.ser import SpeakerReference, SpeechEmotion, SpeechEmotionRecognizer, shipped_recognizer
from conditioning.target import EmotionTarget
from conditioning.timeline import EmotionSource

from .scoring import Scored, ScoringConfig, asked_target, run_scoring, speech_judgement, strength_limits
from .face.pipeline import MAX_AUDIO_S, AnimateOptions, Animation, FaceSource, Progress, TalkingHeadPipeline
from .audio_files import write_audio
from .provenance import ProvenanceRecord, mark, write_record
from .loudness import DEFAULT_LOUDNESS_LUFS, limit_true_peak, integrated_loudness, normalize_loudness
from .speaking import DEFAULT_DECODER, synthesizer_for, voice_for
from .speech import ENGINE_DECODER, LEARNED_DECODERS, Speech, shipped_tts
from .render.synthesizer import EngineSynthesizer
from .tts.synthesizer import Synthesizer
from .voices import Voice, installed_voices
from .vc import MAX_INPUT_S as MAX_CONVERT_S, ConversionResult, VoiceConverter, check_source_audio
from .vc.learned_planner import DEFAULT_PLANNER, planner_for

AudioInput = str | Path | tuple[np.ndarray, int]
GUIDANCE_BOUNDS = (0.25, 4.0)   # where the scoring loop may take speech guidance
# The engine decoder's seed alone hardly changes its output (WORLD's jitter; Piper's noise), so the
# scoring loop's other candidates also vary the delivery: each cue group's guidance by up to
# exp(+-this), within the loop's strength band (conditioning.prosody.DeliveryVariation).
SCORING_DELIVERY_VARIATION = 0.5
CONVERT_INTENSITY_BOUNDS = (0.25, 2.0)   # and voice conversion's intensity


def read_speech(audio: AudioInput) -> tuple[np.ndarray, int]:
    """A path (any rate, mono or stereo: stereo is downmixed) or (samples, rate)."""
    if isinstance(audio, tuple):
        samples, rate = audio
        samples = np.asarray(samples)
        return (samples.mean(axis=1) if samples.ndim == 2 else samples), rate
    return load_audio(audio, max_duration_s=MAX_AUDIO_S)


class SpokenCandidate(NamedTuple):
    """One speech candidate of the scoring loop: the speech, the SER's reading, and the delivery
    variation it was made with (what its recipe needs besides seed and guidance)."""
    speech: Speech
    recognized: SpeechEmotion | None
    delivery_variation: DeliveryVariation | None = None


def _variation_setting(variation: DeliveryVariation | None) -> dict | None:
    return variation.to_dict() if variation is not None else None


@dataclass(frozen=True)
class SpeakResult:
    """What `Studio.speak` made: the speech (audio, rate, phone times, F0), the resolved
    emotion, what the speech emotion recognizer hears in it, judged against the same voice's
    neutral speech (None when the audio is too short to judge), and the settings that
    reproduce it."""
    speech: Speech
    emotion: EmotionSource
    recognized: SpeechEmotion | None
    settings: dict[str, Any]
    scoring: Scored | None = None       # best_of / calibrate: every candidate, and which was kept
    provenance: ProvenanceRecord | None = None   # what made it; its payload is watermarked into the audio

    @property
    def audio(self) -> np.ndarray:
        return self.speech.audio

    @property
    def sample_rate(self) -> int:
        return self.speech.sample_rate

    @property
    def phones(self) -> tuple[tuple[str, float, float], ...]:
        return self.speech.phones

    @property
    def target(self) -> EmotionTarget:
        """The resolved emotion (a timeline's first keyframe)."""
        return self.emotion.first

    def recipe(self) -> dict[str, Any]:
        """JSON-ready: the settings, the resolved emotion, the timings and the recognizer's
        scores; the batch manifest's lines and the studio's downloads are this."""
        recognized = self.recognized.target if self.recognized else None
        return {**self.settings, "resolved": self.emotion.to_dict(),
                "duration_s": round(self.speech.duration_s, 3),
                "natural_duration_s": round(self.speech.natural_duration_s, 3), "sample_rate": self.sample_rate,
                "recognized": recognized.to_dict() if recognized else None,
                "recognized_category": recognized.category if recognized else None,
                # How far the recognizer trusts its own reading (issue 34): unreliable ones are to be ignored.
                "recognized_confidence": round(self.recognized.confidence, 3) if self.recognized else None,
                "recognized_reliable": self.recognized.reliable if self.recognized else None,
                "phones": [[symbol, round(start, 3), round(end, 3)] for symbol, start, end in self.phones],
                **({"scoring": self.scoring.to_dict()} if self.scoring else {})}

    def choose(self, index: int) -> "SpeakResult":
        """Another of the scored candidates (a person overruling the loop), finished as `Studio.speak`
        finishes the one it keeps: its own seed, guidance and delivery variation in the settings,
        its own watermark and record (with the voice's consent), at the asked loudness."""
        candidate = _picked(self.scoring, index)
        own = _candidate_settings(candidate.seed, candidate.strength, candidate.result.delivery_variation)
        return _spoken_result(candidate.result, self.emotion, {**self.settings, **own},
                              dataclasses.replace(self.scoring, kept=index))

    def write_wav(self, path: str | Path) -> Path:
        """Writes the audio as 16-bit WAV (or FLAC, by the suffix), atomically, with its
        provenance record inside and beside it."""
        return write_audio(path, self.audio, self.sample_rate, self.provenance)


@dataclass(frozen=True)
class AnimateResult:
    """What `Studio.animate` made: the animation (video path, motion, landmarks, the FER of
    the rendered frames, scoring), the resolved emotion, and the settings that reproduce it.
    Unpacks as (animation, emotion), as the bare pair it replaces did."""
    animation: Animation
    emotion: EmotionSource
    settings: dict[str, Any]
    provenance: ProvenanceRecord | None = None   # the record inside and beside the video

    def __iter__(self):
        return iter((self.animation, self.emotion))

    def recipe(self) -> dict[str, Any]:
        """JSON-ready: the settings (the kept candidate's seed and steps), the resolved emotion,
        the timings and the FER's reading; the batch manifest's lines and the studio's downloads
        are this."""
        animation, recognized = self.animation, self.animation.recognized
        return {**self.settings, "video": str(animation.video), "seed": animation.options.seed,
                "steps": animation.options.steps, "resolved": self.emotion.to_dict(), "frames": animation.frames,
                "duration_s": round(animation.duration_s, 3),
                "recognized": recognized.target.to_dict() if recognized else None,
                "recognized_category": recognized.category if recognized else None,
                "recognized_check": recognized.check() if recognized else None,
                **({"scoring": animation.scoring.to_dict()} if animation.scoring else {})}


def _portrait_as_given(portrait: FaceSource) -> str:
    """How a recipe names the face: "default", "cartoon", a photo's path, or "upload" (pixels)."""
    if portrait is None:
        return "default"
    if isinstance(portrait, (str, Path)):
        return str(portrait)
    return "upload" if isinstance(portrait, np.ndarray) else "cartoon"


# Neutral sentences a voice's reference is spoken from (none of them in the corpus).
REFERENCE_SENTENCES = ("The train leaves from the second platform just after noon.",
                       "Please write your name and the date at the top of each page.")


@functools.lru_cache(maxsize=64)
def neutral_reference(synthesizer: Synthesizer | EngineSynthesizer, recognizer: SpeechEmotionRecognizer, voice: str,
                      rate: float = 1.0,
                      pitch_shift: float = 0.0) -> SpeakerReference | None:
    """The voice's own neutral speech (as configured: same rate and pitch shift), encoded as the
    recognizer's speaker reference, so speech is judged against its speaker's resting voice as
    the recognizer was trained to; None when the recognizer takes no reference. Cached per
    model pair, so each voice is spoken neutrally once."""
    if not recognizer.takes_speaker_reference:
        return None
    spoken = [synthesizer.speak(text, parse_emotion("neutral"), voice, rate=rate, pitch_shift=pitch_shift)
              for text in REFERENCE_SENTENCES]
    return recognizer.speaker_reference([speech.audio for speech in spoken], spoken[0].sample_rate)


def _recognize(speech: Speech, recognizer: SpeechEmotionRecognizer,
               reference: SpeakerReference | None = None) -> SpeechEmotion | None:
    """The speech emotion recognizer's reading; None for audio it cannot judge (too short)."""
    try:
        return recognizer.recognize(speech.audio, speech.sample_rate, reference=reference)
    except AudioInputError:
        return None


def _emotion_as_given(emotion) -> Any:
    """The emotion input for the recipe: strings, numbers, lists and dicts as given (they
    parse again to the same emotion), anything else (an EmotionTarget) resolved."""
    if isinstance(emotion, (str, tuple, list, dict)):
        return list(emotion) if isinstance(emotion, tuple) else emotion
    return parse_emotion(emotion).to_dict()


def _finished(audio: np.ndarray, rate: int, loudness: float | None, recipe: dict, generator: str,
              checkpoints: tuple[str, ...], consent: dict | None = None) -> tuple[np.ndarray, ProvenanceRecord]:
    """Every generated sound's last steps, in one place: the watermark and its record, then the
    loudness (None keeps the unmarked sound's level) and the true-peak ceiling. The mark is a
    relative gain on the spectrum, so it survives the one level change made after it, and the
    level it adds (up to ~1 LU) is taken out."""
    marked, record = mark(audio, rate, recipe, consent=consent, generator=generator, checkpoints=checkpoints)
    target = loudness if loudness is not None else integrated_loudness(audio, rate)
    if not np.isfinite(target):
        return limit_true_peak(marked, rate), record
    return normalize_loudness(marked, rate, target), record


def _picked(scoring: Scored | None, index: int):
    """The scored candidate a person picked instead of the kept one (every generator's pick)."""
    if scoring is None or not 0 <= index < len(scoring.candidates):
        raise ValueError(f"no candidate {index}; this result has {len(scoring.candidates) if scoring else 0}")
    return scoring.candidates[index]


def _candidate_settings(seed: int, guidance: float, variation: DeliveryVariation | None) -> dict:
    """A speech candidate's own seed, guidance and delivery variation, as its recipe records them."""
    return {"seed": int(seed), "guidance": guidance, "delivery_variation": _variation_setting(variation)}


def _spoken_result(spoken: SpokenCandidate, source: EmotionSource, settings: dict,
                   scoring: Scored | None) -> SpeakResult:
    """A speech candidate (the kept one, or one a person picked) as a result: watermarked, with
    its record (and the stored voice's consent), at the settings' loudness (`_finished`)."""
    speech, recognized, _ = spoken
    audio, record = _finished(speech.audio, speech.sample_rate, settings["loudness"], settings, "speak",
                              _checkpoints("speak", settings["decoder"]), settings.get("consent"))
    return SpeakResult(dataclasses.replace(speech, audio=audio), source, recognized, settings, scoring, record)


def _marked_once(samples: np.ndarray, rate: int, recipe: dict) -> tuple[np.ndarray, ProvenanceRecord]:
    """The audio a video will carry, watermarked unless it already is (speech the studio made),
    and the video's record."""
    from .provenance import detect, make_record

    if detect(samples, rate).watermarked:   # its own mark stays; the record claims no new one
        return samples, make_record("animate", recipe, checkpoints=_checkpoints("animate"))
    return mark(samples, rate, recipe, generator="animate", checkpoints=_checkpoints("animate"))


def _stored_voice_consent(voice: str) -> dict:
    """A voice stored from someone's clips carries their consent into the recipe (and so the
    provenance record); built-in voices add nothing."""
    from .voice_store import load_voice

    stored = load_voice(voice)
    return {"consent": stored.consent_record()} if stored is not None else {}


# The shipped models (conditioning.checkpoints.SHIPPED_MODELS) each capability needs.
CAPABILITY_MODELS: dict[str, tuple[str, ...]] = {
    "speak": (*map(shipped_tts, LEARNED_DECODERS), "ser"),   # the engine decoder speaks without a TTS model
    "convert": ("ser",),
    "animate": ("mouth_motion", "face_expression"),
}


def _checkpoints(capability: str, decoder: str | None = None) -> tuple[str, ...]:
    """The checkpoint files a result came from: a speak result's decoder (the engine's voices
    come from packages) and the SER, or all that `capability` needs."""
    names = CAPABILITY_MODELS[capability]
    if capability == "speak":
        names = ((shipped_tts(decoder),) if decoder in LEARNED_DECODERS else ()) + ("ser",)
    return tuple(shipped_model(name).checkpoint for name in names)


class Studio:
    @functools.cached_property
    def talking_head(self) -> TalkingHeadPipeline:
        return TalkingHeadPipeline.shipped()

    def voices(self) -> tuple[Voice, ...]:
        """The voices this machine can speak with (default first), each with its description
        (gender, age range, accent, engine) and a sample clip; see synth/voices.py."""
        return installed_voices()

    def default_steps(self) -> dict[str, int]:
        """The sampling steps each generator takes when given none: every speak decoder's
        ("engine" does not sample; it shows the flow decoder's) and the mouth model's ("mouth")."""
        from .face.mouth_generator import DEFAULT_STEPS as MOUTH_STEPS
        from .tts.diffusion_decoder import DiffusionDecoder
        from .tts.flow_decoder import FlowMatchingDecoder

        return {"engine": FlowMatchingDecoder.default_steps, "flow": FlowMatchingDecoder.default_steps,
                "diffusion": DiffusionDecoder.default_steps, "mouth": MOUTH_STEPS}

    def missing_models(self, capability: str) -> dict[str, ShippedModel]:
        """The shipped models `capability` ("speak", "convert", "animate") needs that are not on
        this machine, by name, each with the command that trains it; empty when all are."""
        if capability not in CAPABILITY_MODELS:
            raise ValueError(f"capability must be one of {', '.join(CAPABILITY_MODELS)}; got {capability!r}")
        return missing_shipped_models(CAPABILITY_MODELS[capability])

    def speak(self, text: str, emotion="neutral", voice: str | None = None, duration: float | None = None,
              decoder: str = DEFAULT_DECODER, steps: int | None = None, seed: int = 0, guidance: float = 1.0,
              rate: float = 1.0, pitch_shift: float = 0.0, scheduler: str | None = None,
              loudness: float | None = DEFAULT_LOUDNESS_LUFS, best_of: int = 1, calibrate: bool = False,
              progress: Progress | None = None, delivery_variation: DeliveryVariation | dict | None = None
              ) -> SpeakResult:
        """`text` spoken by `voice` with `emotion` (any form, or a timeline). `decoder` "engine"
        (default) speaks with the voice's own engine (default voice joe, Piper) and renders the
        emotion; "flow" or "diffusion" with a learned TTS model (default voice slt). `duration` (s)
        fixes the length (dubbing); `rate` > 1 speaks faster;
        `pitch_shift` in semitones; `guidance` > 1 exaggerates the emotion; `steps`, `seed` and
        `scheduler` ("dpm" or "ddpm", diffusion only) steer the decoder's sampling; `loudness`
        is the integrated loudness in LUFS (true peak ≤ -1 dBTP), None for the decoder's own level.
        `best_of` N > 1 makes N candidates (seeds and guidance) and keeps the one the SER reads
        closest to the emotion; `calibrate` then steps guidance until the read intensity is
        within tolerance (synth/scoring); the result's `scoring` lists every candidate.
        `delivery_variation` (engine decoder; a DeliveryVariation or its to_dict()) lets the seed
        vary the delivery: each cue group's own guidance (conditioning.prosody.DeliveryVariation);
        the loop's candidates other than the plain one vary by SCORING_DELIVERY_VARIATION within
        the loop's strength band, and the recipe records the kept one's."""
        source = parse_emotion(emotion)
        synthesizer = synthesizer_for(decoder)
        voice = voice or voice_for(synthesizer)
        recognizer = shipped_recognizer()
        reference = neutral_reference(synthesizer, recognizer, voice, rate, pitch_shift)

        plain_seed, plain_variation = int(seed), DeliveryVariation.parse(delivery_variation)
        config = ScoringConfig(best_of=best_of, calibrate=calibrate)
        candidate_variation = DeliveryVariation(SCORING_DELIVERY_VARIATION, strength_limits(
            guidance, GUIDANCE_BOUNDS, config.strength_band))

        def spoken(candidate_seed: int, candidate_guidance: float) -> SpokenCandidate:
            # The plain candidate (the call's own seed) is what one call makes; the others' seeds
            # also vary the engine's delivery, which the seed alone hardly changes.
            variation = (plain_variation if candidate_seed == plain_seed or synthesizer.decoder != ENGINE_DECODER
                         else candidate_variation)
            speech = synthesizer.speak(text, source, voice, duration_s=duration, steps=steps, seed=candidate_seed,
                                       guidance=candidate_guidance, rate=rate, pitch_shift=pitch_shift,
                                       scheduler=scheduler, delivery_variation=variation)
            # Heard at the decoder's level, as its neutral reference is: loudness is an emotion cue
            # that per-file normalisation would erase from the comparison.
            return SpokenCandidate(speech, _recognize(speech, recognizer, reference), variation)

        scoring = None
        if config.active:
            scoring = run_scoring(spoken, lambda made: speech_judgement(made[1], source, made[0].duration_s),
                                  asked_target(source), config, int(seed), guidance, GUIDANCE_BOUNDS, progress)
            kept, seed, guidance = scoring.best.result, scoring.best.seed, scoring.best.strength
        else:
            kept = spoken(seed, guidance)
        # The kept candidate's seed, guidance and delivery variation: the recipe reproduces it without the loop.
        settings = {"text": text, "voice": voice, "emotion": _emotion_as_given(emotion), "decoder": decoder,
                    "steps": steps if steps is not None else synthesizer.default_steps,
                    **_candidate_settings(seed, guidance, kept.delivery_variation),
                    "rate": rate, "pitch_shift": pitch_shift, "scheduler": scheduler, "loudness": loudness,
                    "requested_duration_s": duration, **_stored_voice_consent(voice)}
        return _spoken_result(kept, source, settings, scoring)

    def animate(self, portrait: FaceSource, audio: AudioInput, emotion="neutral", output: str | Path = "animation.mp4",
                size: int | None = 256, seed: int = 0, steps: int | None = None, largest_face: bool = False,
                frames_dir: str | Path | None = None, landmarks_json: str | Path | None = None,
                progress: Progress | None = None, best_of: int = 1, calibrate: bool = False
                ) -> AnimateResult:
        """A talking-head MP4 of `portrait` (a photo path/array, None for the default portrait,
        or a CartoonIdentity) saying `audio` with `emotion`. Returns the animation (video
        path, motion, landmarks, FER of the rendered frames), the resolved emotion and the
        settings, with `.recipe()`; it unpacks as (animation, emotion).
        `best_of` N > 1 keeps the best of N candidates (seeds and expression intensity) by the
        FER; `calibrate` steps the intensity until the FER reads it within tolerance; the
        animation's `scoring` lists every candidate (their videos in a temporary folder)."""
        source = parse_emotion(emotion)
        options = AnimateOptions(size=size, seed=seed, largest_face=largest_face,
                                 **({"steps": steps} if steps is not None else {}))
        samples, rate = read_speech(audio)
        recipe = {"audio": "samples" if isinstance(audio, tuple) else str(audio),
                  "emotion": _emotion_as_given(emotion), "size": size, "seed": int(seed), "steps": steps}
        samples, record = _marked_once(samples, rate, recipe)
        config = ScoringConfig(best_of=best_of, calibrate=calibrate)
        if config.active:
            from .scoring.faces import scored_animation

            animation = scored_animation(self.talking_head, portrait, samples, rate, source, Path(output), options,
                                         config, Path(frames_dir) if frames_dir else None,
                                         Path(landmarks_json) if landmarks_json else None, progress)
        else:
            animation = self.talking_head.animate(portrait, samples, rate, source, Path(output), options,
                                                  Path(frames_dir) if frames_dir else None,
                                                  Path(landmarks_json) if landmarks_json else None, progress)
        write_record(animation.video, record)
        settings = {"portrait": _portrait_as_given(portrait), **recipe, "largest_face": largest_face}
        return AnimateResult(animation, source, settings, record)

    def choose_animation(self, result: AnimateResult, index: int, output: str | Path) -> AnimateResult:
        """Another of `result`'s scored candidate videos (a person overruling the loop), copied to
        `output` and finished as `animate` finishes the one it keeps: the same marked speech (every
        candidate was rendered with it) and the same provenance record, inside and beside the video.
        The record is the call's, as the kept video's is (the speech was marked with it before the
        loop); the result's recipe gives the candidate's own seed."""
        from .scoring.faces import copy_atomically

        scoring = result.animation.scoring
        candidate = _picked(scoring, index).result
        if result.provenance is None:
            raise ValueError("this animation carries no provenance record to give its candidates")
        output = Path(output)
        copy_atomically(candidate.video, output)
        write_record(output, result.provenance)
        animation = dataclasses.replace(candidate, video=output, scoring=dataclasses.replace(scoring, kept=index))
        return dataclasses.replace(result, animation=animation)

    @functools.cached_property
    def converter(self) -> VoiceConverter:
        return VoiceConverter()

    def convert(self, audio: AudioInput, emotion="neutral", intensity: float = 1.0, source_emotion=None,
                seed: int = 0, loudness: float | None = None, decoder: str = DEFAULT_PLANNER, steps: int | None = None,
                best_of: int = 1, calibrate: bool = False, progress: Progress | None = None,
                consent: str | None = None) -> ConversionResult:
        """`audio` (a path or (samples, rate); mono or stereo, 8-48 kHz, up to 10 minutes) with
        the same words and voice in `emotion` (any form, or a timeline in the input's seconds).
        The change is relative to the source's own emotion, read by the SER unless
        `source_emotion` gives it; `intensity` scales it (0 returns the input exactly, up to 2).
        The output keeps the input's integrated loudness unless `loudness` (LUFS) is given; the
        SER hears it before, at the converter's level, where loudness still carries emotion.
        `best_of` N > 1 keeps the best of N conversions (seeds and intensities) by the SER;
        `calibrate` steps the intensity until the SER reads it within tolerance. `decoder`: what
        plans the change: "prior" (the literature's prosody prior, default) or the learned
        planner's "diffusion" or "flow" decoder, with `steps` sampling steps. `consent`: the speaker's
        consent to the conversion, in words; it goes into the provenance record."""
        if isinstance(audio, tuple):
            samples, rate = audio
        else:
            samples, rate = load_audio(audio, max_duration_s=MAX_CONVERT_S)
        target = parse_emotion(emotion)
        converter = (self.converter if decoder == DEFAULT_PLANNER and steps is None
                     else self.converter.with_planner(planner_for(decoder, steps)))

        def converted(candidate_seed: int, candidate_intensity: float) -> ConversionResult:
            return converter.convert(samples, rate, target, intensity=candidate_intensity,
                                     source_emotion=source_emotion, seed=candidate_seed)

        config = ScoringConfig(best_of=best_of, calibrate=calibrate)
        if config.active and intensity > 0:   # intensity 0 is the input itself: nothing to choose
            scoring = run_scoring(converted, lambda made: speech_judgement(made.recognized, target, made.duration_s),
                                  asked_target(target), config, int(seed), intensity, CONVERT_INTENSITY_BOUNDS,
                                  progress)
            result = dataclasses.replace(scoring.best.result, scoring=scoring)
        else:
            result = converted(seed, intensity)
        settings = {**result.settings, "emotion": _emotion_as_given(emotion), "loudness": loudness,
                    "decoder": decoder, "steps": steps,
                    "source_emotion": source_emotion if source_emotion is None else _emotion_as_given(source_emotion)}
        if result.applied.get("bypassed"):   # the input itself, unchanged: nothing was generated to mark
            return dataclasses.replace(result, settings=settings)
        level = loudness if loudness is not None else integrated_loudness(check_source_audio(samples, rate)[0], rate)
        given_consent = None if consent is None else {"statement": consent, "subject": "the converted recording"}
        marked, record = _finished(result.audio, rate, level, settings, "convert", _checkpoints("convert"),
                                   given_consent)
        return dataclasses.replace(result, audio=marked, settings=settings, provenance=record)

    def choose_conversion(self, result: ConversionResult, index: int) -> ConversionResult:
        """Another of `result`'s scored candidates (a person overruling the loop), finished as
        `convert` finishes the one it keeps: the candidate's seed and intensity in the settings,
        its own watermark and record (with the kept one's consent), and the kept one's level
        (the asked loudness, else the input's, which the kept one was brought to)."""
        scoring = result.scoring
        candidate = _picked(scoring, index).result
        settings = {**result.settings, **candidate.settings}   # the candidate's own intensity, seed and planner
        level = settings.get("loudness")
        if level is None:
            level = integrated_loudness(result.audio, result.sample_rate)
        consent = result.provenance.consent if result.provenance is not None else None
        marked, record = _finished(candidate.audio, candidate.sample_rate, level, settings, "convert",
                                   _checkpoints("convert"), consent)
        return dataclasses.replace(candidate, audio=marked, settings=settings, provenance=record,
                                   scoring=dataclasses.replace(scoring, kept=index))

    def dub(self, script, output: str | Path = "dialogue.wav", voices: str | Path | None = None,
            progress=None, **options):
        """`script` (an .srt/.vtt/.csv/.jsonl file, or a synth.dub.DubScript) spoken cue by cue,
        each fitted to its slot, into one track `output` (.wav or .flac), with the cue files,
        manifest.jsonl and the achieved SRT beside it; `voices` maps speakers to voices (TOML);
        `options` are synth.dub.DubOptions' fields (voice, emotion, sample_rate, natural,
        loudness, background, video, ...). A rerun keeps the cues already rendered."""
        from .dub import DubOptions, dub_script

        return dub_script(self, script, output, DubOptions(**options), voices, progress)
