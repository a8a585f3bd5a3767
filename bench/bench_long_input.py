"""Peak memory on the longest inputs the studio accepts: faint noise of 1, 10 and 60 minutes
(written to disk in blocks), read by each entry point in a fresh process; medians over runs of
the process's peak resident memory and its wall time. Bounded memory means the 60-minute peak
stays near the 1-minute one.

    python -m bench.bench_long_input [--minutes 1 10 60] [--rate 16000] [--repeats 3]
                                     [--what recognize convert animate]

`recognize` takes up to an hour (of noise), `convert` and `animate` (audio-driven) up to ten
minutes (of the shipped TTS's speech, repeated: they refuse noise), `dub` a background of up
to four hours (the noise, under a one-cue script, mixed at 48 kHz); a length over an entry
point's limit is skipped. `animate` renders the video too (slow: about
real time on 2 cores), so it is not measured by default.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

LIMIT_MINUTES = {"recognize": 60, "convert": 10, "animate": 10, "dub": 240}
BLOCK_S = 60
NOISE_LEVEL = 0.01   # faint: -40 dBFS RMS


def write_noise(path: Path, minutes: float, rate: int) -> Path:
    rng = np.random.default_rng(0)
    with sf.SoundFile(path, "w", rate, 1, subtype="PCM_16") as out:
        for _ in range(int(minutes * 60 // BLOCK_S)):
            out.write(NOISE_LEVEL * rng.standard_normal(BLOCK_S * rate))
    return path


def write_speech(path: Path, minutes: float) -> Path:
    """The shipped TTS's sentence with a pause after it, repeated: convert refuses noise as no speech."""
    from synth.studio import Studio

    said = Studio().speak("The quick brown fox jumps over the lazy dog, and then it runs away.")
    cycle = np.concatenate([said.audio, np.zeros(said.sample_rate // 2)])
    left = int(minutes * 60 * said.sample_rate)
    with sf.SoundFile(path, "w", said.sample_rate, 1, subtype="PCM_16") as out:
        while left > 0:
            out.write(cycle[:left])
            left -= len(cycle)
    return path


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(what: str, audio: Path, folder: Path) -> dict:
    """One measurement, in this (fresh) process: peak memory after loading the models, and after the run."""
    if what == "recognize":
        from conditioning.ser import shipped_recognizer

        recognizer = shipped_recognizer()
        run = lambda: recognizer.recognize_file(audio)   # noqa: E731
    else:
        from synth.studio import Studio

        studio = Studio()
        if what == "dub":
            from synth.dub import DubOptions, dub_script, parse_script

            studio.speak("Warm up.")   # loads the models before the baseline
            script = parse_script("1\n00:00:01,000 --> 00:00:03,000\nThe background goes on for a while.\n", "srt")
            run = lambda: dub_script(studio, script, folder / "dub.wav",   # noqa: E731
                                     DubOptions(background=str(audio)))
        elif what == "convert":
            studio.converter   # noqa: B018 (loads the models before the baseline)
            run = lambda: studio.convert(audio, "happy").write_wav(folder / "converted.wav")   # noqa: E731
        else:
            studio.talking_head   # noqa: B018
            run = lambda: studio.animate(None, audio, "happy", output=folder / "animated.mp4")   # noqa: E731
    loaded = peak_mib()
    started = time.perf_counter()
    run()
    return {"loaded_mib": loaded, "peak_mib": peak_mib(), "seconds": time.perf_counter() - started}


def measure(what: str, audio: Path, repeats: int) -> dict:
    runs = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as folder:
            done = subprocess.run([sys.executable, "-m", "bench.bench_long_input", "--child", what, str(audio), folder],
                                  check=True, capture_output=True, text=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[1, 10, 60])
    parser.add_argument("--rate", type=int, default=16000, help="the files' sample rate")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--what", nargs="+", choices=sorted(LIMIT_MINUTES), default=["recognize", "convert", "dub"])
    parser.add_argument("--child", nargs=3, metavar=("WHAT", "AUDIO", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]), Path(args.child[2]))))
        return
    print(f"{'input':>10} {'minutes':>8} {'models MiB':>11} {'peak MiB':>9} {'growth MiB':>11} {'seconds':>8}")
    with tempfile.TemporaryDirectory() as folder:
        for minutes in args.minutes:
            audio = write_noise(Path(folder) / f"noise_{minutes:g}min.wav", minutes, args.rate)
            speech = None
            for what in args.what:
                if minutes > LIMIT_MINUTES[what]:
                    continue
                if what in ("convert", "animate") and speech is None:
                    speech = write_speech(Path(folder) / f"speech_{minutes:g}min.wav", minutes)
                result = measure(what, audio if what in ("recognize", "dub") else speech, args.repeats)
                print(f"{what:>10} {minutes:>8g} {result['loaded_mib']:>11.0f} {result['peak_mib']:>9.0f} "
                      f"{result['peak_mib'] - result['loaded_mib']:>11.0f} {result['seconds']:>8.1f}", flush=True)
            audio.unlink()


if __name__ == "__main__":
    main()
