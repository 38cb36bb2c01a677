"""Vectors by content hash, so a re-index (a new generation, a replaced document, a rebuilt Qdrant
collection) never embeds an unchanged passage twice. SQLite under the index dir; one row per (model, text).

A row holds no text, only its hash and vector, but a vector still says something about a passage (and a hash
confirms a guessed one): a passage that leaves its collection leaves the cache too (``forget``), its bytes
overwritten (secure_delete) and the WAL truncated, so nothing of it stays in the files.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Container, Iterable, Sequence
from pathlib import Path

import numpy as np


class VectorCache:
    def __init__(self, path: Path, model: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.model = model
        self.db = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA secure_delete=ON")  # a deleted row's bytes are zeroed, not left in a free page
        self.db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model}\x00{text}".encode()).hexdigest()

    def get(self, texts: Sequence[str]) -> dict[int, list[float]]:
        """Cached vectors by position in ``texts``."""
        keys = [self._key(t) for t in texts]
        found: dict[str, bytes] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                part = keys[start : start + 500]
                marks = ",".join("?" * len(part))
                found.update(self.db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})",  # noqa: S608 - ? marks only
                                             part).fetchall())
        out = {i: np.frombuffer(found[k], dtype=np.float32).tolist() for i, k in enumerate(keys) if k in found}
        self.hits += len(out)
        self.misses += len(texts) - len(out)
        return out

    def put(self, texts: Sequence[str], vectors: Sequence[Sequence[float]],
            keep: Callable[[], Container[str]] | None = None) -> None:
        """Cache the vectors; with ``keep``, only those of the texts it names, asked while holding the write lock
        ``forget`` waits for (in this process and in others), so a passage forgotten meanwhile is not cached again."""
        rows = [(self._key(t), np.asarray(v, dtype=np.float32).tobytes()) for t, v in zip(texts, vectors)]
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                if keep is not None:
                    allowed = keep()
                    rows = [row for row, text in zip(rows, texts) if text in allowed]
                self.db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def forget(self, texts: Iterable[str]) -> int:
        """Delete the cached vectors of these texts (a deleted or expired document's passages); returns how many."""
        removed = 0
        batch: list[tuple[str]] = []
        with self._lock:
            for text in texts:
                batch.append((self._key(text),))
                if len(batch) >= 500:
                    removed += self._delete(batch)
            if batch:
                removed += self._delete(batch)
            if removed:
                # Move the zeroed pages into the main file and empty the WAL, which still held the old rows' pages.
                self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return removed

    def _delete(self, batch: list[tuple[str]]) -> int:
        self.db.execute("BEGIN")
        before = self.db.total_changes
        self.db.executemany("DELETE FROM vectors WHERE key = ?", batch)
        self.db.execute("COMMIT")
        batch.clear()
        return self.db.total_changes - before

    def close(self) -> None:
        with self._lock:
            self.db.close()
