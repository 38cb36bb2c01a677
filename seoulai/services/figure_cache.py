"""Figures shared by everyone allowed to see them (이용 현황's dashboard, 시범 운영 결과): one computation per filter.

Fresh for ``ttl`` seconds. Older, up to ``STALE`` times ``ttl``, they are still served at once while one background
thread computes them again: a 국장 opening the page in the morning does not wait for a whole-city scan of 2 million
events because the figures are 40 seconds old. With nothing cached, the first caller computes and anyone asking for
the same figures meanwhile waits for that one computation instead of starting another.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
STALE = 10  # figures up to ten times their freshness are served while they are computed again


class FigureCache(Generic[T]):
    def __init__(self, ttl: Callable[[], float], size: int = 64) -> None:
        self.ttl = ttl  # read on every call: the setting may change while the process runs
        self.size = size
        self._items: dict[Hashable, tuple[float, T]] = {}
        self._running: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        ttl = self.ttl()
        if ttl <= 0:
            return compute()
        with self._lock:
            hit = self._items.get(key)
            age = time.monotonic() - hit[0] if hit else None
            if hit is not None and age is not None and age < ttl:
                return hit[1]
            running = self._running.get(key)
            if hit is not None and age is not None and age < ttl * STALE:
                if running is None:
                    self._running[key] = threading.Event()
                    threading.Thread(target=self._refresh, args=(key, compute), daemon=True,
                                     name="figure-refresh").start()
                return hit[1]
            if running is None:
                self._running[key] = threading.Event()
        if running is not None:  # someone is computing these very figures: wait for theirs
            running.wait()
            with self._lock:
                hit = self._items.get(key)
            if hit is not None:
                return hit[1]
            return self.get(key, compute)  # theirs failed: try once ourselves (the error is ours to show)
        try:
            value = compute()
            self._store(key, value)
            return value
        finally:
            self._finish(key)

    def _refresh(self, key: Hashable, compute: Callable[[], T]) -> None:
        try:
            self._store(key, compute())
        except Exception:  # the stale figures stay; the next caller past STALE computes (and sees) the error
            log.exception("refreshing cached figures failed")
        finally:
            self._finish(key)

    def _store(self, key: Hashable, value: T) -> None:
        with self._lock:
            if key not in self._items and len(self._items) >= self.size:
                self._items.pop(min(self._items, key=lambda k: self._items[k][0]))
            self._items[key] = (time.monotonic(), value)

    def _finish(self, key: Hashable) -> None:
        with self._lock:
            done = self._running.pop(key, None)
        if done is not None:
            done.set()
