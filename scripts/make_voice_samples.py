"""Writes assets/voices/<voice>.ogg: each built-in voice saying synth.voices.SAMPLE_TEXT
neutrally, as the studio's engine decoder speaks it, at the studio's output loudness.

Run from the repository root: `.venv/bin/python scripts/make_voice_samples.py` (about 10 s;
needs the voices' engines). The samples are shipped, not rendered at run time: the
studio starts in under two seconds (issue 33), and rendering the eight voices takes ~8 s
that its first visitor would wait for. Each clip is Ogg Vorbis of at most MAX_BYTES.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import numpy as np
import soundfile as sf

from conditioning import parse_emotion
from common.atomic import atomic_write_bytes
from synth.loudness import DEFAULT_LOUDNESS_LUFS, TRUE_PEAK_DBTP, normalize_loudness
from synth.render.synthesizer import engine_synthesizer
from synth.voices import SAMPLE_SUFFIX, SAMPLE_TEXT, SAMPLES_DIR, installed_voices

MAX_BYTES = 40_000
# Vorbis quality 0..1 (libsndfile's compression_level runs the other way: 1 is smallest).
COMPRESSION = 0.7


def sample_bytes(voice: str) -> bytes:
    speech = engine_synthesizer().speak(SAMPLE_TEXT, parse_emotion("neutral"), voice)
    # 1 dB under the studio's ceiling: Vorbis overshoots peaks by about half a dB.
    audio = normalize_loudness(speech.audio, speech.sample_rate, DEFAULT_LOUDNESS_LUFS, TRUE_PEAK_DBTP - 1.0)
    buffer = io.BytesIO()
    sf.write(buffer, np.clip(audio, -1, 1), speech.sample_rate, format="OGG", subtype="VORBIS",
             compression_level=COMPRESSION)
    return buffer.getvalue()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SAMPLES_DIR)
    parser.add_argument("--voices", nargs="+", help="only these voices (default: every installed one)")
    args = parser.parse_args(argv)
    for voice in installed_voices():
        if args.voices and voice.name not in args.voices:
            continue
        data = sample_bytes(voice.name)
        if len(data) > MAX_BYTES:
            raise SystemExit(f"the {voice.name} sample is {len(data)} bytes, over {MAX_BYTES}: raise COMPRESSION")
        path = args.out / f"{voice.name}{SAMPLE_SUFFIX}"
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, data)
        print(f"wrote {path} ({len(data) / 1000:.0f} KB): {voice.description}")


if __name__ == "__main__":
    main()
