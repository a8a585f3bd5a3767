"""Dubbing: a timed, emotional script in (SRT, WebVTT, CSV, JSONL), one synchronised speech
track out (and the cue files, a manifest, the achieved SRT, a mix, a video).

    >>> from synth.studio import Studio
    >>> result = Studio().dub("assets/examples/dialogue.srt", "dialogue.wav")  # doctest: +SKIP
"""

from .pipeline import DubOptions, DubResult, dub_script
from .script import Cue, DubScript, DubScriptError, parse_script, read_script

__all__ = ["Cue", "DubOptions", "DubResult", "DubScript", "DubScriptError", "dub_script", "parse_script",
           "read_script"]
