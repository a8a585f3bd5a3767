"""Speed and size of the speech emotion recognizer: `python -m bench.bench_ser`.

Real-time factor = audio seconds per processing second (higher is faster), median of 7
runs on 2 torch threads, for the whole path users call (resampling, log-mel, network,
0.25 s windows) and for the network alone. Uses the shipped checkpoint when present,
else an untrained network of the same shape (the speed is the same).
"""

from __future__ import annotations

import resource

import numpy as np
import torch

from bench.timing import median_seconds
from conditioning.checkpoints import MissingCheckpointError
from conditioning.ser import SERConfig, SpeechEmotionNet, SpeechEmotionRecognizer

DURATIONS_S = (3.0, 10.0, 60.0)
INPUT_RATE = 22050


def _recognizer() -> tuple[SpeechEmotionRecognizer, str]:
    try:
        return SpeechEmotionRecognizer.from_checkpoint(), "shipped checkpoint"
    except MissingCheckpointError:
        return SpeechEmotionRecognizer(SpeechEmotionNet(SERConfig())), "untrained (no checkpoint)"


def main() -> None:
    torch.set_num_threads(2)
    recognizer, which = _recognizer()
    parameters = sum(p.numel() for p in recognizer.net.parameters())
    print(f"speech emotion recognizer ({which}): {parameters:,} parameters, torch threads 2")
    print(f"{'audio':>7} {'full path ms':>13} {'x real time':>12} {'network only ms':>16} {'x real time':>12}")
    rng = np.random.default_rng(0)
    for duration in DURATIONS_S:
        t = np.arange(int(duration * INPUT_RATE)) / INPUT_RATE
        audio = (0.3 * np.sin(2 * np.pi * 140 * t) + 0.05 * rng.normal(size=t.size)).astype(np.float32)
        full = median_seconds(lambda: recognizer.recognize(audio, INPUT_RATE))
        mel = recognizer.features(audio, INPUT_RATE)
        length = torch.tensor([mel.shape[-1]])
        with torch.inference_mode():
            network = median_seconds(lambda: recognizer.net(mel, length))
        print(f"{duration:6.0f}s {1000 * full:13.1f} {duration / full:12.0f} {1000 * network:16.1f} "
              f"{duration / network:12.0f}")
    print(f"peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
