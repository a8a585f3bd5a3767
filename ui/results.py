"""What every generating tab (Speak, Animate) shares: the one Studio, the notice naming
missing models, the target-vs-recognized plot, and the session's history of results with
their downloads."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import gradio as gr

from conditioning import EmotionTarget, EmotionTimeline, parse_emotion
from conditioning.parsers.labels import single_label
from ui.plots import valence_arousal_plot

CAPTION_CHARS = 60
# Category shares a label shows as 0 % (under half a percent) only clutter the mix.
SHOWN_SHARE = 0.005


def download_stem(text: str, emotion: str) -> str:
    """`hello-there_happy-0.8`: downloads are named after the text and the emotion. A short
    label names itself; a description, EmotionML or VAD values are named by what they resolve
    to, and a timeline by its first and last emotions (`calm-to-angry`)."""
    from synth.output_names import output_stem
    source = parse_emotion(emotion)
    if isinstance(source, EmotionTimeline):
        first, last = source.first, source.last
        name = first.category if first.category == last.category else f"{first.category}-to-{last.category}"
    elif label := single_label(emotion):   # `happy`, `happy:0.8`: short enough to name a file as typed
        word, level = label
        name = f"{word}:{level:g}" if level is not None else word   # the control's `sad:0.70` names `sad-0.7`
    else:
        name = f"{source.category}:{source.intensity:.1f}"
    return output_stem(text, name)


def readable_mix(mix: dict[str, float]) -> dict[str, float]:
    """A category mix for a gr.Label: the shares that show as at least 1 %, largest first."""
    kept = {name: float(share) for name, share in mix.items() if share >= SHOWN_SHARE}
    return dict(sorted(kept.items(), key=lambda item: -item[1]))


@functools.cache
def studio():
    from synth.studio import Studio
    return Studio()


def missing_checkpoints_notice(heading: str, missing: Sequence) -> str:
    """Markdown: `heading`, then each missing shipped model (Studio.missing_models) with the
    command that makes it; empty when none is. Tabs show it as a callable, checked on every
    page load, so it goes once the models exist."""
    if not missing:
        return ""
    steps = "\n".join(f"- `checkpoints/{model.checkpoint}`: make it with `{model.made_by}`" for model in missing)
    return f"{heading}\n{steps}"


def target_vs_recognized(recipe: dict):
    """The target (a timeline's whole path) and the recognized emotion on one plane."""
    recognized = EmotionTarget.from_dict(recipe["recognized"]) if recipe.get("recognized") else None
    return valence_arousal_plot(parse_emotion(recipe["emotion"]), recognized, title="")


def caption(number: int, subject: str, recognized: dict | None, verb: str, confidence: float | None = None,
            reliable: bool = True) -> str:
    """`#3: happy:0.8 → read as happy (0.82)`: one line under a history thumbnail; a reading
    the recognizer itself doubts shows as `uncertain (happy?)`."""
    read = ""
    if recognized:
        category = EmotionTarget.from_dict(recognized).category
        heard = category if reliable else f"uncertain ({category}?)"
        read = f" → {verb} {heard}" + (f" ({confidence:.2f})" if confidence is not None else "")
    subject = " ".join(subject.split())
    shortened = subject[:CAPTION_CHARS] + ("…" if len(subject) > CAPTION_CHARS else "")
    return f"#{number}: {shortened}{read} · AI-generated"


@dataclass
class History:
    """A tab's session history: its results, newest first, each with its downloads."""
    state: gr.State
    note: gr.Markdown
    gallery: gr.Gallery
    picked_files: gr.File

    @property
    def outputs(self) -> list:
        """What `add_result` updates, in its order."""
        return [self.state, self.gallery, self.note, self.picked_files]


def history_view(prefix: str, noun: str) -> History:
    """The "This session's results" accordion (element ids `{prefix}-history…`); clicking a
    result shows its downloads."""
    state = gr.State([])
    with gr.Accordion("This session's results", open=True):
        note = gr.Markdown(f"No results yet: each {noun} you make in this session appears here, with its downloads.",
                           elem_id=f"{prefix}-history-empty")
        # Hidden until the first result, so an empty session shows one line, not empty boxes.
        gallery = gr.Gallery(label="Results (click one for its downloads)", columns=6, fit_columns=False, height=230,
                             object_fit="contain", allow_preview=False, visible=False, elem_id=f"{prefix}-history")
        picked_files = gr.File(label="Downloads of the picked result", file_count="multiple",
                               interactive=False, visible=False, elem_id=f"{prefix}-history-files")
    gallery.select(pick_result, state, picked_files, api_name=False)
    return History(state, note, gallery, picked_files)


def add_result(history: list[dict], thumbnail: str, files: list, caption_text: str):
    """Adds a finished result to the history and shows it; returns `History.outputs`' updates."""
    paths = [getattr(f, "path", f) for f in files]   # gr.File may give FileData objects or paths
    # Each download's provenance record (AI-generated, what made it) goes with it.
    paths += [str(record) for record in (Path(f"{path}.provenance.json") for path in paths) if record.is_file()]
    entry = {"thumbnail": thumbnail, "files": paths, "caption": caption_text}
    history = history + [entry]
    return (history, gr.Gallery(_gallery(history), visible=True), gr.Markdown(visible=False),
            gr.File(entry["files"], visible=True))


def _gallery(history: list[dict]) -> list[tuple[str, str]]:
    return [(entry["thumbnail"], entry["caption"]) for entry in reversed(history)]


def pick_result(history: list[dict], event: gr.SelectData):
    """The downloads of the result clicked in the history (shown newest first)."""
    return history[len(history) - 1 - event.index]["files"]
