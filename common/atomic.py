"""Writing a file whole or not at all: the one way every layer writes its outputs, checkpoints
and reports, so an interrupted run never leaves a half-written file behind.

`atomic_write_bytes` writes bytes at once; `atomic_path` lends a temporary path beside the
file to a writer that needs a name (ffmpeg, soundfile, numpy, a copy); `PendingFile` is the
same for a writer that opens in one call and finishes in another (a streaming track);
`atomic_folder` puts a folder of files in place whole (a stored voice's clips)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class PendingFile:
    """A temporary file beside `path` (same folder, so the rename is atomic): `commit()` renames
    it onto `path`, `discard()` removes it. `suffix` keeps the extension a writer reads the
    format from."""

    def __init__(self, path: Path, suffix: str = ".tmp"):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=suffix)
        os.close(handle)
        self.temporary = Path(temporary)

    def commit(self) -> Path:
        try:
            os.chmod(self.temporary, 0o644)  # mkstemp makes files private; outputs and checkpoints are shared
            os.replace(self.temporary, self.path)
        except BaseException:
            self.discard()
            raise
        return self.path

    def discard(self) -> None:
        self.temporary.unlink(missing_ok=True)


@contextmanager
def atomic_path(path: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary path beside `path` to write to; renamed onto `path` when the block ends,
    removed when it raises (or is interrupted)."""
    pending = PendingFile(path, suffix)
    try:
        yield pending.temporary
    except BaseException:
        pending.discard()
        raise
    pending.commit()


@contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """A staging folder beside `path` to fill; when the block ends it replaces `path` whole (an
    older folder there is removed after the swap), and when it raises it is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    os.chmod(staging, 0o755)  # mkdtemp makes folders private, like mkstemp
    # A folder cannot be renamed onto a non-empty one: move the old one aside first.
    previous = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.old.")) if path.exists() else None
    if previous is not None:
        os.replace(path, previous / path.name)
    os.replace(staging, path)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Writes to a temporary file beside `path`, then renames: never a half-written file."""
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)
