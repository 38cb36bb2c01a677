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
from collections.abc import Callable, Sequence
from collections.abc import Collection as Collection_
from dataclasses import dataclass

from seoulai.errors import SeoulAIError
from seoulai.ingest.types import Chunk
from seoulai.retrieval.collection import Collection
from seoulai.retrieval.index import SearchIndex

log = logging.getLogger(__name__)
BATCH = 32
NICE = 15  # the filler's nice value: a question's threads (0) win every core it wants


@dataclass(frozen=True)
class SemanticProgress:
    """What one person's sidebar shows: passages with a vector / passages over the collections they read, the same
    for their own uploads (``own_*``), and ``preparing`` while the embedding model is built or loaded."""

    done: int
    total: int
    own_done: int = 0
    own_total: int = 0
    preparing: bool = False
    error: str = ""

    @property
    def busy(self) -> bool:
        return self.preparing or self.done < self.total

    @property
    def own_busy(self) -> bool:
        return self.own_done < self.own_total


class FillStatus:
    """Per collection: how many of its live passages have a vector, of how many, as the filler last counted them
    (then counted up as it embeds). A collection's figures change only when it is counted again, so a pass that
    starts over for an upload (the smallest collection first) never takes a sum backwards: only a deletion lowers
    one. Read by the sidebar's thread while the filler writes, hence the lock."""

    def __init__(self, model_ready: Callable[[], bool] = lambda: True) -> None:
        self.error = ""
        self.model_ready = model_ready
        self._counts: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def count(self, collection: str, done: int, total: int) -> None:
        with self._lock:
            self._counts[collection] = (done, total)

    def add(self, collection: str, filled: int) -> None:
        with self._lock:
            done, total = self._counts.get(collection, (0, 0))
            self._counts[collection] = (min(done + filled, total), total)

    def keep_only(self, collections: Collection_[str]) -> None:
        """Collections deleted (or renamed) since the last count leave the sums."""
        with self._lock:
            self._counts = {name: c for name, c in self._counts.items() if name in collections}

    def _sum(self, collections: Collection_[str] | None = None) -> tuple[int, int]:
        with self._lock:
            chosen = [c for name, c in self._counts.items() if collections is None or name in collections]
        return sum(d for d, _ in chosen), sum(t for _, t in chosen)

    @property
    def done(self) -> int:
        return self._sum()[0]

    @property
    def total(self) -> int:
        return self._sum()[1]

    @property
    def busy(self) -> bool:
        done, total = self._sum()
        return done < total

    def seen_by(self, collections: Sequence[str], own: str) -> SemanticProgress:
        """The figures over what one person reads (``collections``) and over their own uploads (``own``)."""
        done, total = self._sum(set(collections))
        own_done, own_total = self._sum({own})
        return SemanticProgress(done, total, own_done, own_total, not self.model_ready(), self.error)


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
        dense = self.index.dense
        if dense is not None:
            # The model builds (first use, ~15 s) in the background; searches skip the dense side until it is ready.
            dense.load_in_background()
            self.status.model_ready = dense.ready
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
            except Exception as exc:  # a background helper must never take the app down
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
        names = self.index.collections()
        self.status.keep_only(names)
        for name in names:
            collection = self.index.collection(name)
            generation = collection.current()
            if self._checked.get(name) == generation:
                continue
            known = dense.known_ids(name)
            chunks = [(d.doc, c) for d in collection.documents() for c in collection.chunks_of([d.doc])]
            docs = {c.id: doc for doc, c in chunks}  # which document each passage belongs to, for the live check
            missing = [c for _, c in chunks if c.id not in known]
            stale = known - docs.keys()
            if stale:  # vectors of chunks removed while another process could not reach the store
                dense.delete(sorted(stale))
            self.status.count(name, len(known & docs.keys()), len(docs))
            work.append((name, generation, missing, _still_live(collection, docs)))
        work.sort(key=lambda item: len(item[2]))
        filled = 0
        for name, generation, missing, live in work:
            for start in range(0, len(missing), BATCH):
                if self._stop.is_set() or self._wake.is_set():
                    return filled
                # A document deleted while its passages are embedded gets none of its vectors back (dense.upsert).
                stored = dense.upsert(name, missing[start : start + BATCH], live=live)
                self.status.add(name, stored)
                filled += stored
                time.sleep(0)  # let searches in
            self._checked[name] = generation
        return filled


def _still_live(collection: Collection, docs: dict[str, str]) -> Callable[[Sequence[Chunk]], set[str]]:
    """The ids of the given chunks (of the documents ``docs`` maps their ids to) that the collection's live
    generation holds now: CURRENT is read afresh, so a deletion that has switched generations is seen at once."""
    def live(chunks: Sequence[Chunk]) -> set[str]:
        view = collection.view()
        if view is None:
            return set()
        wanted = {c.id for c in chunks}
        return wanted & {i for doc in {docs[c.id] for c in chunks} for i in view[1].chunk_ids(doc)}

    return live


def _lower_priority() -> None:
    """Run this thread (and the embedder threads it starts) below the threads that answer people: on Linux a
    thread has its own nice value, inherited by the threads it creates."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
    except (AttributeError, OSError) as exc:  # not Linux, or not allowed: the filler still works, at equal priority
        log.info("vector filler keeps normal priority: %r", exc)
