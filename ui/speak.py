"""The Speak tab: text + voice + emotion -> emotional speech, with its pitch contour and
spectrogram, what the speech emotion recognizer hears in it, and the session's results to
download."""

from __future__ import annotations

import json

import gradio as gr

from conditioning import EmotionInputError, parse_emotion, to_emotionml
from common.audio_io import AudioInputError
from common.atomic import atomic_write_bytes
from conditioning.checkpoints import MissingCheckpointError
from synth.text.errors import TextFrontendError
from synth.settings import SPEAK_FIELDS
from synth.speech import DEFAULT_DECODER, LEARNED_DECODERS, SPEECH_DECODERS, shipped_tts
from ui.emotion_control import emotion_control
from ui.plots import figure_png, speech_plot
from ui.results import (add_result, caption, download_stem, history_view, missing_checkpoints_notice, readable_mix,
                        studio, target_vs_recognized)
from ui.scoring import candidate_rows, checked_pick, scoring_controls
from ui.scratch import discard, new_run_folder
from ui.voice_picker import default_voice, voice_names, voice_picker

DEFAULT_TEXT = "I can't believe we finally made it here after all this time."
# Whole-form examples, one per capability: (what it shows, text, voice, emotion, duration in s).
EXAMPLES = (
    ("A category at an intensity", DEFAULT_TEXT, "joe", "happy:0.8", 0),
    ("Described in words", "Fine. Do whatever you want, I am not going to stop you.", "joe",
     "a quietly furious voice", 0),
    ("A timeline: calm, then fearful, then angry",
     "Wait, did you hear that? Someone is in the house, and they are not leaving!", "joe",
     "0s calm; 1.5s fearful:0.6; 3s angry:0.9 | smooth", 0),
    ("A mixture of two emotions", "Oh my goodness, you actually came! I had no idea!", "slt_hts",
     "0.6 happy + 0.4 surprised", 0),
    ("Valence, arousal and dominance", "I suppose we could try again tomorrow, if you want.", "awb",
     "v=-0.4 a=-0.5 d=-0.2", 0),
    ("W3C EmotionML", "I kept the letter for years, but I never opened it.", "slt_hts",
     to_emotionml(parse_emotion("sad:0.7")), 0),
    ("Fitted to 3 seconds (dubbing)", "This line has to fit into exactly three seconds.", "rms", "calm:0.6", 3.0),
)


def missing_models_notice() -> str:
    """Markdown naming each absent speech checkpoint and the command that trains it."""
    missing = studio().missing_models("speak")
    untrained = all(shipped_tts(decoder) in missing for decoder in LEARNED_DECODERS)
    heading = ("**The learned text-to-speech models are not trained yet**; the engine decoder still speaks:"
               if untrained else "**A speech model is missing**; what needs it cannot run until it is trained:")
    return missing_checkpoints_notice(heading, list(missing.values()))


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


def speak(text, voice, emotion, decoder, steps, seed, duration, rate, pitch, guidance, best_of=1, calibrate=False,
          progress=gr.Progress()):
    """Gradio handler: the speech, its plot, what the recognizer hears, the recipe and the
    downloads (WAV, JSON); the plot as PNG for the history's thumbnail; the scored candidates
    (best of N) and the result, so another candidate can be picked."""
    progress(0.1, desc="speaking")
    result = spoken(text, emotion, voice, duration=_duration(duration), decoder=decoder, steps=int(steps),
                    seed=int(seed), rate=float(rate), pitch_shift=float(pitch), guidance=float(guidance),
                    best_of=int(best_of), calibrate=bool(calibrate),
                    progress=lambda share, message: progress(0.1 + 0.8 * share, desc=message))
    return _shown(result, text, emotion)


def use_candidate(result, index):
    """Gradio handler: another of the last run's candidates, shown and downloadable as if made
    (SpeakResult.choose finishes it as the kept one: its own watermark and record)."""
    chosen = checked_pick(result.scoring if result else None, index)   # before `result` is used: it may be None
    return _shown(result.choose(chosen), result.settings["text"], result.settings["emotion"])


def _shown(result, text, emotion):
    """What the tab shows of a result (see `speak`)."""
    folder = new_run_folder("speak")
    try:
        recipe = result.recipe()
        # Named after what was asked, so a folder of downloads reads like a list of takes.
        stem = download_stem(text, emotion)
        wav, recipe_path, thumbnail = folder / f"{stem}.wav", folder / f"{stem}.json", folder / "contour.png"
        result.write_wav(wav)
        atomic_write_bytes(recipe_path, json.dumps(recipe, indent=2, ensure_ascii=False).encode())
        speech = result.speech
        figure = speech_plot(speech.audio, speech.sample_rate, speech.log_f0, speech.frame_period_s, speech.phones)
        atomic_write_bytes(thumbnail, figure_png(figure))
    except BaseException:
        discard(folder)
        raise
    heard = readable_mix(result.recognized.target.category_dict()) if result.recognized else {}
    return (str(wav), figure, heard, recipe, [str(wav), str(recipe_path)], str(thumbnail),
            candidate_rows(recipe.get("scoring")), result)


def record_result(history: list[dict], recipe: dict, files: list, thumbnail: str):
    """Adds finished speech to the session's history and draws target vs recognized."""
    subject = f"“{recipe['text']}” · {recipe['emotion']}"
    added = add_result(history, thumbnail, files, caption(len(history) + 1, subject, recipe["recognized"], "heard as",
                                                          recipe.get("recognized_confidence"),
                                                          recipe.get("recognized_reliable", True)))
    return (*added, target_vs_recognized(recipe))


def build_speak_tab() -> None:
    gr.Markdown("Type what to say, pick a voice and set the emotion in any form (a timeline changes it as the "
                "sentence goes); the speech emotion recognizer then says what it hears.", elem_classes=["tab-intro"])
    gr.Markdown(missing_models_notice, elem_id="speak-models-notice")
    steps_of = studio().default_steps()   # the steps slider follows the decoder
    with gr.Row(equal_height=False):
        with gr.Column(scale=5):
            text = gr.Textbox(DEFAULT_TEXT, label="Text (up to 1000 characters; Ctrl+Enter speaks)", lines=3,
                              max_length=1000, elem_id="speak-text")
            picker = voice_picker("speak")
            button = gr.Button("Speak", variant="primary", elem_id="speak-run")
            audio = gr.Audio(label="Speech", type="filepath", interactive=False, elem_id="speak-audio")
            files = gr.File(label="Downloads: WAV, JSON recipe", file_count="multiple", interactive=False,
                            height=120, elem_id="speak-files")
        with gr.Column(scale=6):
            control = emotion_control("speak-emotion", initial="happy:0.8")
            with gr.Accordion("Length, rate and pitch", open=False):
                with gr.Row():
                    duration = gr.Number(0, label="Duration in s (0: natural length)", minimum=0,
                                         elem_id="speak-duration")
                    rate = gr.Slider(*SPEAK_FIELDS["rate"].limits, value=1.0, step=0.05, label="Speaking rate",
                                     elem_id="speak-rate")
                    pitch = gr.Slider(*SPEAK_FIELDS["pitch_shift"].limits, value=0, step=0.5,
                                      label="Pitch shift (semitones)",
                                      elem_id="speak-pitch")
            with gr.Accordion("Sampling", open=False):
                with gr.Row():
                    decoder = gr.Radio(list(SPEECH_DECODERS), value=DEFAULT_DECODER, label="Decoder",
                                       elem_id="speak-decoder")
                    steps = gr.Slider(*SPEAK_FIELDS["steps"].limits, value=steps_of["flow"], step=1, label="Steps",
                                      elem_id="speak-steps")
                with gr.Row():
                    seed = gr.Number(0, label="Seed", precision=0, elem_id="speak-seed")
                    guidance = gr.Slider(*SPEAK_FIELDS["guidance"].limits, value=1.0, step=0.1,
                                         label="Emotion guidance (> 1 exaggerates)",
                                         elem_id="speak-guidance")
            scoring = scoring_controls("speak", "the speech emotion recognizer")
    _examples(text, picker.dropdown, control, duration)
    with gr.Row(equal_height=False):
        contour = gr.Plot(label="Pitch contour, phones and spectrogram", scale=3, elem_id="speak-contour")
        with gr.Column(scale=2):
            recognized = gr.Label(label="Emotion the speech recognizer hears (against the voice's neutral speech)",
                                  num_top_classes=3, elem_id="speak-recognized")
            comparison = gr.Plot(label="Target vs recognized, on the valence-arousal plane",
                                 elem_id="speak-comparison")
    with gr.Accordion("How it was made (JSON, with phone times)", open=False):
        recipe = gr.JSON(label="Recipe")
    history = history_view("speak", "utterance")
    thumbnail = gr.State(None)
    made = gr.State(None)      # the last result, whose other candidates a person may pick

    decoder.change(lambda name: steps_of[name], decoder, steps, api_name=False, queue=False)
    shown = [audio, contour, recognized, recipe, files, thumbnail, scoring.table, made]
    run = button.click(speak, [text, picker.dropdown, control.value, decoder, steps, seed, duration, rate, pitch,
                               guidance, scoring.best_of, scoring.calibrate], shown, api_name="speak")
    scoring.use.click(use_candidate, [made, scoring.pick], shown, api_name=False)
    run.success(record_result, [history.state, recipe, files, thumbnail], [*history.outputs, comparison],
                api_name=False)


def _examples(text, voice, control, duration) -> gr.Examples:
    """One click fills the whole form with an example of one capability (the emotion goes to
    the input that shows it); voices not installed here give way to the default one."""
    names = voice_names()
    rows = [[sample_text, voice_name if voice_name in names else default_voice(names), emotion, seconds]
            for _, sample_text, voice_name, emotion, seconds in EXAMPLES]

    def fill(_text, _voice, emotion, _duration):
        return control.filled(emotion)

    return gr.Examples(rows, [text, voice, control.value, duration], control.fill_outputs(), fn=fill,
                       run_on_click=True, cache_examples=False, example_labels=[label for label, *_ in EXAMPLES],
                       label="Examples: each shows one thing the studio does (click to fill the form)",
                       elem_id="speak-examples", api_name=False)
