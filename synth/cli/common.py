"""What every command shares: where outputs go (never a silent overwrite), batch files (every
request checked before any runs, the manifest written as the run goes, a rerun skipping what
is done), progress that `--quiet` silences, and typed request fields."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from common.atomic import atomic_write_bytes
from conditioning.errors import EmotionInputError
from synth.settings import Field, check_range

from ..output_names import output_stem, unused_path

MANIFEST_NAME = "manifest.jsonl"


def add_output_options(parser: argparse.ArgumentParser, suffixes: str) -> None:
    parser.add_argument("-o", "--output", default=None,
                        help=f"{suffixes} file (default: a new file named after the text and emotion)")
    parser.add_argument("--force", action="store_true", help="overwrite the output if it exists")


def add_verbosity_options(parser: argparse.ArgumentParser, at_root: bool = False) -> None:
    # Defaults only at the root, so `emostudio --quiet speak` and `emostudio speak --quiet` both work.
    default = False if at_root else argparse.SUPPRESS
    parser.add_argument("-q", "--quiet", action="store_true", default=default,
                        help="print only errors (and --json output)")
    parser.add_argument("-v", "--verbose", action="store_true", default=default, help="print more detail")


def output_path(given: str | None, text: str, emotion: Any, suffix: str, force: bool) -> Path:
    """The file to write: `given` (refused if it exists, unless `force`), or a new name made
    from the text and the emotion in the working folder."""
    if given is None:
        return unused_path(Path(output_stem(text, emotion) + suffix))
    path = Path(given)
    if path.is_dir():
        raise ValueError(f"{given} is a folder; give a file name")
    if path.exists() and not force:
        raise ValueError(f"{given} exists; pass --force to overwrite it, or choose another -o")
    return path


def say(args: argparse.Namespace, message: str) -> None:
    if not getattr(args, "quiet", False):
        print(message)


def detail(args: argparse.Namespace, message: str) -> None:
    if getattr(args, "verbose", False):
        print(message, file=sys.stderr)


@contextmanager
def progress_bar(args: argparse.Namespace, **options) -> Iterator[Any]:
    from tqdm import tqdm  # tqdm is light, but only the generating commands need it

    with tqdm(disable=getattr(args, "quiet", False), **options) as bar:
        yield bar


def share_progress(bar) -> Callable[[float, str], None]:
    """A pipeline's progress(share, message) callback driving a 0-100 % bar."""
    def progress(share: float, message: str) -> None:
        bar.n = int(share * 100)
        bar.set_postfix_str(message)
        bar.refresh()
    return progress


_KIND_NAMES = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}


def typed(name: str, value: Any, kind: type | None) -> Any:
    """`value` as `kind`: numbers given as numbers or numeric strings; None takes anything."""
    if kind is None or (isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))):
        return value
    if kind in (int, float) and isinstance(value, (int, float, str)) and not isinstance(value, bool):
        try:
            return kind(value)
        except ValueError:
            pass
    raise ValueError(f"{name} must be {_KIND_NAMES[kind]}; got {value!r}")


def typed_fields(request: dict, fields: dict[str, Field]) -> dict:
    """The request's fields, each of the right type and within its range (the command's field
    table in synth/settings.py); unknown, mistyped or out-of-range fields are errors naming
    them (a typo is not silently ignored)."""
    unknown = sorted(set(request) - set(fields))
    if unknown:
        raise ValueError(f"unknown field {', '.join(map(repr, unknown))}; the fields are {', '.join(fields)}")
    return {name: _checked(name, typed(name, value, fields[name].kind), fields[name])
            for name, value in request.items() if value is not None}


def _checked(name: str, value: Any, field: Field) -> Any:
    return value if field.low is None else check_range(name, value, field)


def read_requests(path: str, needs: str) -> list[dict]:
    """The JSON objects of a JSONL file, one per line; each must have the field `needs`. Each
    request remembers its line number (`_line`) so that later errors can name it."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise EmotionInputError(f"{path} is not UTF-8 text") from None
    requests = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        # ValueError: also numbers of over 4300 digits; RecursionError: nesting too deep.
        except (ValueError, RecursionError) as error:
            raise EmotionInputError(f"{path} line {number} is not JSON: {error or 'nested too deeply'}") from None
        if not isinstance(request, dict) or needs not in request:
            raise EmotionInputError(f"{path} line {number}: each request needs a \"{needs}\" field")
        requests.append({**request, "_line": number})
    if not requests:
        raise EmotionInputError(f"{path} has no requests")
    return requests


def batch_output(out_dir: Path, request: dict, number: int, suffix: str) -> Path:
    """Where a batch request's result goes: its "output" name, else a numbered file; never
    outside `out_dir`, whatever the request file says."""
    name = request.get("output") or f"{number:04d}{suffix}"
    if not isinstance(name, str):
        raise ValueError(f"output must be a string; got {name!r}")
    path = out_dir / name
    if not path.resolve().is_relative_to(out_dir.resolve()):
        raise ValueError(f"output {name!r} is outside the output folder {out_dir}")
    return path


def without_line(request: dict) -> dict:
    return {name: value for name, value in request.items() if name != "_line"}


def run_batch(args: argparse.Namespace, requests: list[dict], suffix: str, check: Callable[[dict], Any],
              make: Callable[[Any, Path], dict], unit: str) -> Path:
    """Checks every request (`check(request) -> settings`, raising the request's error) before
    any runs; then makes each from its checked settings (`make(settings, output) -> manifest
    line`), rewriting the manifest after each one, so an interrupted run keeps what it made; a
    rerun skips requests whose output and manifest line are already there. Returns the
    manifest's path."""
    out_dir = Path(args.out_dir)
    planned = []
    for number, request in enumerate(requests):
        given = without_line(request)
        try:
            planned.append((given, check(given), batch_output(out_dir, request, number, suffix)))
        except ValueError as error:  # EmotionInputError and TextFrontendError are ValueErrors
            raise ValueError(f"{args.batch} line {request['_line']}: {error}") from None
    outputs = [output for _, _, output in planned]
    if len(set(outputs)) != len(outputs):
        raise ValueError(f"{args.batch}: two requests write the same output file")
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = out_dir / MANIFEST_NAME
    done = _completed(manifest)
    lines = []
    with progress_bar(args, total=len(planned), desc=args.command, unit=unit) as bar:
        for request, settings, output in planned:
            key = json.dumps(request, sort_keys=True)
            if key in done and output.exists():
                lines.append(done[key])
            else:
                output.parent.mkdir(parents=True, exist_ok=True)
                lines.append({"request": request, **make(settings, output)})
                atomic_write_bytes(manifest, "".join(json.dumps(line) + "\n" for line in lines).encode())
            bar.update(1)
    atomic_write_bytes(manifest, "".join(json.dumps(line) + "\n" for line in lines).encode())
    return manifest


def _completed(manifest: Path) -> dict[str, dict]:
    """A previous run's manifest lines, by their request."""
    if not manifest.exists():
        return {}
    done = {}
    for line in manifest.read_text().splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("request"), dict):
            done[json.dumps(entry["request"], sort_keys=True)] = entry
    return done
