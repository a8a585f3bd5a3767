"""Many scripts dubbed at once: on several processes of this machine, or on a Ray cluster;
each script goes through the same `dub_job` (dub_script and its per-cue manifest), and the
batch's manifest.jsonl has one summary line per script, in the batch file's order."""

from __future__ import annotations

import dataclasses
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .manifest import MANIFEST_NAME, write_manifest
from .pipeline import DubOptions
from .script import DubScriptError, read_script

MAX_WORKERS = 64


def read_batch(path: str | Path) -> list[Path]:
    """Script paths, one a line (relative to the batch file's folder); blank lines and
    `#` comments skipped; each must exist, each errors naming its line."""
    path = Path(path)
    if not path.is_file():
        raise DubScriptError(f"no batch file at {path}")
    scripts = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        script = Path(entry) if Path(entry).is_absolute() else path.parent / entry
        if not script.is_file():
            raise DubScriptError(f"{path} line {number}: no script file at {script}")
        scripts.append(script)
    if not scripts:
        raise DubScriptError(f"{path} names no scripts")
    return scripts


def plan_jobs(scripts: list[Path], out_dir: Path, options: DubOptions, voices: str | None,
              suffix: str = ".wav") -> list[dict]:
    """One job per script, every script read and checked first (a broken one stops the batch
    before any work); each track is named after its script, and two scripts of one name refuse."""
    jobs, names = [], {}
    for script in scripts:
        read_script(script, voices)
        output = out_dir / f"{script.stem}{suffix}"
        if output in names:
            raise DubScriptError(f"{script} and {names[output]} would both write {output}; rename one")
        names[output] = script
        jobs.append({"script": str(script), "output": str(output), "voices": voices,
                     "options": dataclasses.asdict(options)})
    return jobs


def dub_job(job: dict) -> dict:
    """One script, in whichever process or Ray worker runs it: its summary line."""
    from synth.studio import Studio

    result = Studio().dub(job["script"], job["output"], voices=job["voices"], **job["options"])
    recipe = result.recipe()
    return {key: value for key, value in recipe.items() if key != "cue_lines"}


def run_jobs(jobs: list[dict], workers: int = 1, ray_address: str | None = None) -> list[dict]:
    """The jobs' summary lines in order: in this process (1 worker), a process pool, or Ray."""
    if ray_address:
        return _on_ray(jobs, ray_address)
    if not 1 <= workers <= MAX_WORKERS:
        raise DubScriptError(f"workers must be 1..{MAX_WORKERS}; got {workers}")
    if workers == 1 or len(jobs) == 1:
        return [dub_job(job) for job in jobs]
    # Spawned, not forked: a forked copy of a process that has loaded torch or onnxruntime can hang.
    with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(dub_job, jobs))


def _on_ray(jobs: list[dict], address: str) -> list[dict]:
    try:
        import ray
    except ImportError:
        raise DubScriptError("--ray needs Ray, which is not installed: "
                             "pip install -e '.[scale]' (or pip install ray)") from None
    try:
        ray.init(address=address, ignore_reinit_error=True)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise DubScriptError(f"cannot reach the Ray cluster at {address!r} ({error})") from None
    remote = ray.remote(dub_job)
    return ray.get([remote.remote(job) for job in jobs])


def dub_batch(batch: str | Path, out_dir: str | Path, options: DubOptions = DubOptions(), voices: str | None = None,
              workers: int = 1, ray_address: str | None = None, suffix: str = ".wav") -> Path:
    """Every script of `batch` dubbed into `out_dir`; returns the batch manifest's path."""
    out_dir = Path(out_dir)
    jobs = plan_jobs(read_batch(batch), out_dir, options, voices, suffix)
    out_dir.mkdir(parents=True, exist_ok=True)
    return write_manifest(out_dir / MANIFEST_NAME, run_jobs(jobs, workers, ray_address))
