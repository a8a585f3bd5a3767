"""The emotion explorer tab: any input form -> the resolved target, shown every way."""

from __future__ import annotations

import gradio as gr

from conditioning import EmotionInputError, parse_emotion, to_emotionml
from conditioning.describe import summarize
from ui.emotion_control import emotion_control
from ui.plots import valence_arousal_plot
from ui.results import readable_mix

EXAMPLES = (
    "angry:0.4",
    "0.7 happy + 0.3 surprised",
    "a slightly nervous whisper",
    "speaker has a high pitch and a normal pitch variation and is loud and emotion is angry",
    "not angry at all",
    "v=0.6 a=-0.4 d=0.2",
    "0s calm; 1.5s fearful:0.6; 3s furious | smooth",
)


def explain(emotion) -> dict:
    """Everything the explorer shows about one emotion input, as plain values."""
    source = parse_emotion(emotion)
    return {"source": source, "target": source.first, "summary": summarize(source),
            "emotionml": to_emotionml(source)}


def _render(emotion):
    """The API's view: a bad emotion is an error naming the problem."""
    try:
        view = explain(emotion)
    except EmotionInputError as error:
        raise gr.Error(str(error)) from None
    target = view["target"]
    heading = f"### {view['summary']['description']}\nnearest words: {', '.join(view['summary']['nearest_words'])}"
    return (heading, valence_arousal_plot(view["source"]), readable_mix(target.category_dict()),
            round(target.intensity, 3), view["emotionml"], view["summary"])


def _render_live(emotion):
    """The page's view while someone edits: a bad emotion leaves the last good one shown,
    since the control's summary already says what is wrong (no error pop-up per keystroke)."""
    try:
        return _render(emotion)
    except gr.Error:
        return (gr.update(),) * 6


def build_explorer_tab() -> None:
    """Adds the explorer's components and events to the current Blocks."""
    gr.Markdown("Set an emotion in any form; the studio resolves it to one point in its emotion "
                "space, the same one every generator is driven by.", elem_classes=["tab-intro"])
    with gr.Row():
        with gr.Column(scale=1):
            control = emotion_control("explorer-emotion", initial="a slightly nervous whisper", show_plot=False)
            control.examples(EXAMPLES)
        with gr.Column(scale=1):
            first = _render(control.value.value)
            heading = gr.Markdown(first[0], elem_id="explorer-heading")
            plot = gr.Plot(first[1], label="Valence-arousal plane", elem_id="explorer-plot")
            categories = gr.Label(first[2], label="Category mix", elem_id="explorer-mix")
            level = gr.Number(first[3], label="Intensity", precision=3)
    with gr.Accordion("EmotionML and details", open=False):
        emotionml = gr.Code(first[4], language="html", label="As EmotionML")
        details = gr.JSON(first[5], label="Target, nearest words, prosody prior")

    outputs = [heading, plot, categories, level, emotionml, details]
    control.value.change(_render_live, control.value, outputs, api_name=False, show_progress="hidden",
                         trigger_mode="always_last")
    # Pressing Enter in the emotion box resolves explicitly; this is also the API endpoint.
    control.value.submit(_render, control.value, outputs, api_name="resolve_emotion")
