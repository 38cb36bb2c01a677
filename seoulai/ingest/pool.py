"""Parse files in limited subprocesses: a hostile or broken file can never take the app down.

A :class:`ParserPool` keeps a few long-lived worker processes (``python -m seoulai.ingest.worker``),
so batch ingestion does not pay a process start per file. A worker that times out or dies is killed
and replaced; the file gets a ``timeout`` or ``corrupt`` error and the other files go on.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from seoulai.config import IngestSettings
from seoulai.ingest.failures import IngestError
from seoulai.ingest.guards import check_file
from seoulai.ingest.types import Document

log = logging.getLogger(__name__)


class _Worker:
    """One parser subprocess. Its memory cap is set at start; time limits come with each request."""

    def __init__(self, memory_mb: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "seoulai.ingest.worker", "--memory-mb", str(memory_mb)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, encoding="utf-8", env=dict(os.environ, PYTHONIOENCODING="utf-8"), bufsize=1,
        )

    def parse(self, path: Path, limits: IngestSettings) -> Document:
        request = {"path": str(path), "limits": limits.model_dump()}
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            self.proc.kill()

        timer = threading.Timer(limits.parse_timeout, kill)
        timer.start()
        try:
            assert self.proc.stdin is not None and self.proc.stdout is not None
            self.proc.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except (BrokenPipeError, OSError):
            line = ""
        finally:
            timer.cancel()
        if not line:
            code = self.proc.wait(timeout=10)
            if timed_out.is_set():
                raise IngestError("timeout", f"{limits.parse_timeout:g}초 초과")
            log.error("parser process died on %s with code %s", path.name, code)
            raise IngestError("corrupt", "문서 해석 중 중단됨")
        response = json.loads(line)
        if "error" in response:
            raise IngestError(response["error"]["code"], response["error"].get("detail", ""))
        return Document.from_json(response["document"])

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        """Stop the process (politely if it still runs) and close both pipes, dead or alive."""
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        except OSError:  # a killed worker's pipe may be broken
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


class ParserPool:
    """Thread-safe pool of parser subprocesses. Use as a context manager, or call close().

    ``limits`` apply to every request as it is made (the memory cap to workers started after a change)."""

    def __init__(self, limits: IngestSettings, size: int | None = None) -> None:
        self.limits = limits
        self.size = size or limits.workers
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._created = 0
        self._lock = threading.Lock()
        self._closed = False

    def _acquire(self) -> _Worker:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if self._created < self.size:
                self._created += 1
                return _Worker(self.limits.parse_memory_mb)
        return self._idle.get()

    def _release(self, worker: _Worker) -> None:
        if worker.alive and not self._closed:
            self._idle.put(worker)
            return
        worker.close()
        replacement = _Worker(self.limits.parse_memory_mb) if not self._closed else None
        if replacement is not None:
            self._idle.put(replacement)
        else:
            with self._lock:
                self._created -= 1

    def extract(self, path: Path) -> Document:
        """Guard, then parse one file in a subprocess. Raises IngestError with a Korean message."""
        check_file(path, self.limits)
        worker = self._acquire()
        try:
            return worker.parse(path, self.limits)
        finally:
            self._release(worker)

    def extract_many(self, paths: Iterable[Path]) -> Iterator[tuple[Path, Document | IngestError]]:
        """Parse files in parallel (one thread per worker); yields results in input order."""

        def one(path: Path) -> tuple[Path, Document | IngestError]:
            try:
                return path, self.extract(path)
            except IngestError as error:
                return path, error

        with ThreadPoolExecutor(max_workers=self.size) as executor:
            yield from executor.map(one, paths)

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                break

    def __enter__(self) -> "ParserPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def extract(path: Path, limits: IngestSettings) -> Document:
    """One file, one short-lived worker (CLI `seoulai extract`)."""
    with ParserPool(limits, size=1) as pool:
        return pool.extract(path)
