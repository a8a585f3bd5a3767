"""Speed of the TTS on 2 cores: `python -m bench.bench_tts`.

Real-time factor (synthesis seconds / audio seconds, lower is faster) for a 20-word
sentence: the flow decoder at 4/8/16 steps and the diffusion decoder (DPM-Solver) at
10/25/50 steps, WORLD vocoding included; the engine decoder (Piper's joe voice with the
emotion rendered through WORLD, its rendering cache cleared before every run); and the peer,
stock Piper (`PiperVoice.synthesize`, the same voice file), on the same sentence in the same
run; medians of 5 runs; peak memory. Uses the shipped
checkpoints, or (saying so) untrained models of the default size, which run at the same speed.
"""

from __future__ import annotations

import math
import resource

import torch

from bench.timing import median_seconds
from conditioning.checkpoints import MissingCheckpointError
from conditioning.parse import parse_emotion
from synth.tts.config import TTSConfig
from synth.tts.model import EmotionalTTS
from synth.tts.synthesizer import Synthesizer
from synth.render.engines import VOICES

SENTENCE = ("On a cold and windy morning the old ferry finally left the harbour, "
            "carrying nineteen tired passengers home.")   # 20 words
STEPS = {"flow": (4, 8, 16), "diffusion": (10, 25, 50)}
TYPICAL_FRAMES_PER_TOKEN = 7   # 70 ms: the corpus's mean phone length, roughly


def synthesizer(decoder: str) -> tuple[Synthesizer, str]:
    try:
        return Synthesizer.from_checkpoint(decoder), "shipped checkpoint"
    except MissingCheckpointError:
        model = EmotionalTTS(TTSConfig(decoder=decoder))
        with torch.no_grad():   # untrained durations would be 1 frame; speak at a natural length instead
            model.duration_predictor.output.bias.fill_(math.log1p(TYPICAL_FRAMES_PER_TOKEN))
        return Synthesizer(model, tuple(VOICES)), "untrained model of the default size"


def main() -> None:
    torch.set_num_threads(2)
    emotion = parse_emotion("happy:0.8")
    print(f"TTS real-time factor, 20-word sentence, torch threads {torch.get_num_threads()}, median of 5")
    print(f"{'decoder':>10} {'steps':>6} {'audio s':>8} {'synth s':>8} {'RTF':>7}   model")
    for decoder, steps_list in STEPS.items():
        tts, source = synthesizer(decoder)
        for steps in steps_list:
            speech = tts.speak(SENTENCE, emotion, "slt", steps=steps)
            seconds = median_seconds(lambda: tts.speak(SENTENCE, emotion, "slt", steps=steps), repeats=5)
            print(f"{decoder:>10} {steps:>6} {speech.duration_s:8.2f} {seconds:8.3f} {seconds / speech.duration_s:7.3f}"
                  f"   {source}")
    engine_and_peer(emotion)
    print(f"peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def engine_and_peer(emotion) -> None:
    from piper import PiperVoice

    from synth.render import emotional
    from synth.render.piper_engine import joe_model_path
    from synth.render.synthesizer import engine_synthesizer

    engine = engine_synthesizer()

    def spoken():
        emotional._analysed.cache_clear()
        return engine.speak(SENTENCE, emotion, "joe")

    speech = spoken()
    seconds = median_seconds(spoken, repeats=5)
    print(f"{'engine':>10} {'-':>6} {speech.duration_s:8.2f} {seconds:8.3f} {seconds / speech.duration_s:7.3f}"
          f"   joe (Piper) + WORLD emotion rendering")
    peer = PiperVoice.load(joe_model_path())
    audio = lambda: [chunk.audio_float_array for chunk in peer.synthesize(SENTENCE)]   # noqa: E731
    duration = sum(len(a) for a in audio()) / peer.config.sample_rate
    seconds = median_seconds(audio, repeats=5)
    print(f"{'piper':>10} {'-':>6} {duration:8.2f} {seconds:8.3f} {seconds / duration:7.3f}   stock Piper 1.8, joe")


if __name__ == "__main__":
    main()
