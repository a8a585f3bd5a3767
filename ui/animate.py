"""The Animate tab: a portrait (or the default one, or the cartoon) + speech + emotion ->
a talking-head video, with what the face expression recognizer reads in it."""

from __future__ import annotations

import functools
import json
import tempfile
from pathlib import Path

import gradio as gr
import numpy as np

from conditioning import EmotionInputError
from conditioning.audio import AudioInputError
from conditioning.checkpoints import MissingCheckpointError, atomic_write_bytes
from conditioning.describe import first_target
from synth.face.cartoon import DEFAULT, CartoonIdentity
from synth.face.portrait import default_portrait_path

EMOTION_EXAMPLES = ("happy:0.8", "a quietly furious voice", "0s calm; 1.5s surprised:0.9; 3s sad:0.6 | smooth",
                    "v=-0.6 a=0.7 d=-0.3")
SIZES = {"256 px": 256, "512 px": 512, "portrait's own framing": None}


@functools.cache
def _studio():
    from synth.studio import Studio
    return Studio()


def _face(portrait: np.ndarray | None, cartoon: bool, cartoon_seed: int):
    if cartoon:
        return DEFAULT if not cartoon_seed else CartoonIdentity.random(np.random.default_rng(int(cartoon_seed)))
    return portrait   # None: the default portrait


def animate(portrait, cartoon, cartoon_seed, audio_path, emotion, size, seed, steps, progress=gr.Progress()):
    """Gradio handler; every failure becomes a message naming the problem."""
    if not audio_path:
        raise gr.Error("Upload or record speech first (WAV/FLAC/OGG, up to 10 minutes).")
    folder = Path(tempfile.mkdtemp(prefix="emostudio-animate-"))
    try:
        animation, source = _studio().animate(
            _face(portrait, cartoon, cartoon_seed), audio_path, emotion or "neutral", folder / "animation.mp4",
            size=SIZES[size], seed=int(seed), steps=int(steps),
            progress=lambda share, message: progress(share, desc=message))
    except MissingCheckpointError as error:
        raise gr.Error(f"The talking-head models are missing: {error}") from None
    except (EmotionInputError, AudioInputError, ValueError) as error:
        raise gr.Error(str(error)) from None
    recipe = {"portrait": "cartoon" if cartoon else ("upload" if portrait is not None else "default"),
              "cartoon_seed": int(cartoon_seed) if cartoon else None, "emotion": emotion,
              "resolved": first_target(source).to_dict(), "size": SIZES[size], "seed": int(seed), "steps": int(steps),
              "frames": animation.frames, "duration_s": round(animation.duration_s, 3),
              "recognized": animation.recognized.to_dict() if animation.recognized else None}
    recipe_path = folder / "animation.json"
    atomic_write_bytes(recipe_path, json.dumps(recipe, indent=2).encode())
    recognized = animation.recognized.category_dict() if animation.recognized else {}
    return str(animation.video), recognized, recipe, [str(animation.video), str(recipe_path)]


def build_animate_tab() -> None:
    gr.Markdown("Animate a portrait with speech and an emotion. Leave the portrait empty for the default one, "
                "or tick *cartoon* for the built-in avatar. Text-to-speech (\"speak it\") arrives with the Speak tab.")
    with gr.Row():
        with gr.Column():
            portrait = gr.Image(label="Portrait (one face; JPEG/PNG/WebP)", type="numpy", sources=["upload"],
                                value=str(default_portrait_path()), elem_id="animate-portrait")
            with gr.Row():
                cartoon = gr.Checkbox(label="Cartoon avatar instead", value=False, elem_id="animate-cartoon")
                cartoon_seed = gr.Number(label="Cartoon identity (0: default)", value=0, precision=0)
            audio = gr.Audio(label="Speech", type="filepath", sources=["upload", "microphone"], elem_id="animate-audio")
            emotion = gr.Textbox(label="Emotion (any form, or a timeline)", value="happy:0.8", elem_id="animate-emotion")
            gr.Examples(list(EMOTION_EXAMPLES), inputs=emotion)
            with gr.Row():
                size = gr.Radio(list(SIZES), value="256 px", label="Video size")
                seed = gr.Number(label="Seed", value=0, precision=0)
                steps = gr.Slider(1, 32, value=8, step=1, label="Mouth-model steps")
            button = gr.Button("Animate", variant="primary", elem_id="animate-run")
        with gr.Column():
            video = gr.Video(label="Talking head", elem_id="animate-video")
            recognized = gr.Label(label="Expression the face recognizer reads", num_top_classes=3)
            recipe = gr.JSON(label="How it was made")
            files = gr.File(label="Downloads", file_count="multiple")
    button.click(animate, [portrait, cartoon, cartoon_seed, audio, emotion, size, seed, steps],
                 [video, recognized, recipe, files], api_name="animate")
