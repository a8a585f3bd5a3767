"""The emotion explorer tab: any input form -> the resolved target, shown every way."""

from __future__ import annotations

import gradio as gr

from conditioning import EmotionInputError, parse_emotion, to_emotionml, vocabulary
from conditioning.describe import first_target, summarize
from ui.plots import valence_arousal_plot

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
    return {"source": source, "target": first_target(source), "summary": summarize(source),
            "emotionml": to_emotionml(source)}


def _render(emotion):
    try:
        view = explain(emotion)
    except EmotionInputError as error:
        raise gr.Error(str(error)) from None
    target = view["target"]
    heading = f"### {view['summary']['description']}\nnearest words: {', '.join(view['summary']['nearest_words'])}"
    return (heading, valence_arousal_plot(view["source"]), target.category_dict(),
            round(target.intensity, 3), view["emotionml"], view["summary"])


def _from_label(word, intensity):
    return f"{word}:{intensity:.2f}"


def _from_vad(valence, arousal, dominance):
    return f"v={valence:.2f} a={arousal:.2f} d={dominance:.2f}"


def build_explorer_tab(app: gr.Blocks) -> None:
    """Adds the explorer's components and events to `app`; the default emotion is
    resolved when the page opens, so nothing starts empty."""
    gr.Markdown("Type or pick an emotion in any form; the studio resolves it to one point "
                "in its emotion space, the same one every generator is driven by.")
    with gr.Row():
        with gr.Column(scale=1):
            with gr.Tab("Type"):
                typed = gr.Textbox(label="Emotion (label, mixture, VAD, description, timeline)",
                                   value="a slightly nervous whisper", elem_id="explorer-text")
                gr.Examples(list(EXAMPLES), inputs=typed)
                typed_button = gr.Button("Resolve", variant="primary", elem_id="explorer-resolve")
            with gr.Tab("Pick"):
                word = gr.Dropdown(sorted(e.word for e in vocabulary().entries), value="happy",
                                   label="Emotion word", elem_id="explorer-word")
                intensity = gr.Slider(0, 1, value=0.7, step=0.05, label="Intensity")
                pick_button = gr.Button("Resolve", elem_id="explorer-pick")
            with gr.Tab("Valence-arousal-dominance"):
                valence = gr.Slider(-1, 1, value=0.5, step=0.05, label="Valence")
                arousal = gr.Slider(-1, 1, value=0.3, step=0.05, label="Arousal")
                dominance = gr.Slider(-1, 1, value=0.0, step=0.05, label="Dominance")
                vad_button = gr.Button("Resolve", elem_id="explorer-vad")
            with gr.Tab("EmotionML"):
                document = gr.Code(language="html", label="EmotionML document", value=to_emotionml(
                    parse_emotion("surprised:0.6")))
                xml_button = gr.Button("Resolve", elem_id="explorer-xml")
        with gr.Column(scale=1):
            heading = gr.Markdown(elem_id="explorer-heading")
            plot = gr.Plot(label="Valence-arousal plane")
            categories = gr.Label(label="Category mix", num_top_classes=4)
            level = gr.Number(label="Intensity", precision=3)
    with gr.Accordion("EmotionML and details", open=False):
        emotionml = gr.Code(language="html", label="As EmotionML")
        details = gr.JSON(label="Target, nearest words, prosody prior")

    outputs = [heading, plot, categories, level, emotionml, details]
    typed_button.click(_render, typed, outputs, api_name="resolve_emotion")
    typed.submit(_render, typed, outputs, api_name=False)
    app.load(_render, typed, outputs, api_name=False)
    pick_button.click(_from_label, [word, intensity], typed, api_name=False).then(
        _render, typed, outputs, api_name=False)
    vad_button.click(_from_vad, [valence, arousal, dominance], typed, api_name=False).then(
        _render, typed, outputs, api_name=False)
    xml_button.click(_render, document, outputs, api_name=False)
