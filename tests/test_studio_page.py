"""The studio page's pure parts: download names, a readable category mix, plots that hold a
target at the edge of the space, the emotion string shown once, voices described."""

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from conditioning import parse_emotion
from synth.voices import installed_voices
from ui.emotion_control import summary_markdown, summary_plot
from ui.plots import marker_area, valence_arousal_plot
from ui.results import download_stem, readable_mix
from ui.voice_picker import about_voice, sample_of, voice_choices

TEXT = "Hello there! How are you?"


@pytest.mark.parametrize("emotion, stem", [
    ("happy:0.8", "hello-there-how-are-you_happy-0.8"),
    ("sad:0.70", "hello-there-how-are-you_sad-0.7"),
    ("calm", "hello-there-how-are-you_calm"),
    ("0s calm; 1.5s fearful:0.6; 3s angry:0.9 | smooth", "hello-there-how-are-you_calm-to-angry"),
])
def test_downloads_are_named_after_the_text_and_the_emotion(emotion, stem):
    assert download_stem(TEXT, emotion) == stem


def test_long_emotion_forms_are_named_by_what_they_resolve_to():
    target = parse_emotion("a quietly furious voice")
    assert download_stem(TEXT, "a quietly furious voice") == f"hello-there-how-are-you_{target.category}-" \
                                                              f"{target.intensity:.1f}"
    emotionml = download_stem(TEXT, '<emotionml xmlns="http://www.w3.org/2009/10/emotionml" version="1.0">'
                                    '<emotion category-set="http://www.w3.org/TR/emotion-voc/xml#big6">'
                                    '<category name="sadness"/><intensity value="0.9"/></emotion></emotionml>')
    assert emotionml == "hello-there-how-are-you_sad-0.9"


def test_the_category_mix_hides_what_would_show_as_zero_percent():
    mix = readable_mix({"happy": 0.7, "surprised": 0.26, "calm": 0.036, "sad": 0.004, "angry": 0.0})
    assert list(mix) == ["happy", "surprised", "calm"]
    assert sum(mix.values()) == pytest.approx(0.996)
    full = parse_emotion("a slightly nervous whisper").category_dict()
    assert 0 < len(readable_mix(full)) <= len(full) and min(readable_mix(full).values()) >= 0.005


def _marker_inside_axes(figure, valence: float, arousal: float, intensity: float) -> bool:
    """Whether the whole target marker at (valence, arousal) lies inside the plot's axes."""
    FigureCanvasAgg(figure).draw()
    axes = figure.axes[0]
    x, y = axes.transData.transform((valence, arousal))
    radius = marker_area(intensity) ** 0.5 / 2 * figure.dpi / 72   # points² -> pixels
    box = axes.bbox
    return box.x0 <= x - radius and x + radius <= box.x1 and box.y0 <= y - radius and y + radius <= box.y1


@pytest.mark.parametrize("valence, arousal", [(0.99, 0.3), (-1.0, 1.0), (1.0, -1.0)])
def test_a_target_at_the_edge_of_the_space_is_not_clipped(valence, arousal):
    emotion = f"v={valence} a={arousal} d=0"
    source = parse_emotion(emotion)
    for figure in (valence_arousal_plot(source), summary_plot(emotion)):
        assert _marker_inside_axes(figure, *source.vad[:2], intensity=1.0)


def test_the_summary_does_not_repeat_the_emotion_string():
    for emotion in ("happy:0.80", "0s calm; 1.5s fearful:0.6; 3s furious | smooth"):
        assert emotion not in summary_markdown(emotion)


def test_the_voice_picker_describes_every_installed_voice():
    voices = installed_voices()
    assert voice_choices() == [(voice.label, voice.name) for voice in voices]
    for voice in voices:
        assert about_voice(voice.name).startswith(f"**{voice.name}**: {voice.description}. Built from ")
        assert sample_of(voice.name) == str(voice.sample)
    assert about_voice("nobody") == "" and sample_of("nobody") is None
