"""The Dub tab: paste or upload a timed script (SRT, WebVTT, CSV, JSONL), see its cues, hear
any one cue fitted to its slot, then dub the whole script into one track (and a talking-head
video), with a timeline of each cue's slot against the speech achieved."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import gradio as gr
import soundfile as sf

from synth.dub import DubOptions, DubScript, DubScriptError, dub_script, parse_script
from synth.dub.script import guess_format
from synth.dub.voices_config import apply_voice_map, parse_voice_map
from ui.dub_plot import dub_timeline_plot
from ui.results import studio
from ui.scratch import discard, new_run_folder
from synth.speech import DEFAULT_ENGINE_VOICE
from synth.voices import installed_voices

EXAMPLE_SCRIPT = Path(__file__).resolve().parents[1] / "assets" / "examples" / "dialogue.srt"
FORMATS = ("auto", "srt", "vtt", "csv", "jsonl")
VIDEOS = ("none", "default", "cartoon")
CUE_COLUMNS = ["cue", "line", "start", "end", "voice", "emotion", "text"]


def _example_text() -> str:
    return EXAMPLE_SCRIPT.read_text(encoding="utf-8") if EXAMPLE_SCRIPT.is_file() else ""


def read_pasted(text: str, upload: str | None, format: str, voices_toml: str) -> DubScript:
    """The script from the upload (if any) or the pasted text, speakers mapped by the TOML;
    any problem becomes a message naming the line."""
    try:
        if upload:
            path = Path(upload)
            text, source = path.read_text(encoding="utf-8-sig"), path.name
            format = path.suffix.lower().lstrip(".") if format == "auto" else format
        else:
            source = "the script"
        if not (text or "").strip():
            raise DubScriptError("paste a script or upload one (.srt, .vtt, .csv, .jsonl)")
        script = parse_script(text, guess_format(text) if format == "auto" else format, source,
                              EXAMPLE_SCRIPT.parent)
        if (voices_toml or "").strip():
            script = apply_voice_map(script, parse_voice_map(voices_toml, "the voice map"))
        return script
    except (ValueError, UnicodeDecodeError) as error:
        raise gr.Error(str(error)) from None


def cue_rows(text, upload, format, voices_toml):
    script = read_pasted(text, upload, format, voices_toml)
    rows = [[c.index + 1, c.line, round(c.start, 3), round(c.end, 3), c.voice or "(default)", c.emotion or "(default)",
             c.text] for c in script.cues]
    return gr.update(value=rows), f"{len(script.cues)} cues, {script.cues[-1].end:.1f} s"


def _options(voice, natural, sample_rate, video=None) -> DubOptions:
    return DubOptions(voice=voice, natural=bool(natural), sample_rate=int(sample_rate),
                      video=None if video in (None, "none") else video)


def _dub(script: DubScript, folder: Path, options: DubOptions, progress=None):
    try:
        return dub_script(studio(), script, folder / "dialogue.wav", options, progress=progress)
    except ValueError as error:   # DubScriptError, unknown voices and emotions, bad settings
        raise gr.Error(str(error)) from None


def preview_cue(text, upload, format, voices_toml, number, voice, natural, sample_rate):
    """One cue, alone, spoken to its slot: what the dub will place there."""
    script = read_pasted(text, upload, format, voices_toml)
    if not 1 <= int(number or 0) <= len(script.cues):
        raise gr.Error(f"choose a cue from 1 to {len(script.cues)}")
    cue = script.cues[int(number) - 1]
    alone = dataclasses.replace(script, cues=(dataclasses.replace(cue, index=0, start=0.0, end=cue.slot_s),))
    folder = new_run_folder("dub-cue")
    result = _dub(alone, folder, _options(voice, natural, sample_rate))
    line = result.cues[0]
    flag = f" — flagged: {line['flag'].replace('_', ' ')}" if line["flag"] else ""
    return str(result.track), (f"cue {cue.index + 1}: slot {line['slot_s']:.2f} s, spoken {line['spoken_s']:.2f} s "
                               f"(natural {line['natural_s']:.2f} s){flag}; heard as {line['recognized_category']}")


def dub(text, upload, format, voices_toml, voice, natural, sample_rate, video, progress=gr.Progress()):
    script = read_pasted(text, upload, format, voices_toml)
    folder = new_run_folder("dub")
    try:
        result = _dub(script, folder, _options(voice, natural, sample_rate, video),
                      lambda done, total, message: progress(done / total * (0.5 if video != "none" else 1.0),
                                                            desc=message))
        track, rate = sf.read(str(result.track), dtype="float32")
        figure = dub_timeline_plot(result.cues, track, rate)
        recipe = result.recipe()
        recipe_path = folder / "dialogue.json"
        recipe_path.write_text(json.dumps(recipe, indent=2, ensure_ascii=False))
    except BaseException:
        discard(folder)
        raise
    notes = [f"{len(result.cues)} cues on one {len(track) / rate:.1f} s track at {rate} Hz; "
             f"largest fit error {100 * (recipe['max_fit_error'] or 0):.1f} % of a slot"]
    notes += [f"- cue {line['cue']} (line {line['line']}): {line['flag'].replace('_', ' ')}, needs "
              f"{line['natural_s'] / line['slot_s']:.2f}× its natural rate" for line in result.flagged]
    files = [str(result.track), str(result.srt), str(result.manifest), str(recipe_path)]
    return (str(result.track), str(result.video) if result.video else None, figure, "\n".join(notes), files, recipe)


def build_dub_tab() -> None:
    gr.Markdown("Paste or upload a timed script; each cue may start with a tag such as `[angry:0.7]` or "
                "`[voice=slt; emotion=a tired sigh]`. Every cue is spoken to fit its slot, and all of them land on "
                "one track (docs/dubbing.md).", elem_classes=["tab-intro"])
    voices = installed_voices()
    names = [v.name for v in voices]
    with gr.Row(equal_height=False):
        with gr.Column(scale=5):
            text = gr.Textbox(_example_text(), label="Script (SRT, WebVTT, CSV or JSONL)", lines=10,
                              elem_id="dub-script")
            with gr.Row():
                upload = gr.File(label="…or upload one", file_types=[".srt", ".vtt", ".csv", ".jsonl"],
                                 type="filepath", height=90, elem_id="dub-upload")
                format = gr.Dropdown(list(FORMATS), value="auto", label="Format", elem_id="dub-format")
            voices_toml = gr.Textbox("", label="Voice map (TOML, optional): [voices] Anna = \"slt\"", lines=2,
                                     elem_id="dub-voices")
        with gr.Column(scale=5):
            with gr.Row():
                start = DEFAULT_ENGINE_VOICE if DEFAULT_ENGINE_VOICE in names else names[0]
                voice = gr.Dropdown([(v.label, v.name) for v in voices], value=start,
                                    label="Voice of cues naming none", elem_id="dub-voice")
                sample_rate = gr.Dropdown([16000, 22050, 24000, 44100, 48000], value=48000, label="Sample rate",
                                          elem_id="dub-rate")
            with gr.Row():
                natural = gr.Checkbox(False, label="Natural length when it fits before the next cue",
                                      elem_id="dub-natural")
                video = gr.Radio(list(VIDEOS), value="none", label="Talking-head video", elem_id="dub-video")
            list_button = gr.Button("Show the cues", elem_id="dub-list")
            summary = gr.Markdown("", elem_id="dub-summary")
            with gr.Row():
                number = gr.Number(1, label="Cue", precision=0, minimum=1, elem_id="dub-cue-number")
                preview_button = gr.Button("Hear this cue", elem_id="dub-preview")
            cue_audio = gr.Audio(label="The cue, fitted to its slot", type="filepath", interactive=False,
                                 elem_id="dub-cue-audio")
            cue_note = gr.Markdown("", elem_id="dub-cue-note")
            button = gr.Button("Dub", variant="primary", elem_id="dub-run")
    cues = gr.Dataframe(headers=CUE_COLUMNS, label="Cues", interactive=False, wrap=True, elem_id="dub-cues")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            timeline = gr.Plot(label="Timeline: slots and achieved speech", elem_id="dub-timeline")
        with gr.Column(scale=2):
            track = gr.Audio(label="Dialogue track", type="filepath", interactive=False, elem_id="dub-track")
            film = gr.Video(label="Talking head", interactive=False, elem_id="dub-film")
            notes = gr.Markdown("", elem_id="dub-notes")
            files = gr.File(label="Downloads: track, achieved SRT, manifest, recipe", file_count="multiple",
                            interactive=False, height=120, elem_id="dub-files")
    with gr.Accordion("How it was made (JSON)", open=False):
        recipe = gr.JSON(label="Recipe")
    script_inputs = [text, upload, format, voices_toml]
    list_button.click(cue_rows, script_inputs, [cues, summary], api_name="dub_cues")
    preview_button.click(preview_cue, [*script_inputs, number, voice, natural, sample_rate], [cue_audio, cue_note],
                         api_name="dub_preview")
    button.click(dub, [*script_inputs, voice, natural, sample_rate, video],
                 [track, film, timeline, notes, files, recipe],
                 api_name="dub")
