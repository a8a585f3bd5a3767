"""The studio end to end in headless Chromium: the page opens on Speak with each tab's main
button above the fold, voices are described and can be heard, every input of the emotion
control sets the emotion and its live summary follows, examples fill the form in one click,
Speak (by Ctrl+Enter) turns text into a valid WAV with the shipped TTS, downloads are named
after the text and the emotion, Convert turns a recording into the asked emotion (with Best
of N, its scored candidates listed and another one picked), and Animate turns speech into a
valid MP4 with the recognizer's reading, its Cancel button shown only while it runs."""

from __future__ import annotations

import io
import json
import re
import urllib.request

import pytest
import soundfile as sf

from conditioning import CATEGORIES
from synth.face.video import probe_video
from ui.app import TITLE
from synth.voices import installed_voices
from ui.scoring import CANDIDATE_COLUMNS
from ui.testing import (animate_speech, candidate_row_locator, candidates_shown, chromium_missing, click_example,
                        click_form_example, control_tab, convert_speech, headless_chromium, open_studio, open_tab,
                        served_studio, set_best_of, settled_box, speak_text, speech_wav)

pytestmark = [pytest.mark.slow, pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing()))]

EXPLORER = "explorer-emotion"
ANIMATE = "animate-emotion"
CONVERT = "convert-emotion"
SPEAK = "speak-emotion"
SUMMARY_TIMEOUT_MS = 30_000
FOLD = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def studio_url():
    # The shipped models: the Speak tab speaks with the real TTS, as a creator would hear it.
    with served_studio() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with headless_chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser, studio_url):
    page = open_studio(browser, studio_url)
    yield page
    page.close()


@pytest.fixture
def explorer(page):
    open_tab(page, "Emotion explorer")
    return page


def expect_text(locator, pattern: str) -> None:
    from playwright.sync_api import expect
    expect(locator).to_contain_text(re.compile(pattern), timeout=SUMMARY_TIMEOUT_MS)


def summary(page, prefix: str = EXPLORER):
    return page.locator(f"#{prefix}-summary")


def emotion_value(page, prefix: str = EXPLORER) -> str:
    return page.locator(f"#{prefix}-value textarea").input_value()


def test_page_opens_on_speak(page):
    assert page.title() == TITLE
    tabs = page.locator("[role=tab][id^='tab-']").evaluate_all("tabs => tabs.map(tab => tab.innerText.trim())")
    # What people come to do first, the explorer last.
    assert tabs[:2] == ["Speak", "Animate"] and tabs[-1] == "Emotion explorer"
    expect_text(page.locator("[role=tab][id^='tab-'][aria-selected=true]"), "Speak")
    expect_text(summary(page, SPEAK), r"happy, intensity 0\.80")   # starts resolved, never empty


def test_each_main_button_is_above_the_fold_at_1280x800(browser, studio_url):
    page = open_studio(browser, studio_url, **FOLD)
    try:
        tabs = page.locator("[role=tab][id^='tab-']").evaluate_all("tabs => tabs.map(tab => tab.innerText.trim())")
        for tab, button in (("Speak", "#speak-run"), ("Convert", "#convert-run"), ("Dub", "#dub-run"),
                            ("Animate", "#animate-run")):
            if tab not in tabs:
                continue
            open_tab(page, tab)
            box = settled_box(page, page.locator(button))
            assert page.evaluate("() => window.scrollY") == 0
            assert box["y"] >= 0 and box["y"] + box["height"] <= FOLD["height"], f"{tab}'s button is at {box}"
        # Filling the form (an example shows Animate's text to speak) keeps the button in view.
        click_form_example(page, "animate", "A timeline: calm, surprised, then sad")
        page.locator("#animate-speak-text textarea").wait_for(state="visible")
        page.evaluate("() => window.scrollTo(0, 0)")   # clicking the example scrolled down to it
        box = settled_box(page, page.locator("#animate-run"))
        assert box["y"] >= 0 and box["y"] + box["height"] <= FOLD["height"], f"Animate's button is at {box}"
    finally:
        page.close()


def test_cancel_shows_only_while_an_animation_runs(page, tmp_path):
    open_tab(page, "Animate")
    cancel = page.locator("#animate-cancel")
    assert page.locator("#animate-run").is_visible() and not cancel.is_visible()
    page.locator("#animate-audio input[type=file]").set_input_files(str(speech_wav(tmp_path / "hello.wav")))
    page.locator('#animate-audio [data-testid^="audio-player"]').wait_for(state="attached")
    page.locator("#animate-run").click()
    cancel.wait_for(state="visible")
    cancel.click()
    cancel.wait_for(state="hidden")
    # The page stops waiting at once (and the server stops the work at its next progress report).
    assert page.locator("#animate-video video").count() == 0 and page.locator("#animate-run").is_enabled()


def test_voices_are_described_and_can_be_heard(page):
    voices = installed_voices()
    page.locator("#speak-voice input").click()
    options = page.get_by_role("option").evaluate_all("options => options.map(option => option.innerText)")
    options = [option.replace("✓", "").strip() for option in options]   # the chosen one is ticked
    assert options == [voice.label for voice in voices]
    assert all(("male" in label or "female" in label) and "English" in label for label in options)
    if "awb" not in [voice.name for voice in voices]:
        pytest.skip("flite's awb voice is not installed")
    page.get_by_role("option", name=next(v.label for v in voices if v.name == "awb"), exact=True).click()
    expect_text(page.locator("#speak-voice-about"), r"awb.*male · adult · Scottish English · flite")
    sample = page.locator("#speak-voice-sample audio")
    page.wait_for_function("audio => audio && audio.src.includes('awb') && audio.readyState >= 1 && audio.duration > 2",
                           arg=sample.element_handle())


def test_the_emotion_string_is_shown_once(page):
    control = page.locator(f"#{SPEAK}-control").first
    assert emotion_value(page, SPEAK) == "happy:0.80"
    assert "happy:0.80" not in control.inner_text()   # not repeated in the summary (the box holds it)


def test_the_category_mix_hides_zero_rows(explorer):
    rows = explorer.locator("#explorer-mix").inner_text()
    shares = [int(share) for share in re.findall(r"(\d+)%", rows)]
    assert shares and min(shares) >= 1


def test_category_and_intensity(explorer):
    page = explorer
    control_tab(page, EXPLORER, "Category")
    page.locator(f"#{EXPLORER}-category input").click()
    page.get_by_role("option", name="angry", exact=True).click()
    intensity = page.locator(f"#{EXPLORER}-intensity input[type=number]")
    intensity.fill("0.4")
    intensity.press("Enter")
    expect_text(summary(page), r"angry, intensity 0\.40")
    assert emotion_value(page) == "angry:0.40"
    expect_text(page.locator("#explorer-heading"), "angry")   # the explorer's own view follows


def test_click_on_the_valence_arousal_plane(explorer):
    page = explorer
    control_tab(page, EXPLORER, "Valence–arousal")
    plane = page.locator(f"#{EXPLORER}-plane img")
    box = settled_box(page, plane)
    # Valence -0.5, arousal +0.5: a quarter in from the left, a quarter down from the top.
    plane.click(position={"x": 0.25 * box["width"], "y": 0.25 * box["height"]})
    expect_text(summary(page), r"valence -0\.50 · arousal \+0\.50 · dominance \+0\.00")
    dominance = page.locator(f"#{EXPLORER}-dominance input[type=number]")
    dominance.fill("0.6")
    dominance.press("Enter")
    expect_text(summary(page), r"dominance \+0\.60")
    assert emotion_value(page) == "v=-0.50 a=0.50 d=0.60"


def test_description(explorer):
    page = explorer
    control_tab(page, EXPLORER, "Description")
    page.locator(f"#{EXPLORER}-description textarea").fill("a quietly furious voice")
    expect_text(summary(page), r"angry, intensity 0\.\d\d: .*furious")


def test_emotionml(explorer):
    page = explorer
    control_tab(page, EXPLORER, "EmotionML")
    page.locator(f"#{EXPLORER}-emotionml .cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(
        '<emotionml xmlns="http://www.w3.org/2009/10/emotionml" version="1.0">'
        '<emotion category-set="http://www.w3.org/TR/emotion-voc/xml#big6">'
        '<category name="sadness"/><intensity value="0.9"/></emotion></emotionml>')
    expect_text(summary(page), r"sad, intensity 0\.90")


def edit_cell(page, row: int, column: int, text: str) -> None:
    cell = page.locator(f'#{EXPLORER}-timeline [data-testid="cell-{row}-{column}"]')
    cell.dblclick()
    editor = cell.locator("textarea")
    editor.fill(text)
    editor.press("Enter")


def test_timeline_editor(explorer):
    page = explorer
    control_tab(page, EXPLORER, "Timeline")
    expect_text(summary(page), r"timeline \(smooth\): 0 s calm")
    edit_cell(page, 2, 1, "happy:0.9")
    edit_cell(page, 2, 0, "2.5")
    page.locator(f"#{EXPLORER}-interpolation").get_by_text("step", exact=True).click()
    expect_text(summary(page), r"timeline \(step\): 0 s calm 0\.60 → 1\.5 s fearful 0\.60 → 2\.5 s happy 0\.90")
    assert emotion_value(page) == "0s calm; 1.5s fearful:0.6; 2.5s happy:0.9 | step"


def test_bad_input_is_named_in_the_summary(explorer):
    page = explorer
    control_tab(page, EXPLORER, "Timeline")
    edit_cell(page, 1, 0, "soon")
    expect_text(summary(page), r"Cannot use this emotion:.*row 2.*not a number")
    control_tab(page, EXPLORER, "Description")
    page.locator(f"#{EXPLORER}-description textarea").fill("angyr")
    expect_text(summary(page), r"Cannot use this emotion:.*did you mean 'angry'")
    assert "Traceback" not in page.content()


def test_an_example_fills_the_form_in_one_click(explorer):
    page = explorer
    click_example(page, EXPLORER, "v=0.6 a=-0.4 d=0.2")
    expect_text(page.locator(f"#{EXPLORER}-tabs [role=tab][aria-selected=true]"), "Valence–arousal")
    expect_text(summary(page), r"valence \+0\.60 · arousal -0\.40 · dominance \+0\.20")
    click_example(page, EXPLORER, "0s calm; 1.5s fearful:0.6; 3s furious | smooth")
    expect_text(page.locator(f"#{EXPLORER}-tabs [role=tab][aria-selected=true]"), "Timeline")
    assert page.locator(f'#{EXPLORER}-timeline [data-testid="cell-2-1"]').inner_text().strip() == "furious"


def test_animate_without_speech_says_what_to_do(page):
    open_tab(page, "Animate")
    page.locator("#animate-run").click()
    expect_text(page.locator(".toast-body").first, "Upload or record speech first")


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def download_links(page, prefix: str) -> dict[str, str]:
    """File name -> URL of the downloads shown in `#{prefix}-files`."""
    links = page.locator(f"#{prefix}-files a[href]").evaluate_all("links => links.map(link => link.href)")
    return {re.sub(r"\?.*$", "", link).rsplit("/", 1)[-1]: link for link in links}


def test_a_whole_form_example_fills_text_voice_and_emotion(page):
    from playwright.sync_api import expect
    click_form_example(page, "speak", "A mixture of two emotions")
    expect(page.locator(f"#{SPEAK}-value textarea")).to_have_value("0.6 happy + 0.4 surprised",
                                                                   timeout=SUMMARY_TIMEOUT_MS)
    expect_text(summary(page, SPEAK), r"happy, intensity 0\.\d\d: .*surprised")
    expect_text(page.locator(f"#{SPEAK}-tabs [role=tab][aria-selected=true]"), "Description")
    assert page.locator("#speak-text textarea").input_value().startswith("Oh my goodness")


def test_speak_a_sentence(page):
    open_tab(page, "Speak")
    control_tab(page, SPEAK, "Category")
    page.locator(f"#{SPEAK}-category input").click()
    page.get_by_role("option", name="sad", exact=True).click()
    intensity = page.locator(f"#{SPEAK}-intensity input[type=number]")
    intensity.fill("0.7")
    intensity.press("Enter")
    expect_text(summary(page, SPEAK), r"sad, intensity 0\.70")
    page.locator("#speak-voice input").click()
    page.get_by_role("option", name=re.compile(r"^awb — ")).click()
    audio = speak_text(page, "Good morning, everyone.", shortcut=True)   # Ctrl+Enter in the text

    # The player has loaded the file: the browser read its header and knows its length; and
    # the bytes it plays are a WAV of that length.
    page.wait_for_function("audio => audio.readyState >= 1 && audio.duration > 0.3", arg=audio.element_handle())
    played = audio.evaluate("async audio => Array.from(new Uint8Array(await (await fetch(audio.src)).arrayBuffer()))")
    samples, rate = sf.read(io.BytesIO(bytes(played)))
    assert rate == 22050 and len(samples) / rate == pytest.approx(audio.evaluate("audio => audio.duration"), abs=0.05)

    expect_text(page.locator("#speak-recognized"), r"\d+%")
    page.locator("#speak-contour img").wait_for()               # pitch contour and spectrogram
    page.locator("#speak-comparison img").wait_for()            # target vs recognized
    links = download_links(page, "speak")
    assert set(links) == {"good-morning-everyone_sad-0.7.wav", "good-morning-everyone_sad-0.7.json"}
    recipe = json.loads(fetch(links["good-morning-everyone_sad-0.7.json"]))
    assert (recipe["text"], recipe["voice"], recipe["emotion"]) == ("Good morning, everyone.", "awb", "sad:0.70")
    expect_text(page.locator("#speak-history"), r"#1: “Good morning, everyone\.” · sad:0\.70")


def test_animate_the_default_portrait(page, tmp_path):
    wav = speech_wav(tmp_path / "hello-there.wav")
    open_tab(page, "Animate")
    control_tab(page, ANIMATE, "Timeline")
    page.locator(f"#{ANIMATE}-value textarea").fill("0s calm; 1.5s surprised:0.9; 3s sad:0.6 | smooth")
    expect_text(summary(page, ANIMATE), r"timeline \(smooth\): 0 s calm")
    cancel = page.locator("#animate-cancel")
    assert not cancel.is_visible()
    video = animate_speech(page, wav, while_running=lambda: cancel.wait_for(state="visible"))
    cancel.wait_for(state="hidden")

    mp4 = tmp_path / "video.mp4"
    mp4.write_bytes(fetch(video.get_attribute("src")))
    info = probe_video(mp4)
    assert info.fps == pytest.approx(25.0) and info.has_audio
    assert (info.video_codec, info.audio_codec, info.width, info.height) == ("h264", "aac", 256, 256)
    assert info.frames == pytest.approx(25 * info.duration_s, abs=2) and info.duration_s > 1.0

    recognized = page.locator("#animate-recognized")
    expect_text(recognized, r"\d+%")
    assert any(name in recognized.inner_text() for name in CATEGORIES)
    page.locator("#animate-comparison img").wait_for()          # target vs recognized, drawn

    links = download_links(page, "animate")
    stem = "hello-there_calm-to-sad"
    assert set(links) == {f"{stem}.mp4", f"{stem}.wav", f"{stem}.json"}
    recipe = json.loads(fetch(links[f"{stem}.json"]))
    assert recipe["emotion"].startswith("0s calm; 1.5s surprised:0.9") and recipe["portrait"] == "default"
    assert fetch(links[f"{stem}.wav"])[:4] == b"RIFF"

    history = page.locator("#animate-history")
    expect_text(history, r"#1: 0s calm")
    assert history.locator("img").count() == 1


def test_convert_a_recording(page, tmp_path):
    wav = speech_wav(tmp_path / "plain.wav", "the garage door stays open in the morning")
    source, rate = sf.read(wav)
    open_tab(page, "Convert")
    control_tab(page, CONVERT, "Category")
    page.locator(f"#{CONVERT}-category input").click()
    page.get_by_role("option", name="sad", exact=True).click()
    expect_text(summary(page, CONVERT), r"sad")
    page.locator("#convert-source-emotion textarea").fill("neutral")
    audio = convert_speech(page, wav)

    played = audio.evaluate("async audio => Array.from(new Uint8Array(await (await fetch(audio.src)).arrayBuffer()))")
    converted, converted_rate = sf.read(io.BytesIO(bytes(played)))
    assert converted_rate == rate
    assert len(converted) / rate > 1.05 * len(source) / rate      # sadness is slower: same words, longer
    page.locator("#convert-contours img").or_(page.locator("#convert-contours .js-plotly-plot")).first.wait_for()
    expect_text(page.locator("#convert-heard-before"), r"\d+%")
    expect_text(page.locator("#convert-heard-after"), r"\d+%")

    links = download_links(page, "convert")
    (recipe_name,) = [name for name in links if name.endswith(".json")]
    assert any(name.endswith(".wav") for name in links)
    recipe = json.loads(fetch(links[recipe_name]))
    assert recipe["resolved"]["categories"]["sad"] > 0.5
    assert recipe["source_emotion_given"] and recipe["source_basis"] == "given"


def test_convert_best_of_two_shows_both_scored_candidates(page, tmp_path):
    wav = speech_wav(tmp_path / "plain.wav", "the garage door stays open in the morning")
    open_tab(page, "Convert")
    page.locator("#convert-source-emotion textarea").fill("neutral")
    set_best_of(page, "convert", 2)
    convert_speech(page, wav)

    from playwright.sync_api import expect
    expect(candidate_row_locator(page, "convert")).to_have_count(2, timeout=SUMMARY_TIMEOUT_MS)
    rows = candidates_shown(page, "convert")
    score = CANDIDATE_COLUMNS.index("score (lower is closer)")
    assert [row[0] for row in rows] == ["0", "1"] and sum(row[1] == "✓" for row in rows) == 1
    assert all(re.fullmatch(r"\d+(\.\d+)?", row[score]) for row in rows), rows      # each one scored
    links = download_links(page, "convert")
    (recipe_name,) = [name for name in links if name.endswith(".json")]
    kept = json.loads(fetch(links[recipe_name]))["scoring"]["kept"]
    assert rows[kept][1] == "✓"

    # Picking the other candidate shows it, ticked, and its download is the one offered.
    other = 1 - kept
    page.locator("#convert-pick input").fill(str(other))
    page.locator("#convert-use-candidate").click()
    expect(candidate_row_locator(page, "convert").nth(other)).to_contain_text("✓", timeout=SUMMARY_TIMEOUT_MS)
    for _ in range(100):          # the downloads are the picked candidate's, in a new run folder
        picked = download_links(page, "convert").get(recipe_name)
        if picked not in (None, links[recipe_name]):
            break
        page.wait_for_timeout(100)
    recipe = json.loads(fetch(picked))
    assert recipe["scoring"]["kept"] == other
