"""The app's background vector filler: embeds every chunk that has no vector yet, in every collection.

Keyword search serves from the moment a document is indexed; the dense side catches up here, so a fresh
install (make run), an ingest from the command line while the app holds the vector store, or an embedder
that was down all end with complete vectors without anyone waiting. Progress is shown in the sidebar.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass

from seoulai.errors import SeoulAIError
from seoulai.retrieval.index import SearchIndex

log = logging.getLogger(__name__)
BATCH = 32
NICE = 15  # the filler's nice value: a question's threads (0) win every core it wants


@dataclass
class FillStatus:
    done: int = 0
    total: int = 0
    error: str = ""

    @property
    def busy(self) -> bool:
        return self.done < self.total


class VectorFiller:
    def __init__(self, index: SearchIndex, interval: float = 15.0) -> None:
        self.index = index
        self.interval = interval
        self.status = FillStatus()
        self._checked: dict[str, str | None] = {}  # collection -> generation last found complete
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="vector-filler", daemon=True)

    def start(self) -> "VectorFiller":
        if self.index.dense is not None:
            self.index.defer_vectors(self.wake)
            self._thread.start()
        return self

    def wake(self) -> None:
        """New passages are in: fill now rather than at the next interval."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        _lower_priority()
        while not self._stop.is_set():
            try:
                self.fill_once()
                self.status.error = ""
            except SeoulAIError as error:  # the embedder or the vector store is away: try again later
                self.status.error = error.message
                log.warning("vector filler paused: %s", error.message)
            except Exception as exc:  # noqa: BLE001 - a background helper must never take the app down
                self.status.error = str(exc)
                log.exception("vector filler failed")
            self._wake.wait(self.interval)
            self._wake.clear()

    def fill_once(self) -> int:
        """Embed what is missing now (every collection whose generation changed since it was last complete), the
        smallest first: a person's fresh upload is semantic within seconds even while the library fills. New work
        (``wake``) interrupts the pass, which then starts over with it."""
        dense = self.index.dense
        if dense is None:
            return 0
        work = []
        for name in self.index.collections():
            collection = self.index.collection(name)
            generation = collection.current()
            if self._checked.get(name) == generation:
                continue
            known = dense.known_ids(name)
            chunks = [c for d in collection.documents() for c in collection.chunks_of([d.doc])]
            missing = [c for c in chunks if c.id not in known]
            stale = known - {c.id for c in chunks}
            if stale:  # vectors of chunks removed while another process could not reach the store
                dense.delete(sorted(stale))
            work.append((name, generation, missing))
        work.sort(key=lambda item: len(item[2]))
        self.status = FillStatus(0, sum(len(m) for _, _, m in work))
        filled = 0
        for name, generation, missing in work:
            for start in range(0, len(missing), BATCH):
                if self._stop.is_set() or self._wake.is_set():
                    return filled
                filled += dense.upsert(name, missing[start : start + BATCH])
                self.status.done = filled
                time.sleep(0)  # let searches in
            self._checked[name] = generation
        return filled


def _lower_priority() -> None:
    """Run this thread (and the embedder threads it starts) below the threads that answer people: on Linux a
    thread has its own nice value, inherited by the threads it creates."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
    except (AttributeError, OSError) as exc:  # not Linux, or not allowed: the filler still works, at equal priority
        log.info("vector filler keeps normal priority: %r", exc)
