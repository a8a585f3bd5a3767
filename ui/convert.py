"""The Convert tab: a recording (uploaded or recorded) said in another emotion, the same
words and voice; before and after side by side: audio, F0 contours, and the target beside
what the speech emotion recognizer hears on the valence-arousal plane."""

from __future__ import annotations

import json

import gradio as gr
import numpy as np
from matplotlib.figure import Figure

from conditioning import EmotionInputError, parse_emotion
from common.audio_io import AudioInputError
from common.atomic import atomic_write_bytes
from conditioning.checkpoints import MissingCheckpointError
from conditioning.target import EmotionTarget
from synth.settings import CONVERT_FIELDS
from synth.vc.learned_planner import DEFAULT_PLANNER
from ui.emotion_control import emotion_control
from ui.plots import figure_png, valence_arousal_plot
from ui.results import download_stem, readable_mix, studio
from ui.scoring import candidate_rows, checked_pick, scoring_controls
from ui.scratch import discard, new_run_folder

SOURCE_COLOUR, RESULT_COLOUR = "#888888", "#d62728"
CONTOUR_FRAME_S = 0.005


def f0_track(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """F0 in Hz every 5 ms (NaN unvoiced), by DIO + StoneMask: a DSP reading, nothing learned."""
    import pyworld

    x = np.ascontiguousarray(audio, dtype=np.float64)
    f0, t = pyworld.dio(x, sample_rate, f0_floor=60.0, f0_ceil=700.0, frame_period=CONTOUR_FRAME_S * 1000)
    f0 = pyworld.stonemask(x, f0, t, sample_rate)
    return np.where(f0 > 0, f0, np.nan)


def contours_plot(before: tuple[np.ndarray, int], after: tuple[np.ndarray, int]) -> Figure:
    """The source's and the result's F0 contours on one time axis (the result's own timing)."""
    figure = Figure(figsize=(8.0, 3.2), dpi=100)
    axes = figure.subplots()
    for (audio, rate), colour, label in ((before, SOURCE_COLOUR, "before"), (after, RESULT_COLOUR, "after")):
        f0 = f0_track(audio, rate)
        axes.plot(np.arange(f0.size) * CONTOUR_FRAME_S, f0, color=colour, lw=1.6, label=label)
    axes.set(xlabel="time (s)", ylabel="F0 (Hz)")
    axes.grid(alpha=0.3)
    axes.legend(loc="upper right", fontsize=8)
    figure.tight_layout()
    return figure


def _whole(value, name: str) -> int:
    """A form's number box as an int, or a message naming the box."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise gr.Error(f"{name} must be a whole number; got {value!r}.") from None
    if not number.is_integer():
        raise gr.Error(f"{name} must be a whole number; got {value!r}.")
    return int(number)


def converted(recording: str | None, emotion: str, intensity: float, source_emotion: str, seed: int,
              decoder: str = DEFAULT_PLANNER, best_of: int = 1, calibrate: bool = False, progress=None):
    """Studio.convert with every failure turned into a message naming the problem."""
    if not recording:
        raise gr.Error("Upload or record the speech to convert first (WAV/FLAC/OGG, up to 10 minutes).")
    if not (emotion or "").strip():
        raise gr.Error("The emotion is empty or unusable: the emotion control's summary says what to fix.")
    seed, best_of = _whole(seed, "The seed"), _whole(best_of, "Best of N")
    try:
        return studio().convert(recording, emotion, intensity=float(intensity),
                                source_emotion=(source_emotion or "").strip() or None, seed=seed,
                                decoder=decoder or DEFAULT_PLANNER, best_of=best_of, calibrate=bool(calibrate),
                                progress=progress)
    except MissingCheckpointError as error:
        raise gr.Error(f"A model the conversion needs is missing (not trained yet): {error}") from None
    except (EmotionInputError, AudioInputError, ValueError) as error:
        raise gr.Error(str(error)) from None


def convert(recording, emotion, intensity, source_emotion, seed, decoder=DEFAULT_PLANNER, best_of=1, calibrate=False,
            progress=gr.Progress()):
    """Gradio handler: the result's audio, the contours, what the recognizer hears in source
    and result, the plane, the recipe and the downloads; the scored candidates (best of N)
    and what a pick of another one needs (the result and the recording)."""
    progress(0.1, desc="converting")
    result = converted(recording, emotion, intensity, source_emotion, seed, decoder, best_of, calibrate,
                       progress=lambda share, message: progress(0.1 + 0.7 * share, desc=message))
    progress(0.8, desc="drawing")
    return _shown(result, recording)


def use_candidate(made, index):
    """Gradio handler: another of the last run's candidates, shown and downloadable as if made."""
    result, recording = made if made else (None, None)
    chosen = checked_pick(result.scoring if result else None, index)
    try:
        return _shown(studio().choose_conversion(result, chosen), recording)
    except ValueError as error:
        raise gr.Error(str(error)) from None


def _shown(result, recording):
    """What the tab shows of a result (see `convert`)."""
    from common.audio_io import load_audio
    from synth.vc import MAX_INPUT_S

    emotion = result.settings["emotion"]
    folder = new_run_folder("convert")
    try:
        recipe = result.recipe()
        stem = download_stem("converted", emotion)
        wav, recipe_path = folder / f"{stem}.wav", folder / f"{stem}.json"
        result.write_wav(wav)
        atomic_write_bytes(recipe_path, json.dumps(recipe, indent=2, ensure_ascii=False).encode())
        before = load_audio(recording, max_duration_s=MAX_INPUT_S)
        contours = contours_plot(before, (result.audio, result.sample_rate))
        atomic_write_bytes(folder / "contours.png", figure_png(contours))
    except BaseException:
        discard(folder)
        raise
    heard_before = readable_mix(result.source_recognized.target.category_dict()) if result.source_recognized else {}
    heard_after = readable_mix(result.recognized.target.category_dict()) if result.recognized else {}
    recognized = EmotionTarget.from_dict(recipe["recognized"]) if recipe.get("recognized") else None
    plane = valence_arousal_plot(parse_emotion(emotion), recognized, title="")
    return (str(wav), contours, heard_before, heard_after, plane, recipe, [str(wav), str(recipe_path)],
            candidate_rows(recipe.get("scoring")), (result, recording))


def build_convert_tab() -> None:
    gr.Markdown("Upload or record speech and pick an emotion: the same words in the same voice come back in that "
                "emotion, changed relative to the emotion the recording already has.", elem_classes=["tab-intro"])
    with gr.Row(equal_height=False):
        with gr.Column(scale=5):
            recording = gr.Audio(label="Speech to convert (WAV/FLAC/OGG, mono or stereo, up to 10 minutes)",
                                 sources=["upload", "microphone"], type="filepath", elem_id="convert-input")
            with gr.Row():
                intensity = gr.Slider(*CONVERT_FIELDS["intensity"].limits, value=1.0, step=0.05,
                                      label="Intensity (0 leaves it as it is)",
                                      elem_id="convert-intensity")
                seed = gr.Number(0, label="Seed", precision=0, elem_id="convert-seed")
            source_emotion = gr.Textbox("", label="The recording's own emotion (empty: the recognizer hears it)",
                                        placeholder="e.g. neutral", elem_id="convert-source-emotion")
            decoder = gr.Dropdown([("Prosody prior (literature)", "prior"), ("Learned planner, diffusion", "diffusion"),
                                   ("Learned planner, flow matching", "flow")], value=DEFAULT_PLANNER,
                                  label="What plans the change", elem_id="convert-decoder")
            button = gr.Button("Convert", variant="primary", elem_id="convert-run")
            after = gr.Audio(label="Converted", type="filepath", interactive=False, elem_id="convert-output")
            files = gr.File(label="Downloads: WAV, JSON recipe", file_count="multiple", interactive=False,
                            height=120, elem_id="convert-files")
        with gr.Column(scale=6):
            control = emotion_control("convert-emotion", initial="angry:0.8")
            scoring = scoring_controls("convert", "the speech emotion recognizer")
    contours = gr.Plot(label="F0 contours: before (grey) and after (red)", elem_id="convert-contours")
    with gr.Row(equal_height=False):
        heard_before = gr.Label(label="The recognizer hears in the recording", num_top_classes=3,
                                elem_id="convert-heard-before")
        heard_after = gr.Label(label="… and in the result (against the recording as the speaker's neutral)",
                               num_top_classes=3, elem_id="convert-heard-after")
        plane = gr.Plot(label="Target vs recognized, on the valence-arousal plane", elem_id="convert-plane")
    with gr.Accordion("How it was made (JSON)", open=False):
        recipe = gr.JSON(label="Recipe")
    made = gr.State(None)      # the last result and its recording, so a person may pick another candidate
    shown = [after, contours, heard_before, heard_after, plane, recipe, files, scoring.table, made]
    button.click(convert, [recording, control.value, intensity, source_emotion, seed, decoder, scoring.best_of,
                           scoring.calibrate], shown, api_name="convert")
    scoring.use.click(use_candidate, [made, scoring.pick], shown, api_name=False)
