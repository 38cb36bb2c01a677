"""Writing one keyword-index generation: a temporary folder, made durable, renamed into place, then CURRENT
switched to it with an atomic rename (seoulai.retrieval.collection describes the layout).

Whatever fails on the way (a full disk above all), nothing of the new generation stays behind and the live one
is untouched, so a reader and the next writer see only complete generations.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from seoulai.errors import DiskFullError, disk_full


@contextmanager
def new_generation(root: Path, generation: str, current: Callable[[], str | None]) -> Iterator[Path]:
    """The temporary folder to write ``generation`` into. On any error it is removed (with the generation itself
    when it was renamed into place but CURRENT could not be switched), and a full disk (ENOSPC, SQLite's "database
    or disk is full") becomes :class:`DiskFullError`, a Korean message that says nothing stored was lost."""
    tmp = root / f"{generation}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        yield tmp
    except BaseException as error:
        shutil.rmtree(tmp, ignore_errors=True)
        (root / "CURRENT.tmp").unlink(missing_ok=True)
        if current() != generation:
            shutil.rmtree(root / generation, ignore_errors=True)
        if disk_full(error):
            raise DiskFullError() from error
        raise


def publish(tmp: Path, root: Path, generation: str) -> None:
    """Make the written generation durable and live: fsync, rename into place, switch CURRENT atomically."""
    _fsync_tree(tmp)
    os.rename(tmp, root / generation)
    pointer = root / "CURRENT.tmp"
    pointer.write_text(generation, encoding="utf-8")
    with open(pointer, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(pointer, root / "CURRENT")


def _fsync_tree(path: Path) -> None:
    for file in path.rglob("*"):
        if file.is_file():
            with open(file, "rb") as handle:
                os.fsync(handle.fileno())
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
