"""The served studio under load: rounds of 8 concurrent requests (5 speak, 3 animate at 256 px)
through gradio_client, as tests/test_load.py sends them; per round the wall time and the
process's peak resident memory. Memory that stops growing after the first round is bounded.

    python -m bench.bench_load [--rounds 3] [--concurrency 2]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from gradio_client import Client, handle_file

from synth.face.portrait import default_portrait_path
from ui.testing import served_studio

SPEAK = [("The bus leaves at noon.", "sad:0.9"), ("Please close the window before you go.", "angry:0.8"),
         ("What a lovely surprise.", "happy:0.9"), ("I will call you tomorrow morning.", "calm:0.7"),
         ("Nobody told me the door was open.", "fearful:0.8")]
ANIMATE = [("Good evening, everyone.", "surprised:0.9"), ("We lost the match again.", "sad:0.8"),
           ("That is simply not acceptable.", "angry:0.9")]


def _request(url: str, kind: str, text: str, emotion: str):
    client = Client(url, verbose=False)
    if kind == "speak":
        return client.predict(text, "joe", emotion, "engine", 10, 0, 0, 1.0, 0, 1.0, 1, False, api_name="/speak")
    return client.predict(handle_file(str(default_portrait_path())), False, 0, None, text, "joe", emotion, "256 px",
                          0, 8, 1, False, api_name="/animate")


def one_round(url: str) -> float:
    jobs = [("speak", *job) for job in SPEAK] + [("animate", *job) for job in ANIMATE]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        for future in [pool.submit(_request, url, *job) for job in jobs]:
            future.result(timeout=900)
    return time.perf_counter() - started


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args(argv)
    with served_studio(concurrency=args.concurrency) as url:
        print(f"served, peak memory {peak_mib():.0f} MiB")
        walls = []
        for index in range(args.rounds):
            walls.append(one_round(url))
            print(f"round {index + 1}: 8 requests in {walls[-1]:.1f} s, peak memory {peak_mib():.0f} MiB", flush=True)
    print(f"median round {statistics.median(walls):.1f} s (concurrency {args.concurrency})")


if __name__ == "__main__":
    main()
