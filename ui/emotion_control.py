"""The one emotion control every tab uses: pick a category, click the valence-arousal plane,
describe it, paste EmotionML or lay out a timeline. Whatever was used last becomes one emotion
string (`EmotionControl.value`) that every handler takes, so handlers stay `parse_emotion`
callers and the API takes the same strings the control makes.

The functions that turn inputs into that string are plain Python, tested on their own
(tests/test_emotion_control.py); the Gradio wiring only routes values to them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import gradio as gr
import numpy as np
from PIL import Image, ImageDraw

from conditioning import CATEGORIES, EmotionInputError, parse_emotion, parse_emotion_with_warnings, to_emotionml
from conditioning.describe import describe
from conditioning.parsers.labels import single_label
from conditioning.parsers.timeline_syntax import looks_like_timeline, timeline_text_parts
from conditioning.parsers.vad import looks_like_vad, vad_numbers
from conditioning.timeline import INTERPOLATIONS, EmotionTimeline
from ui.plots import plane_background, valence_arousal_plot

CATEGORY, PLANE, DESCRIPTION, EMOTIONML, TIMELINE = "category", "plane", "description", "emotionml", "timeline"
INPUT_TABS = (CATEGORY, PLANE, DESCRIPTION, EMOTIONML, TIMELINE)
PLANE_PIXELS = 320
TIMELINE_HEADERS = ["time_s", "emotion"]
# The field values each input tab composes its emotion string from (see `compose`).
TAB_FIELDS = {CATEGORY: ("category", "intensity"), PLANE: ("valence", "arousal", "dominance"),
              DESCRIPTION: ("description",), EMOTIONML: ("emotionml",), TIMELINE: ("rows", "interpolation")}
# What each input starts with when the initial emotion does not fill it.
DEFAULTS = {
    "category": "happy", "intensity": 0.8, "valence": 0.5, "arousal": 0.3, "dominance": 0.0,
    "description": "a slightly nervous whisper",
    "emotionml": to_emotionml(parse_emotion("surprised:0.6")),
    "rows": [[0.0, "calm"], [1.5, "fearful:0.6"], [3.0, "furious"]], "interpolation": "smooth",
}


# --- inputs -> the emotion string -------------------------------------------------------

def from_category(category: str, intensity: float) -> str:
    """`happy:0.80`."""
    if category not in CATEGORIES:
        raise EmotionInputError(f"pick one of the categories {', '.join(CATEGORIES)}; got {category!r}")
    level = _number("intensity", intensity)
    if not 0.0 <= level <= 1.0:
        raise EmotionInputError(f"intensity must be between 0 and 1; got {level:g}")
    return f"{category}:{level:.2f}"


def from_vad(valence: float, arousal: float, dominance: float) -> str:
    """`v=0.60 a=-0.40 d=0.20`, each value clipped to the space's [-1, 1]."""
    values = [float(np.clip(_number(name, value), -1.0, 1.0))
              for name, value in (("valence", valence), ("arousal", arousal), ("dominance", dominance))]
    return "v={:.2f} a={:.2f} d={:.2f}".format(*values)


def plane_point(x: float, y: float, width: int, height: int) -> tuple[float, float]:
    """(valence, arousal) at pixel (x, y) of the plane picture, whose edges are -1 and +1;
    pixel centres are sampled, and picture rows grow downwards while arousal grows upwards."""
    if width <= 0 or height <= 0:
        raise EmotionInputError("the plane picture has no size")
    valence = 2.0 * (x + 0.5) / width - 1.0
    arousal = 1.0 - 2.0 * (y + 0.5) / height
    return round(float(np.clip(valence, -1, 1)), 2), round(float(np.clip(arousal, -1, 1)), 2)


def plane_pixel(valence: float, arousal: float, width: int, height: int) -> tuple[int, int]:
    """The pixel of the plane picture showing (valence, arousal): `plane_point` inverted."""
    x = (valence + 1.0) / 2.0 * width - 0.5
    y = (1.0 - arousal) / 2.0 * height - 0.5
    return int(round(np.clip(x, 0, width - 1))), int(round(np.clip(y, 0, height - 1)))


def from_plane_click(x: float, y: float, width: int, height: int, dominance: float) -> str:
    return from_vad(*plane_point(x, y, width, height), dominance)


def from_text(text: str | None, what: str = "description") -> str:
    """Free text or an EmotionML document, as typed; empty is an error that says what to do."""
    if text is None or not str(text).strip():
        raise EmotionInputError(f"the {what} is empty: type one, or use another input")
    return str(text).strip()


def from_timeline(rows: Sequence[Sequence[Any]] | None, interpolation: str) -> str:
    """Table rows (time in seconds, emotion in any static form) -> `0s calm; 1.5s fearful:0.6 | smooth`.
    Blank rows are skipped, so a table with spare rows still reads."""
    if interpolation not in INTERPOLATIONS:
        raise EmotionInputError(f"interpolation must be one of {', '.join(INTERPOLATIONS)}; got {interpolation!r}")
    keyframes = [_keyframe_text(number, row) for number, row in enumerate(_filled_rows(rows), start=1)]
    if not keyframes:
        raise EmotionInputError("the timeline is empty: add a row with a time and an emotion")
    return "; ".join(keyframes) + f" | {interpolation}"


def _filled_rows(rows) -> list[list[Any]]:
    if rows is None:
        return []
    if hasattr(rows, "values") and hasattr(rows, "columns"):   # a pandas DataFrame
        rows = rows.values.tolist()
    return [list(row) + [None] * (2 - len(row)) for row in rows
            if any(cell is not None and str(cell).strip() for cell in list(row)[:2])]


def _keyframe_text(number: int, row: list[Any]) -> str:
    time, emotion = row[0], row[1]
    if time is None or not str(time).strip():
        raise EmotionInputError(f"timeline row {number} has no time")
    try:
        seconds = float(time)
    except (TypeError, ValueError):
        raise EmotionInputError(f"timeline row {number}: time {time!r} is not a number of seconds") from None
    if not math.isfinite(seconds) or seconds < 0:
        raise EmotionInputError(f"timeline row {number}: time must be 0 s or later; got {time!r}")
    if emotion is None or not str(emotion).strip():
        raise EmotionInputError(f"timeline row {number} has no emotion")
    emotion = str(emotion).strip()
    # `;` separates keyframes and `|` starts the interpolation in the timeline syntax.
    if ";" in emotion or "|" in emotion:
        raise EmotionInputError(f"timeline row {number}: an emotion cannot contain ';' or '|'")
    return f"{_seconds_text(seconds)}s {emotion}"


def _seconds_text(seconds: float) -> str:
    """1.5 -> '1.5', 2.0 -> '2': never exponent notation, which the timeline syntax refuses."""
    return f"{seconds:.3f}".rstrip("0").rstrip(".")


def _number(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise EmotionInputError(f"{name} {value!r} is not a number") from None
    if not math.isfinite(number):
        raise EmotionInputError(f"{name} must be a finite number; got {value!r}")
    return number


def compose(tab: str, fields: dict) -> str:
    """The emotion string of one input tab from that tab's field values."""
    if tab == CATEGORY:
        return from_category(fields["category"], fields["intensity"])
    if tab == PLANE:
        return from_vad(fields["valence"], fields["arousal"], fields["dominance"])
    if tab == DESCRIPTION:
        return from_text(fields["description"])
    if tab == EMOTIONML:
        return from_text(fields["emotionml"], "EmotionML document")
    if tab == TIMELINE:
        return from_timeline(fields["rows"], fields["interpolation"])
    raise ValueError(f"unknown emotion input tab {tab!r}")


# --- an emotion string -> the input that shows it (examples fill the form) -------------

def route_example(text: str) -> tuple[str, dict]:
    """Which input tab shows `text` best, and that tab's field values: `happy:0.8` sets the
    category, VAD (`v=.. a=.. d=..`) the plane, a timeline the table, `<emotionml ..>` the
    EmotionML box; anything else is free text. Each form is recognised by the parsers' own
    grammar (conditioning/parsers/), so the control reads text as parse_emotion does."""
    stripped = text.strip()
    if stripped.startswith("<"):
        return EMOTIONML, {"emotionml": stripped}
    # Only a core category with an explicit intensity belongs to the category input; any
    # other label form (bare words, mixtures) is free text and keeps its meaning.
    label = single_label(stripped)
    if label and label[0].lower() in CATEGORIES and label[1] is not None and 0.0 <= label[1] <= 1.0:
        return CATEGORY, {"category": label[0].lower(), "intensity": label[1]}
    if looks_like_vad(stripped):
        values = vad_numbers(stripped)
        if all(math.isfinite(v) for v in values):
            valence, arousal, dominance = (values + [0.0])[:3]
            return PLANE, {"valence": valence, "arousal": arousal, "dominance": dominance}
    if looks_like_timeline(stripped):
        try:
            rows, interpolation = timeline_rows(stripped)
        except EmotionInputError:   # a mistyped timeline: the summary shows the parser's reason
            rows = []
        if rows:
            return TIMELINE, {"rows": rows, "interpolation": interpolation}
    return DESCRIPTION, {"description": stripped}


def timeline_rows(text: str) -> tuple[list[list[Any]], str]:
    """`0s calm; 1500ms fearful | smooth` -> ([[0.0, 'calm'], [1.5, 'fearful']], 'smooth'), read
    by the timeline parser's grammar; a part that is not a keyframe is its error, naming it."""
    keyframes, interpolation = timeline_text_parts(text)
    return [[seconds, emotion] for seconds, emotion in keyframes], interpolation


# --- the resolved emotion, shown -------------------------------------------------------

def summary_markdown(emotion: str) -> str:
    """What `emotion` resolves to, in words and numbers; a bad one says what is wrong."""
    try:
        parsed = parse_emotion_with_warnings(emotion)
    except EmotionInputError as error:
        return problem_markdown(str(error))
    source, warnings = parsed.source, parsed.warnings
    target = source.first
    lines = [f"**{target.category}**, intensity **{target.intensity:.2f}**: {describe(target)}",
             f"valence {target.valence:+.2f} · arousal {target.arousal:+.2f} · dominance {target.dominance:+.2f}"]
    if isinstance(source, EmotionTimeline):
        steps = " → ".join(f"{k.time:g} s {k.target.category} {k.target.intensity:.2f}" for k in source.keyframes[:8])
        more = f" → … ({len(source.keyframes)} keyframes)" if len(source.keyframes) > 8 else ""
        lines.append(f"timeline ({source.interpolation}): {steps}{more}")
    # A reading the parser doubts (e.g. a description with no emotion or voice word) says so.
    lines += [f"**Note:** {warning}" for warning in warnings]
    # The emotion string itself is shown once, in the box above the summary.
    return "\n\n".join(lines)


def problem_markdown(message: str) -> str:
    return f"**Cannot use this emotion:** {message}"


def summary_plot(emotion: str):
    """A small valence-arousal plot of `emotion`, or nothing when it does not resolve."""
    try:
        source = parse_emotion(emotion)
    except EmotionInputError:
        return None
    return valence_arousal_plot(source, title="", size=3.2)


def plane_picture(valence: float, arousal: float) -> np.ndarray:
    """The plane with the picked point marked."""
    picture = Image.fromarray(plane_background(PLANE_PIXELS))
    x, y = plane_pixel(valence, arousal, PLANE_PIXELS, PLANE_PIXELS)
    draw = ImageDraw.Draw(picture)
    draw.ellipse((x - 7, y - 7, x + 7, y + 7), fill="#d9480f", outline="black", width=2)
    return np.asarray(picture)


# --- the Gradio component ----------------------------------------------------------------

@dataclass
class EmotionControl:
    """The control's components; handlers take `value`, the resolved emotion string."""
    value: gr.Textbox
    summary: gr.Markdown
    plot: gr.Plot | None
    tabs: gr.Tabs
    category: gr.Dropdown
    intensity: gr.Slider
    plane: gr.Image
    point: gr.State
    dominance: gr.Slider
    description: gr.Textbox
    emotionml: gr.Code
    timeline: gr.Dataframe
    interpolation: gr.Radio

    def examples(self, samples: Sequence[str], label: str = "Examples (click one)") -> gr.Dataset:
        """Example emotions; clicking one fills the input that shows it and selects its tab."""
        dataset = gr.Dataset(components=["textbox"], samples=[[s] for s in samples],
                             label=label, elem_id=f"{self.value.elem_id}-examples")
        dataset.click(self.filled, dataset, self.fill_outputs(), api_name=False)
        return dataset

    def fill_outputs(self) -> list:
        """What `filled` updates, in its order: a whole-form example (gr.Examples) routes its
        emotion through `filled` into these."""
        return [self.tabs, self.category, self.intensity, self.plane, self.point, self.dominance,
                self.description, self.emotionml, self.timeline, self.interpolation, self.value, self.summary]

    @staticmethod
    def filled(sample):
        """Updates for `fill_outputs`: the emotion `sample` shown in the input that suits it."""
        text = sample[0] if isinstance(sample, (list, tuple)) else sample
        tab, fields = route_example(str(text))
        keep = gr.update()
        point = (fields["valence"], fields["arousal"]) if tab == PLANE else None
        try:
            emotion, summary = compose(tab, fields), keep
        except EmotionInputError as error:
            emotion, summary = "", problem_markdown(str(error))
        return (gr.Tabs(selected=tab),
                fields.get("category", keep), fields.get("intensity", keep),
                plane_picture(*point) if point else keep, point if point else keep,
                fields.get("dominance", keep), fields.get("description", keep), fields.get("emotionml", keep),
                fields.get("rows", keep), fields.get("interpolation", keep), emotion, summary)


def _fields_of(tab: str, initial_tab: str, initial: dict) -> dict:
    """The starting values of one tab's inputs: the initial emotion's where it routes there."""
    source = initial if tab == initial_tab else {}
    return {name: source.get(name, DEFAULTS[name]) for name in TAB_FIELDS[tab]}


def emotion_control(elem_prefix: str, label_prefix: str = "Emotion", initial: str = "happy:0.8",
                    show_plot: bool = True) -> EmotionControl:
    """Builds the control inside the current Blocks context. `elem_prefix` makes the element
    ids unique on the page (e.g. `explorer-emotion-summary`); `initial` is any emotion string,
    shown in the input that suits it."""
    initial_tab, initial_fields = route_example(initial)
    start = {tab: _fields_of(tab, initial_tab, initial_fields) for tab in INPUT_TABS}
    start_value = compose(initial_tab, start[initial_tab])
    with gr.Group(elem_id=f"{elem_prefix}-control"):
        with gr.Tabs(selected=initial_tab, elem_id=f"{elem_prefix}-tabs") as tabs:
            category_tab, category, intensity = _category_tab(elem_prefix, label_prefix, start[CATEGORY])
            plane_tab, plane, point, dominance = _plane_tab(elem_prefix, start[PLANE])
            description_tab, description = _description_tab(elem_prefix, label_prefix, start[DESCRIPTION])
            emotionml_tab, emotionml = _emotionml_tab(elem_prefix, start[EMOTIONML])
            timeline_tab, timeline, interpolation = _timeline_tab(elem_prefix, start[TIMELINE])
        value = gr.Textbox(value=start_value, label=f"{label_prefix} the generators get (editable: any form)",
                           elem_id=f"{elem_prefix}-value")
        with gr.Row(equal_height=False):
            summary = gr.Markdown(summary_markdown(start_value), elem_id=f"{elem_prefix}-summary")
            plot = gr.Plot(summary_plot(start_value), show_label=False, elem_id=f"{elem_prefix}-plot") \
                if show_plot else None
    control = EmotionControl(value, summary, plot, tabs, category, intensity, plane, point, dominance,
                             description, emotionml, timeline, interpolation)
    _wire(control, {CATEGORY: category_tab, PLANE: plane_tab, DESCRIPTION: description_tab,
                    EMOTIONML: emotionml_tab, TIMELINE: timeline_tab})
    return control


def _category_tab(prefix: str, label_prefix: str, fields: dict):
    with gr.Tab("Category", id=CATEGORY, elem_id=f"{prefix}-tab-category") as tab:
        category = gr.Dropdown(list(CATEGORIES), value=fields["category"], label=f"{label_prefix} category",
                               elem_id=f"{prefix}-category")
        intensity = gr.Slider(0, 1, value=fields["intensity"], step=0.05, label="Intensity",
                              elem_id=f"{prefix}-intensity")
    return tab, category, intensity


def _plane_tab(prefix: str, fields: dict):
    picked = (fields["valence"], fields["arousal"])
    with gr.Tab("Valence–arousal", id=PLANE, elem_id=f"{prefix}-tab-plane") as tab:
        gr.Markdown("Click the plane: left–right is valence (unpleasant → pleasant), "
                    "down–up is arousal (calm → excited).")
        plane = gr.Image(plane_picture(*picked), show_label=False, interactive=False, height=PLANE_PIXELS,
                         width=PLANE_PIXELS, format="png", buttons=[], elem_id=f"{prefix}-plane")
        point = gr.State(picked)
        dominance = gr.Slider(-1, 1, value=fields["dominance"], step=0.05,
                              label="Dominance (submissive ← → in control)", elem_id=f"{prefix}-dominance")
    return tab, plane, point, dominance


def _description_tab(prefix: str, label_prefix: str, fields: dict):
    with gr.Tab("Description", id=DESCRIPTION, elem_id=f"{prefix}-tab-description") as tab:
        description = gr.Textbox(value=fields["description"], lines=2, elem_id=f"{prefix}-description",
                                 label=f"{label_prefix} in words (or any form: happy:0.8, "
                                       "0.7 happy + 0.3 surprised, v=0.6 a=0.2)")
    return tab, description


def _emotionml_tab(prefix: str, fields: dict):
    with gr.Tab("EmotionML", id=EMOTIONML, elem_id=f"{prefix}-tab-emotionml") as tab:
        emotionml = gr.Code(value=fields["emotionml"], language="html", label="W3C EmotionML document",
                            elem_id=f"{prefix}-emotionml")
    return tab, emotionml


def _timeline_tab(prefix: str, fields: dict):
    with gr.Tab("Timeline", id=TIMELINE, elem_id=f"{prefix}-tab-timeline") as tab:
        timeline = gr.Dataframe(value=fields["rows"], headers=TIMELINE_HEADERS, datatype=["number", "str"],
                                type="array", interactive=True, elem_id=f"{prefix}-timeline",
                                label="Keyframes: time in seconds, emotion in any form (a cell's ⋮ menu adds rows)")
        interpolation = gr.Radio(list(INTERPOLATIONS), value=fields["interpolation"], label="Between keyframes",
                                 elem_id=f"{prefix}-interpolation")
    return tab, timeline, interpolation


def _composer(tab: str):
    """An event handler: one tab's inputs -> (value, summary). A bad input empties the value,
    so no handler runs on a stale emotion, and the summary says what is wrong."""
    # The plane's valence and arousal arrive together, as the picked point kept in a gr.State.
    names = ("point", "dominance") if tab == PLANE else TAB_FIELDS[tab]

    def handler(*inputs):
        fields = dict(zip(names, inputs))
        if tab == PLANE:
            (fields["valence"], fields["arousal"]) = fields.pop("point")
        try:
            return compose(tab, fields), gr.update()
        except EmotionInputError as error:
            return "", problem_markdown(str(error))
    return handler


def _pick_on_plane(dominance: float, event: gr.SelectData):
    x, y = event.index
    valence, arousal = plane_point(x, y, PLANE_PIXELS, PLANE_PIXELS)
    return plane_picture(valence, arousal), (valence, arousal), from_vad(valence, arousal, dominance)


def _show(emotion: str):
    """The summary (and plot) of the current value; an empty value keeps the message that
    the input which emptied it wrote."""
    if not emotion:
        return gr.update(), gr.update()
    return summary_markdown(emotion), summary_plot(emotion)


def _wire(control: EmotionControl, tab_blocks: dict) -> None:
    inputs = {CATEGORY: [control.category, control.intensity], PLANE: [control.point, control.dominance],
              DESCRIPTION: [control.description], EMOTIONML: [control.emotionml],
              TIMELINE: [control.timeline, control.interpolation]}
    outputs = [control.value, control.summary]
    for tab, components in inputs.items():
        handler = _composer(tab)
        # Editing an input makes its tab's emotion the current one; so does opening the tab.
        triggers = [c.change for c in components if not isinstance(c, gr.State)] + [tab_blocks[tab].select]
        gr.on(triggers, handler, components, outputs, api_name=False, show_progress="hidden",
              trigger_mode="always_last", queue=False)
    control.plane.select(_pick_on_plane, control.dominance, [control.plane, control.point, control.value],
                         api_name=False, show_progress="hidden")
    shown = [control.summary, control.plot] if control.plot is not None else [control.summary]
    show = _show if control.plot is not None else (lambda emotion: _show(emotion)[0])
    control.value.change(show, control.value, shown, api_name=False, show_progress="hidden",
                         trigger_mode="always_last")
