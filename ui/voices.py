"""The Voices tab: the stored voices (synth/voice_store.py) listed with their consent, and, only
when the studio was started with `--allow-voice-adding`, a voice added from a few uploaded clips
of one speaker, or a stored one removed. The handlers call the voice store as `emostudio voice
add` and `emostudio voice remove` do (synth/cli/voice.py); without the option they refuse
whatever calls them (the page, or a direct API request), and the form is shown switched off.

After a voice is added or removed, the speaking tabs' voice pickers (Speak, Animate's text to
speak, Dub) are offered the new list; every page load also reads it afresh, so another browser
sees the voice on its next reload."""

from __future__ import annotations

import gradio as gr

from synth.render.engines import available_voices
from synth.voice_clips import BASE_CANDIDATES
from synth.voice_store import StoredVoice, add_voice, check_consent, check_name, remove_voice, stored_voices
from ui.voice_picker import default_voice, voice_choices, voice_names

MAX_CLIPS = 10
AUTOMATIC_BASE = "nearest (automatic)"
# The speaking tabs' voice pickers, by element id (ui/voice_picker.py, ui/animate.py, ui/dub.py).
PICKER_IDS = ("speak-voice", "animate-speak-voice", "dub-voice")
STORED_COLUMNS = ["voice", "base voice", "clips", "speech (s)", "added", "consent statement"]

CONSENT_NOTE = (
    "**A voice can be added only with the consent of the person whose voice it is.** Write, in the consent box, who "
    "the speaker is and that they agreed to this studio speaking with their voice (for example: *I, Ana Lima, "
    "recorded these clips and agree to this studio speaking with my voice.*). The statement is stored with the "
    "voice, and every file spoken with it carries the statement in its provenance record (`emostudio verify FILE`). "
    "Never add someone's voice without their permission.")
OFF_NOTE = (
    "**Adding voices from this web page is off.** The studio was started without `--allow-voice-adding`, so "
    "nobody who reaches its address can add or remove voices here. To turn it on, restart it with "
    "`python app.py --allow-voice-adding` (or `make studio ALLOW_VOICE_ADDING=1`). A voice can also be added on the "
    "studio's own machine: `emostudio voice add NAME clip1.wav clip2.wav --consent \"...\"`.")
ON_NOTE = ("Adding voices from this web page is **on** (the studio was started with `--allow-voice-adding`). Upload "
           f"1 to {MAX_CLIPS} clips of one person talking (WAV, FLAC or OGG; 3-10 s of speech in all works best). "
           "Adding takes 15-45 s. The new voice appears at once in the voice pickers of Speak, Animate and Dub.")
REFUSED = ("Adding or removing voices from the studio's web page is off: the studio was started without "
           "--allow-voice-adding. Restart it with that option, or use `emostudio voice add` on its machine.")


def _refusal(error: Exception) -> gr.Error:
    """The lower layer's message as it is (it may start with a clip's file name)."""
    return gr.Error(str(error))


def add_from_studio(allowed: bool, name: str, clips, consent: str, base: str | None = None,
                    progress=None) -> StoredVoice:
    """The voice made from the uploaded ``clips`` (file paths) and stored, as `emostudio voice add`
    stores it; refused (gr.Error, nothing written) unless ``allowed``, and for any bad input."""
    if not allowed:
        raise gr.Error(REFUSED)
    clips = [clip for clip in (clips or []) if clip]
    try:
        name = check_name((name or "").strip())
        check_consent(consent)   # refused before any clip is read
        if len(clips) > MAX_CLIPS:
            raise ValueError(f"upload at most {MAX_CLIPS} clips here (got {len(clips)}); "
                             "`emostudio voice add` takes more")
        bases = None if not base or base == AUTOMATIC_BASE else [base]
        return add_voice(name, clips, consent, bases=bases, progress=progress)
    except ValueError as error:   # VoiceStoreError, ClipError (an AudioInputError): the message names the problem
        raise _refusal(error) from None


def remove_from_studio(allowed: bool, name: str | None) -> None:
    """Removes a stored voice as `emostudio voice remove` does; refused unless ``allowed``."""
    if not allowed:
        raise gr.Error(REFUSED)
    if not name:
        raise gr.Error("Pick the stored voice to remove first.")
    try:
        remove_voice(name)
    except ValueError as error:
        raise _refusal(error) from None


def stored_rows() -> list[list]:
    """The stored voices as the table shows them."""
    return [[v.name, v.base_voice, len(v.clips), v.built_from.get("speech_s", ""), v.created[:10],
             v.consent["statement"]] for v in stored_voices()]


def stored_names() -> list[str]:
    return [voice.name for voice in stored_voices()]


def picker_update(current: str | None = None):
    """A voice picker offered every installed voice now; a voice that is gone gives way to the default."""
    names = voice_names()
    value = current if current in names else default_voice(names)
    return gr.update(choices=voice_choices(), value=value)


def _added_note(voice: StoredVoice) -> str:
    fit = voice.built_from["candidates"][voice.base_voice]
    return (f"Stored voice **{voice.name}**: {len(voice.clips)} clips, {voice.built_from['speech_s']:.1f} s of "
            f"speech, built on {voice.base_voice} (speaker cosine {fit['base_cosine']:.2f} → {fit['cosine']:.2f} "
            f"after the timbre step), with the consent statement. Pick it in the voice picker of Speak, Animate "
            f"or Dub, or `emostudio speak \"...\" --voice {voice.name}`.")


def voice_pickers(app: gr.Blocks) -> list[gr.Dropdown]:
    """The speaking tabs' voice pickers built so far in ``app``."""
    return [block for block in app.blocks.values()
            if isinstance(block, gr.Dropdown) and getattr(block, "elem_id", None) in PICKER_IDS]


def build_voices_tab(app: gr.Blocks, allowed: bool) -> None:
    """The tab; ``allowed`` is the server's --allow-voice-adding, fixed when the studio starts."""
    pickers = voice_pickers(app)
    gr.Markdown("Voices made from a few clips of one speaker: a built-in voice moved toward the clips' timbre "
                "(docs/voices.md).", elem_classes=["tab-intro"])
    gr.Markdown(CONSENT_NOTE, elem_id="voices-consent")
    gr.Markdown(ON_NOTE if allowed else OFF_NOTE, elem_id="voices-adding-state")
    with gr.Row(equal_height=False):
        with gr.Column(scale=5):
            name = gr.Textbox("", label="Voice name (letters, digits, _ or -; e.g. ana)", max_length=40,
                              interactive=allowed, elem_id="voices-name")
            clips = gr.File(label=f"Clips of the speaker talking (1 to {MAX_CLIPS}; WAV, FLAC or OGG)",
                            file_count="multiple", file_types=[".wav", ".flac", ".ogg"], type="filepath",
                            interactive=allowed, height=140, elem_id="voices-clips")
            consent = gr.Textbox("", label="Consent statement (required): who the speaker is, and that they agreed",
                                 lines=2, max_length=1000, interactive=allowed, elem_id="voices-consent-statement",
                                 placeholder="I, Ana Lima, recorded these clips and agree to this studio speaking "
                                             "with my voice.")
            base = gr.Dropdown([AUTOMATIC_BASE, *available_voices()], value=AUTOMATIC_BASE,
                               label=f"Built-in voice to build on (automatic: the best of the {BASE_CANDIDATES} "
                                     "nearest)", interactive=allowed, elem_id="voices-base")
            add = gr.Button("Add voice", variant="primary", interactive=allowed, elem_id="voices-run")
            status = gr.Markdown("", elem_id="voices-status")
        with gr.Column(scale=6):
            table = gr.Dataframe(stored_rows(), headers=STORED_COLUMNS, label="Stored voices",
                                 interactive=False, wrap=True, column_widths=["14%", "13%", "8%", "11%", "14%", "40%"],
                                 elem_id="voices-stored")
            with gr.Row():
                chosen = gr.Dropdown(stored_names(), value=None, label="Stored voice to remove",
                                     interactive=allowed, scale=3, elem_id="voices-remove-name")
                remove = gr.Button("Remove voice", variant="stop", interactive=allowed, scale=1,
                                   elem_id="voices-remove")

    def added(name_text, clip_paths, statement, base_voice, progress=gr.Progress()):
        progress(0.05, desc="checking and measuring the clips")
        fitted = []

        def fitting(voice):
            fitted.append(voice)
            progress(0.1 + 0.85 * len(fitted) / BASE_CANDIDATES, desc=f"timbre fitted on {voice}")

        voice = add_from_studio(allowed, name_text, clip_paths, statement, base_voice, fitting)
        return (_added_note(voice), stored_rows(), gr.update(choices=stored_names()), "", None, "",
                *(gr.update(choices=voice_choices()) for _ in pickers))

    def removed(name_text, *current):
        remove_from_studio(allowed, name_text)
        return (f"Removed voice **{name_text}**.", stored_rows(), gr.update(choices=stored_names(), value=None),
                *(picker_update(value) for value in current))

    # Registered whether or not adding is allowed, so that a direct request is answered with the refusal.
    add.click(added, [name, clips, consent, base], [status, table, chosen, name, clips, consent, *pickers],
              api_name="add_voice")
    remove.click(removed, [chosen, *pickers], [status, table, chosen, *pickers], api_name="remove_voice")
    # A voice added elsewhere (another browser, `emostudio voice add`) is offered on the next page load.
    app.load(lambda: (stored_rows(), gr.update(choices=stored_names()),
                      *(gr.update(choices=voice_choices()) for _ in pickers)),
             None, [table, chosen, *pickers], api_name=False, queue=False, show_progress="hidden")
