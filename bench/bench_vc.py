"""Speed of voice conversion: `python -m bench.bench_vc`.

Real-time factor = processing seconds per audio second (lower is faster; the issue's goal is
0.1 on 2 cores), median of 5 runs, on the held-out voice's speech repeated to 5 s and 30 s
(the 30 s input is cut into two chunks at a pause). Four paths: the conversion alone, with the
default plan (the prosody prior) and with the learned planner's diffusion decoder (which
measures the recording and samples its plan first), the speech check alone (the refusal test
every input passes), and what `Studio.convert` does (conversion + the SER's readings of
source and result). Torch on 2 threads.
"""

from __future__ import annotations

import resource

import numpy as np
import torch

from bench.timing import median_seconds
from conditioning import parse_emotion
from synth.render.engines import render
from synth.vc import VoiceConverter, check_speech
from synth.vc.learned_planner import planner_for

DURATIONS_S = (5.0, 30.0)
TEXT = "The mechanic usually keeps the garage door open in the morning."


def _speech(duration_s: float) -> tuple[np.ndarray, int]:
    rendering = render(TEXT, "kal16")
    pause = np.zeros(int(0.4 * rendering.sample_rate))
    one = np.concatenate([rendering.audio.astype(np.float64), pause])
    repeats = int(np.ceil(duration_s * rendering.sample_rate / one.size))
    return np.tile(one, repeats)[: int(duration_s * rendering.sample_rate)], rendering.sample_rate


def main() -> None:
    torch.set_num_threads(2)
    converter = VoiceConverter()
    learned = converter.with_planner(planner_for("diffusion"))
    angry = parse_emotion("angry:0.8")
    print(f"{'audio':>6} {'conversion RTF':>15} {'learned plan RTF':>17} {'speech check RTF':>17} "
          f"{'with SER RTF':>13}")
    for duration in DURATIONS_S:
        audio, rate = _speech(duration)
        alone = median_seconds(lambda: converter.convert(audio, rate, angry, source_emotion="neutral",
                                                         recognize=False), repeats=5)
        planned = median_seconds(lambda: learned.convert(audio, rate, angry, source_emotion="neutral",
                                                         recognize=False), repeats=5)
        check = median_seconds(lambda: check_speech(audio, rate), repeats=5)
        full = median_seconds(lambda: converter.convert(audio, rate, angry), repeats=5)
        print(f"{duration:5.0f}s {alone / duration:15.3f} {planned / duration:17.3f} {check / duration:17.3f} "
              f"{full / duration:13.3f}")
    print(f"peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
