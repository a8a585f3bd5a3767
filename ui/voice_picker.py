"""The voice picker every speaking tab uses: each voice by name with who it sounds like
(gender, age range, accent) and the engine it comes from, and a sample to play before
choosing."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from synth.speech import DEFAULT_ENGINE_VOICE
from synth.voices import Voice, describe_voice, installed_voices


@dataclass
class VoicePicker:
    dropdown: gr.Dropdown
    sample: gr.Audio
    about: gr.Markdown


def voice_names() -> list[str]:
    return [voice.name for voice in installed_voices()]


def default_voice(names) -> str:
    return DEFAULT_ENGINE_VOICE if DEFAULT_ENGINE_VOICE in names else list(names)[0]


def voice_choices() -> list[tuple[str, str]]:
    """(what the picker shows, the voice's name) for every installed voice, default first."""
    return [(voice.label, voice.name) for voice in installed_voices()]


def about_voice(name: str) -> str:
    """One line under the picker: the model the voice was built from."""
    try:
        voice: Voice = describe_voice(name)
    except ValueError:
        return ""
    return f"**{voice.name}**: {voice.description}. Built from {voice.model}."


def sample_of(name: str):
    """The voice's sample clip (a path), or None when it has none."""
    try:
        sample = describe_voice(name).sample
    except ValueError:
        return None
    return str(sample) if sample else None


def voice_picker(prefix: str) -> VoicePicker:
    """The picker (element ids `{prefix}-voice`, `{prefix}-voice-sample`, `{prefix}-voice-about`)."""
    names = voice_names()
    start = default_voice(names)
    with gr.Row(equal_height=False):
        dropdown = gr.Dropdown(voice_choices(), value=start, label="Voice", scale=3, elem_id=f"{prefix}-voice")
        sample = gr.Audio(sample_of(start), label="Hear this voice", type="filepath", interactive=False,
                          buttons=[], scale=2, min_width=200, elem_id=f"{prefix}-voice-sample",
                          waveform_options=gr.WaveformOptions(show_recording_waveform=False))
    about = gr.Markdown(about_voice(start), elem_id=f"{prefix}-voice-about", elem_classes=["voice-about"])
    dropdown.change(lambda name: (sample_of(name), about_voice(name)), dropdown, [sample, about],
                    api_name=False, queue=False, show_progress="hidden")
    return VoicePicker(dropdown, sample, about)
