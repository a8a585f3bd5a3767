"""Which generator speaks: the voice's own engine with the emotion rendered (the default,
``"engine"``), or one of the learned TTS decoders (``"flow"``, ``"diffusion"``).

The studio, the CLI and the web UI choose through this module, so they agree on the
choices, the default and each one's voices.
"""

from __future__ import annotations

from synth.render.synthesizer import EngineSynthesizer, engine_synthesizer
from synth.speech import (DEFAULT_DECODER, DEFAULT_ENGINE_VOICE, ENGINE_DECODER, LEARNED_DECODERS, SPEECH_DECODERS,
                          TTSInputError)
from synth.tts.synthesizer import Synthesizer, default_voice, shipped_synthesizer


def synthesizer_for(decoder: str = DEFAULT_DECODER) -> EngineSynthesizer | Synthesizer:
    if decoder == ENGINE_DECODER:
        return engine_synthesizer()
    if decoder not in LEARNED_DECODERS:
        raise TTSInputError(f"decoder must be one of {', '.join(SPEECH_DECODERS)}; got {decoder!r}")
    return shipped_synthesizer(decoder)


def voice_for(synthesizer: EngineSynthesizer | Synthesizer) -> str:
    """The voice used when none is named: joe for the engine, slt for the learned decoders."""
    return DEFAULT_ENGINE_VOICE if DEFAULT_ENGINE_VOICE in synthesizer.voices else default_voice(synthesizer.voices)
