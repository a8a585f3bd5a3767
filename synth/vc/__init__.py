"""Emotional voice conversion (issue 27): any recording, the same words and voice, another emotion.

    >>> from conditioning import parse_emotion
    >>> from synth.vc import VoiceConverter
    >>> result = VoiceConverter().convert(samples, rate, parse_emotion("angry:0.8"))  # doctest: +SKIP
    >>> result.write_wav("angry.wav")  # doctest: +SKIP

Modules: speech_check (refusing what is not speech), segments (pauses, speech pieces, chunks),
planner (the prosody change relative to the source's emotion; the seam for a learned planner),
psola (the default renderer: the change made on the recording's own samples), converter (the
pipeline and its result; ``renderer="world"`` renders by WORLD resynthesis instead).
"""

from .converter import MAX_INPUT_S, ConversionResult, VoiceConverter, check_intensity, check_source_audio, convert
from .errors import ConversionInputError
from .planner import ConversionPlanner, PriorPlanner, relative_targets
from .speech_check import SpeechEvidence, check_speech, speech_evidence

__all__ = ["MAX_INPUT_S", "ConversionInputError", "ConversionPlanner", "ConversionResult", "PriorPlanner",
           "SpeechEvidence", "VoiceConverter", "check_intensity", "check_source_audio", "check_speech", "convert",
           "relative_targets", "speech_evidence"]
