"""Latency of resolving each emotion input form: `python -m bench.bench_emotion_parsing`."""

from __future__ import annotations

import torch

from bench.timing import median_seconds
from conditioning import EmotionEncoder, parse_emotion, to_emotionml

FORMS = {
    "label": "angry:0.4",
    "mixture": "0.7 happy + 0.3 surprised",
    "vad": "v=0.6 a=-0.4 d=0.2",
    "description": "a slightly nervous whisper",
    "emotionml": to_emotionml(parse_emotion("surprised:0.6")),
    "timeline": "0s calm; 1.5s fearful:0.6; 3s furious | smooth",
}


def main() -> None:
    torch.set_num_threads(2)
    parse_emotion(FORMS["description"])  # loads the sentence encoder and head once
    print(f"{'form':<12} median ms (7 runs)")
    for name, text in FORMS.items():
        print(f"{name:<12} {1000 * median_seconds(lambda: parse_emotion(text)):8.2f}")
    encoder = EmotionEncoder()
    timeline = parse_emotion(FORMS["timeline"])
    with torch.no_grad():
        seconds = median_seconds(lambda: encoder.encode(timeline, frame_rate=86.13))
    print(f"{'encode 3 s timeline at 86 fps':<12} {1000 * seconds:8.2f}")


if __name__ == "__main__":
    main()
