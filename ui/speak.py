"""The Speak tab: text + voice + emotion -> emotional speech, with its pitch contour and
spectrogram, what the speech emotion recognizer hears in it, and the session's results to
download."""

from __future__ import annotations

import json

import gradio as gr

from conditioning import EmotionInputError
from conditioning.audio import AudioInputError
from conditioning.checkpoints import MissingCheckpointError, atomic_write_bytes, checkpoint_path
from conditioning.ser import recognizer as ser
from synth.text.errors import TextFrontendError
from synth.tts.config import DECODERS
from synth.render.synthesizer import engine_synthesizer
from synth.speech import DEFAULT_DECODER, DEFAULT_ENGINE_VOICE, ENGINE_DECODER, SPEECH_DECODERS
from synth.tts.synthesizer import CHECKPOINT_NAMES, made_by
from ui.emotion_control import emotion_control
from ui.plots import figure_png, speech_plot
from ui.results import (add_result, caption, history_view, missing_checkpoints_notice, studio,
                        target_vs_recognized)
from ui.scratch import discard, new_run_folder

DEFAULT_TEXT = "I can't believe we finally made it here after all this time."
EMOTION_EXAMPLES = ("happy:0.8", "sad:0.7", "a quietly furious voice",
                    "0s calm; 1.5s fearful:0.6; 3s angry:0.9 | smooth", "v=0.6 a=0.7 d=0.3")


def missing_models_notice() -> str:
    """Markdown naming each absent speech checkpoint and the command that trains it."""
    decoders = [(CHECKPOINT_NAMES[decoder], made_by(decoder)) for decoder in DECODERS]
    untrained = not any(checkpoint_path(name).exists() for name, _ in decoders)
    heading = ("**The learned text-to-speech models are not trained yet**; the engine decoder still speaks:"
               if untrained else "**A speech model is missing**; what needs it cannot run until it is trained:")
    return missing_checkpoints_notice(heading, decoders + [(ser.CHECKPOINT_NAME, ser.MADE_BY)])


def default_voice(voices) -> str:
    return DEFAULT_ENGINE_VOICE if DEFAULT_ENGINE_VOICE in voices else voices[0]


def voice_choices() -> list[str]:
    """The engine's voices (joe first); the learned decoders speak the trained ones among them."""
    return list(engine_synthesizer().voices)


def default_steps() -> dict[str, int]:
    """Each decoder's own number of sampling steps: the steps slider follows the decoder."""
    from synth.tts.diffusion_decoder import DiffusionDecoder
    from synth.tts.flow_decoder import FlowMatchingDecoder
    # The engine does not sample; its slider position is ignored.
    return {ENGINE_DECODER: FlowMatchingDecoder.default_steps, "flow": FlowMatchingDecoder.default_steps,
            "diffusion": DiffusionDecoder.default_steps}


def spoken(text: str, emotion: str, voice: str, **settings):
    """Studio.speak with every failure turned into a message naming the problem (the
    Animate tab's "speak it" uses it too)."""
    if not (text or "").strip():
        raise gr.Error("Type the text to speak first (up to 1000 characters).")
    if not (emotion or "").strip():
        raise gr.Error("The emotion is empty or unusable: the emotion control's summary says what to fix.")
    try:
        return studio().speak(text, emotion, voice, **settings)
    except MissingCheckpointError as error:
        raise gr.Error(f"The text-to-speech model is missing (not trained yet): {error}") from None
    except (EmotionInputError, TextFrontendError, AudioInputError, ValueError) as error:
        raise gr.Error(str(error)) from None


def _duration(value) -> float | None:
    """The duration box: 0 (or empty) is the text's natural length."""
    return float(value) if value else None


def speak(text, voice, emotion, decoder, steps, seed, duration, rate, pitch, guidance, progress=gr.Progress()):
    """Gradio handler: the speech, its plot, what the recognizer hears, the recipe and the
    downloads (WAV, JSON); and the plot as PNG for the history's thumbnail."""
    progress(0.1, desc="speaking")
    result = spoken(text, emotion, voice, duration=_duration(duration), decoder=decoder, steps=int(steps),
                    seed=int(seed), rate=float(rate), pitch_shift=float(pitch), guidance=float(guidance))
    progress(0.9, desc="drawing")
    folder = new_run_folder("speak")
    try:
        recipe = result.recipe()
        wav, recipe_path, thumbnail = folder / "speech.wav", folder / "speech.json", folder / "contour.png"
        result.write_wav(wav)
        atomic_write_bytes(recipe_path, json.dumps(recipe, indent=2, ensure_ascii=False).encode())
        speech = result.speech
        figure = speech_plot(speech.audio, speech.sample_rate, speech.log_f0, speech.frame_period_s, speech.phones)
        atomic_write_bytes(thumbnail, figure_png(figure))
    except BaseException:
        discard(folder)
        raise
    heard = result.recognized.target.category_dict() if result.recognized else {}
    return str(wav), figure, heard, recipe, [str(wav), str(recipe_path)], str(thumbnail)


def record_result(history: list[dict], recipe: dict, files: list, thumbnail: str):
    """Adds finished speech to the session's history and draws target vs recognized."""
    subject = f"“{recipe['text']}” · {recipe['emotion']}"
    added = add_result(history, thumbnail, files, caption(len(history) + 1, subject, recipe["recognized"], "heard as"))
    return (*added, target_vs_recognized(recipe))


def build_speak_tab() -> None:
    gr.Markdown("Type what to say, pick a voice and set the emotion in any form (a timeline changes it as the "
                "sentence goes). The speech emotion recognizer then says what it hears.")
    gr.Markdown(missing_models_notice, elem_id="speak-models-notice")
    voices = voice_choices()
    steps_of = default_steps()
    with gr.Row():
        with gr.Column():
            text = gr.Textbox(DEFAULT_TEXT, label="Text (up to 1000 characters)", lines=3, max_length=1000,
                              elem_id="speak-text")
            voice = gr.Dropdown(voices, value=default_voice(voices), label="Voice", elem_id="speak-voice")
            control = emotion_control("speak-emotion", initial="happy:0.8")
            control.examples(EMOTION_EXAMPLES)
            with gr.Row():
                duration = gr.Number(0, label="Duration in s (0: natural length)", minimum=0, elem_id="speak-duration")
                rate = gr.Slider(0.5, 2.0, value=1.0, step=0.05, label="Speaking rate", elem_id="speak-rate")
                pitch = gr.Slider(-12, 12, value=0, step=0.5, label="Pitch shift (semitones)", elem_id="speak-pitch")
            with gr.Accordion("Sampling", open=False):
                with gr.Row():
                    decoder = gr.Radio(list(SPEECH_DECODERS), value=DEFAULT_DECODER, label="Decoder", elem_id="speak-decoder")
                    steps = gr.Slider(1, 100, value=steps_of["flow"], step=1, label="Steps", elem_id="speak-steps")
                with gr.Row():
                    seed = gr.Number(0, label="Seed", precision=0, elem_id="speak-seed")
                    guidance = gr.Slider(0, 5, value=1.0, step=0.1, label="Emotion guidance (> 1 exaggerates)",
                                         elem_id="speak-guidance")
            button = gr.Button("Speak", variant="primary", elem_id="speak-run")
        with gr.Column():
            audio = gr.Audio(label="Speech", type="filepath", interactive=False, elem_id="speak-audio")
            contour = gr.Plot(label="Pitch contour, phones and spectrogram", elem_id="speak-contour")
            recognized = gr.Label(label="Emotion the speech recognizer hears (against the voice's neutral speech)",
                                  num_top_classes=3, elem_id="speak-recognized")
            comparison = gr.Plot(label="Target vs recognized, on the valence-arousal plane",
                                 elem_id="speak-comparison")
            files = gr.File(label="Downloads: WAV, JSON recipe", file_count="multiple", interactive=False,
                            elem_id="speak-files")
            with gr.Accordion("How it was made (JSON, with phone times)", open=False):
                recipe = gr.JSON(label="Recipe")
    history = history_view("speak", "utterance")
    thumbnail = gr.State(None)

    decoder.change(lambda name: steps_of[name], decoder, steps, api_name=False, queue=False)
    run = button.click(speak, [text, voice, control.value, decoder, steps, seed, duration, rate, pitch, guidance],
                       [audio, contour, recognized, recipe, files, thumbnail], api_name="speak")
    run.success(record_result, [history.state, recipe, files, thumbnail], [*history.outputs, comparison],
                api_name=False)
