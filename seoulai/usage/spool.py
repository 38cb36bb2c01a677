"""Each process's append-only spool of usage events: one JSON line per event, written with a single
``os.write`` on an ``O_APPEND`` file before ``record`` returns.

So any process may record (the app, a second replica, the command line) while one of them holds the DuckDB
file, and a killed process (SIGKILL) loses nothing it recorded: the bytes are in the kernel's page cache. An
operating-system crash or power cut can lose what was written since the last ``fsync`` (the folder syncs every
``usage.flush_interval`` seconds).
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROTATE_BYTES = 32 * 1024 * 1024
# A quiet server's file is closed after an hour too: a folded file is deleted only once closed, so no event line
# (question text included) outlives its fold by much more than this (README, 보관 기간).
ROTATE_SECONDS = 3600.0


@dataclass(frozen=True)
class SpoolFile:
    path: Path

    @property
    def pid(self) -> int:
        try:
            return int(self.path.stem.rsplit("-", 2)[-2])
        except (IndexError, ValueError):
            return -1

    def idle(self, seconds: float = 60.0) -> bool:
        """Written by a process that is gone (or silent for a while): safe to delete once folded."""
        try:
            quiet = time.time() - self.path.stat().st_mtime > seconds
        except FileNotFoundError:
            return True
        return quiet and not _alive(self.pid)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Spool:
    """Thread-safe writer of this process's spool file."""

    def __init__(self, folder: Path, owner: str) -> None:
        self.folder = folder
        self.owner = owner
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._size = 0
        self._opened = 0.0
        self._path: Path | None = None

    def _open(self) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._path = self.folder / f"{self.owner}-{os.getpid()}-{time.time_ns()}.jsonl"
        self._fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._size = 0
        self._opened = time.monotonic()
        return self._fd

    def append(self, row: dict[str, Any]) -> None:
        line = (json.dumps(row, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        with self._lock:
            fd = self._fd if self._fd is not None else self._open()
            if self._size + len(line) > ROTATE_BYTES or time.monotonic() - self._opened > ROTATE_SECONDS:
                os.close(fd)
                fd = self._open()
            written = os.write(fd, line)
            while written < len(line):  # a regular file takes it whole; be exact anyway
                written += os.write(fd, line[written:])
            self._size += len(line)

    @property
    def current(self) -> Path | None:
        return self._path

    def sync(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.fsync(self._fd)

    def rotate_if_old(self) -> None:
        """Close the file once it is ROTATE_SECONDS old even when nothing more is recorded, so it can be folded
        to its end and deleted."""
        with self._lock:
            if self._fd is not None and time.monotonic() - self._opened > ROTATE_SECONDS:
                self._close()

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._fd is not None:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None
            self._path = None  # closed: every file of this process may now be folded to its end and deleted


def read_lines(path: Path, offset: int) -> tuple[list[dict[str, Any]], int]:
    """Complete lines from ``offset`` on, and the offset after the last complete line (a line being written
    at this moment, or torn by a crash, is left for the next read)."""
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except FileNotFoundError:
        return [], offset
    end = data.rfind(b"\n") + 1
    rows = []
    for raw in data[:end].splitlines():
        if raw.strip():
            try:
                rows.append(json.loads(raw))
            except ValueError:  # a torn line from a crash of the writing process: skip it, keep the rest
                continue
    return rows, offset + end


def spool_files(folder: Path) -> list[SpoolFile]:
    return [SpoolFile(p) for p in sorted(folder.glob("*.jsonl"))] if folder.is_dir() else []
