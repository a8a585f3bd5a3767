"""The Animate tab: a portrait (or the default one, or the cartoon) + speech (a recording,
or text spoken by the TTS) + emotion -> a talking-head video, with what the face expression
recognizer reads in it, and the session's results to download."""

from __future__ import annotations

import functools
import io
import json
from pathlib import Path

import gradio as gr
import numpy as np
import soundfile as sf

from conditioning import EmotionInputError
from common.audio_io import AudioInputError
from common.atomic import atomic_write_bytes
from conditioning.checkpoints import MissingCheckpointError
from synth.face.cartoon import DEFAULT, CartoonIdentity
from synth.face.portrait import default_portrait_path
from synth.settings import ANIMATE_FIELDS
from ui.emotion_control import emotion_control
from ui.results import (add_result, caption, download_stem, history_view, missing_checkpoints_notice, readable_mix,
                        studio, target_vs_recognized)
from ui.scoring import candidate_rows, checked_pick, scoring_controls
from ui.scratch import discard, new_run_folder
from ui.speak import spoken
from ui.voice_picker import default_voice, voice_choices, voice_names

# Whole-form examples, one per capability: (what it shows, cartoon?, text to speak, voice, emotion).
EXAMPLES = (
    ("The default portrait, happy", False, "Hello there! It is so good to see you again.", "joe", "happy:0.8"),
    ("A timeline: calm, surprised, then sad", False,
     "Wait, what? You sold the house? I thought we would live there forever.", "joe",
     "0s calm; 1.5s surprised:0.9; 3s sad:0.6 | smooth"),
    ("The cartoon avatar, described in words", True, "Please sit down. We need to talk about what you did.", "awb",
     "a quietly furious voice"),
    ("Valence, arousal and dominance", True, "I do not like this place. Can we please go home now?", "slt_hts",
     "v=-0.6 a=0.7 d=-0.3"),
)
SIZES = {"256 px": 256, "512 px": 512, "portrait's own framing": None}
# Sessions whose running animation should stop. Gradio's cancel only stops waiting for a
# handler that runs in a thread; the handler polls this at each progress report, so a
# cancelled long video frees its worker within 25 frames instead of rendering to the end.
_CANCELLED: set[str] = set()


class AnimationCancelled(Exception):
    """Raised inside the pipeline's progress report when the user pressed Cancel."""


def missing_models_notice() -> str:
    """Markdown naming each talking-head checkpoint that is absent and the command that makes
    it; empty when all are there."""
    return missing_checkpoints_notice("**The talking-head models are missing**, so Animate cannot run yet:",
                                      list(studio().missing_models("animate").values()))


@functools.cache
def _default_portrait_pixels() -> np.ndarray:
    from PIL import Image
    with Image.open(default_portrait_path()) as image:
        return np.asarray(image.convert("RGB"))


def _is_default_portrait(portrait: np.ndarray | None) -> bool:
    """The form starts with the default portrait shown, so it arrives as pixels; the
    recipe should still say "default", which anyone can reproduce, not "upload"."""
    if portrait is None:
        return True
    default = _default_portrait_pixels()
    return portrait.shape == default.shape and np.array_equal(portrait, default)


def _face(portrait: np.ndarray | None, cartoon: bool, cartoon_seed: int):
    if cartoon:
        return DEFAULT if not cartoon_seed else CartoonIdentity.random(np.random.default_rng(int(cartoon_seed)))
    return None if _is_default_portrait(portrait) else portrait   # None: the default portrait


def _save_speech_wav(audio_path: str, destination: Path) -> None:
    """The speech as WAV beside the video, so a result's downloads are complete on their own."""
    if Path(audio_path) == destination:   # spoken by the TTS: already there
        return
    samples, rate = sf.read(audio_path, dtype="float32")
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format="WAV", subtype="PCM_16")
    atomic_write_bytes(destination, buffer.getvalue())


def _reporter(progress: gr.Progress, session: str | None):
    """The pipeline's progress callback: shows progress, and stops the work once cancelled."""
    def report(share: float, message: str) -> None:
        if session in _CANCELLED:
            raise AnimationCancelled(message)
        progress(share, desc=message)
    return report


def request_cancel(request: gr.Request):
    """Stops this session's running animation; the Cancel button goes, as there is nothing to cancel."""
    _CANCELLED.add(request.session_hash)
    return gr.Button(visible=False)


def _cancel_shown(shown: bool):
    return gr.Button(visible=shown)


def _studio_animate(face, audio_path, emotion, output: Path, size, seed, steps, report, best_of=1, calibrate=False):
    """Studio.animate with every failure turned into a message naming the problem."""
    try:
        return studio().animate(face, audio_path, emotion, output, size=SIZES[size], seed=int(seed),
                                 steps=int(steps), progress=report, best_of=int(best_of), calibrate=bool(calibrate))
    except AnimationCancelled:
        raise gr.Error("Animation cancelled.") from None
    except MissingCheckpointError as error:
        raise gr.Error(f"The talking-head models are missing: {error}") from None
    except (EmotionInputError, AudioInputError, ValueError) as error:
        raise gr.Error(str(error)) from None


def _speech_to_animate(audio_path, speak_text, speak_voice, emotion, seed, destination: Path, progress):
    """The audio to animate: the text spoken with the emotion when text is given (written to
    `destination`; then also its TTS settings for the recipe), else the uploaded or recorded speech."""
    if not (speak_text or "").strip():
        return audio_path, None
    progress(0.0, desc="speaking the text")
    result = spoken(speak_text, emotion, speak_voice, seed=int(seed))
    wav = result.write_wav(destination)
    settings = result.settings
    return str(wav), {name: settings[name] for name in ("text", "voice", "decoder", "steps", "seed")}


def animate(portrait, cartoon, cartoon_seed, audio_path, speak_text, speak_voice, emotion, size, seed, steps,
            best_of=1, calibrate=False, progress=gr.Progress(), request: gr.Request = None):
    """Gradio handler; every failure becomes a message naming the problem."""
    if not audio_path and not (speak_text or "").strip():
        raise gr.Error("Upload or record speech first (WAV/FLAC/OGG, up to 10 minutes), or type text to speak.")
    if not (emotion or "").strip():
        raise gr.Error("The emotion is empty or unusable: the emotion control's summary says what to fix.")
    session = request.session_hash if request is not None else None
    _CANCELLED.discard(session)   # a Cancel pressed before this run does not stop it
    folder = new_run_folder("animate")
    # Named after the words (typed, or the recording's file name) and the emotion.
    stem = _download_stem(audio_path, speak_text, emotion)
    speech_path = folder / f"{stem}.wav"
    try:
        audio_path, spoken_with = _speech_to_animate(audio_path, speak_text, speak_voice, emotion, seed, speech_path,
                                                     progress)
        result = _studio_animate(_face(portrait, cartoon, cartoon_seed), audio_path, emotion, folder / f"{stem}.mp4",
                                 size, seed, steps, _reporter(progress, session), best_of, calibrate)
    except BaseException:
        discard(folder)
        raise
    animation = result.animation
    # The studio's recipe, as the CLI writes it, plus what only this form knows.
    recipe = {**result.recipe(), "cartoon_seed": int(cartoon_seed) if cartoon else None, "spoken": spoken_with}
    recipe_path = folder / f"{stem}.json"
    atomic_write_bytes(recipe_path, json.dumps(recipe, indent=2).encode())
    _save_speech_wav(audio_path, speech_path)
    recognized = readable_mix(animation.recognized.category_dict()) if animation.recognized else {}
    return (str(animation.video), recognized, recipe, [str(animation.video), str(speech_path), str(recipe_path)],
            candidate_rows(recipe.get("scoring")), result)


def use_candidate(result, index):
    """Gradio handler: another of the last run's candidate videos, shown and downloadable,
    carrying its provenance as the kept one does (Studio.choose_animation)."""
    chosen = checked_pick(result.animation.scoring if result else None, index)
    folder = new_run_folder("animate")
    try:
        picked = studio().choose_animation(result, chosen, folder / f"candidate_{chosen}.mp4")
    except ValueError as error:
        discard(folder)
        raise gr.Error(str(error)) from None
    except BaseException:
        discard(folder)
        raise
    animation = picked.animation
    recognized = readable_mix(animation.recognized.category_dict()) if animation.recognized else {}
    return str(animation.video), recognized, [str(animation.video)], candidate_rows(animation.scoring.to_dict())


def _download_stem(audio_path, speak_text, emotion) -> str:
    words = speak_text if (speak_text or "").strip() else Path(audio_path).stem
    try:
        return download_stem(words, emotion)
    except EmotionInputError as error:
        raise gr.Error(str(error)) from None


def _save_poster(video: Path, destination: Path) -> None:
    """The video's middle frame as PNG: the history's thumbnail (a still loads at once and
    looks the same in every browser, where a video thumbnail may show a half-decoded frame)."""
    import imageio_ffmpeg
    from PIL import Image

    reader = imageio_ffmpeg.read_frames(str(video))
    width, height = next(reader)["size"]
    frames = list(reader)
    middle = np.frombuffer(frames[len(frames) // 2], np.uint8).reshape(height, width, 3)
    buffer = io.BytesIO()
    Image.fromarray(middle).save(buffer, format="PNG")
    atomic_write_bytes(destination, buffer.getvalue())


def record_result(history: list[dict], recipe: dict, files: list):
    """Adds a finished animation to the session's history (its middle frame as the
    thumbnail) and draws target vs recognized."""
    paths = [getattr(f, "path", f) for f in files]   # gr.File may give FileData objects or paths
    poster = new_run_folder("poster") / "poster.png"
    _save_poster(Path(paths[0]), poster)
    added = add_result(history, str(poster), paths,
                       caption(len(history) + 1, recipe["emotion"], recipe.get("recognized"), "read as",
                               reliable=(recipe.get("recognized_check") or {}).get("reliable", True)))
    return (*added, target_vs_recognized(recipe))


def build_animate_tab() -> None:
    gr.Markdown("Animate a portrait with speech and an emotion: keep the default portrait, upload one, or tick "
                "*cartoon* for the built-in avatar; upload or record the speech, or type text to speak.",
                elem_classes=["tab-intro"])
    gr.Markdown(missing_models_notice, elem_id="animate-models-notice")
    with gr.Row(equal_height=False):
        with gr.Column(scale=5):
            with gr.Row(equal_height=True):
                with gr.Column(min_width=200):
                    portrait = gr.Image(label="Portrait (one face; JPEG/PNG/WebP, up to 50 megapixels)",
                                        type="numpy", sources=["upload"], value=str(default_portrait_path()),
                                        height=230, elem_id="animate-portrait")
                    cartoon = gr.Checkbox(label="Cartoon avatar instead", value=False, elem_id="animate-cartoon")
                with gr.Column(min_width=200):
                    speech_tabs, audio, speak_text, speak_voice = _speech_inputs()
            with gr.Row():
                button = gr.Button("Animate", variant="primary", scale=3, elem_id="animate-run")
                # Shown only while an animation runs: there is nothing to cancel before.
                cancel = gr.Button("Cancel", variant="stop", visible=False, scale=1, elem_id="animate-cancel")
            video = gr.Video(label="Talking head", elem_id="animate-video")
            files = gr.File(label="Downloads: MP4, speech WAV, JSON recipe", file_count="multiple",
                            interactive=False, height=150, elem_id="animate-files")
        with gr.Column(scale=6):
            control = emotion_control("animate-emotion", initial="happy:0.8")
            with gr.Accordion("Video size, seed, steps and cartoon identity", open=False):
                with gr.Row():
                    size = gr.Radio(list(SIZES), value="256 px", label="Video size")
                    seed = gr.Number(label="Seed", value=0, precision=0)
                with gr.Row():
                    steps = gr.Slider(*ANIMATE_FIELDS["steps"].limits, value=studio().default_steps()["mouth"], step=1,
                                      label="Mouth-model steps")
                    cartoon_seed = gr.Number(label="Cartoon identity (0: default)", value=0, precision=0)
            scoring = scoring_controls("animate", "the face expression recognizer")
            recognized = gr.Label(label="Expression the face recognizer reads", num_top_classes=3,
                                  elem_id="animate-recognized")
            comparison = gr.Plot(label="Target vs recognized, on the valence-arousal plane",
                                 elem_id="animate-comparison")
    _examples(cartoon, speak_text, speak_voice, control, speech_tabs)
    with gr.Accordion("How it was made (JSON)", open=False):
        recipe = gr.JSON(label="Recipe")
    history = history_view("animate", "video")
    made = gr.State(None)      # the last run's result, whose other candidates a person may pick

    started = button.click(_cancel_shown, gr.State(True), cancel, api_name=False, queue=False,
                           show_progress="hidden")
    run = started.then(animate, [portrait, cartoon, cartoon_seed, audio, speak_text, speak_voice, control.value,
                                 size, seed, steps, scoring.best_of, scoring.calibrate],
                       [video, recognized, recipe, files, scoring.table, made], api_name="animate")
    scoring.use.click(use_candidate, [made, scoring.pick], [video, recognized, files, scoring.table], api_name=False)
    run.then(_cancel_shown, gr.State(False), cancel, api_name=False, queue=False, show_progress="hidden")
    run.success(record_result, [history.state, recipe, files], [*history.outputs, comparison], api_name=False)
    # Cancelling drops a queued request, stops waiting for a running one, and stops its work.
    cancel.click(request_cancel, None, cancel, cancels=[run], api_name=False, queue=False)


def _speech_inputs() -> tuple[gr.Tabs, gr.Audio, gr.Textbox, gr.Dropdown]:
    """The speech to animate: a recording, or text the TTS says with the tab's emotion. Both sit
    in one slot (tabs), so opening either moves nothing on the page: the Animate button stays put."""
    with gr.Tabs(selected="recording", elem_id="animate-speech-tabs") as tabs:
        with gr.Tab("Recording", id="recording"):
            audio = gr.Audio(label="Speech (WAV/FLAC/OGG, up to 10 minutes)", type="filepath",
                             sources=["upload", "microphone"], elem_id="animate-audio")
        with gr.Tab("…or text to speak", id="text"):
            text = gr.Textbox(label="Text (when filled, it is spoken with the emotion and used instead of the "
                                    "recording; Ctrl+Enter animates)", lines=3, max_length=1000,
                              elem_id="animate-speak-text")
            voice = gr.Dropdown(voice_choices(), value=default_voice(voice_names()), label="Voice",
                                elem_id="animate-speak-voice")
    return tabs, audio, text, voice


def _examples(cartoon, speak_text, speak_voice, control, speech_tabs) -> gr.Examples:
    """One click fills the form with an example of one capability, and shows the text to speak."""
    names = voice_names()
    rows = [[is_cartoon, text, voice if voice in names else default_voice(names), emotion]
            for _, is_cartoon, text, voice, emotion in EXAMPLES]

    def fill(_cartoon, _text, _voice, emotion):
        return (*control.filled(emotion), gr.Tabs(selected="text"))

    return gr.Examples(rows, [cartoon, speak_text, speak_voice, control.value], [*control.fill_outputs(), speech_tabs],
                       fn=fill, run_on_click=True, cache_examples=False,
                       example_labels=[label for label, *_ in EXAMPLES],
                       label="Examples: each shows one thing the studio does (click to fill the form)",
                       elem_id="animate-examples", api_name=False)
