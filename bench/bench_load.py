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

from ui.testing import LOAD_ANIMATE, LOAD_SPEAK, request_animation, request_speech, served_studio


def one_round(url: str) -> float:
    jobs = [(request_speech, *job) for job in LOAD_SPEAK] + [(request_animation, *job) for job in LOAD_ANIMATE]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        for future in [pool.submit(request, url, text, emotion) for request, text, emotion in jobs]:
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
