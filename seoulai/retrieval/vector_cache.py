"""Vectors by content hash, so a re-index (a new generation, a replaced document, a rebuilt Qdrant
collection) never embeds an unchanged passage twice. SQLite under the index dir; one row per (model, text)."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np


class VectorCache:
    def __init__(self, path: Path, model: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.model = model
        self.db = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
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
                found.update(self.db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})",  # noqa: S608
                                             part).fetchall())
        out = {i: np.frombuffer(found[k], dtype=np.float32).tolist() for i, k in enumerate(keys) if k in found}
        self.hits += len(out)
        self.misses += len(texts) - len(out)
        return out

    def put(self, texts: Sequence[str], vectors: Sequence[Sequence[float]]) -> None:
        rows = [(self._key(t), np.asarray(v, dtype=np.float32).tobytes()) for t, v in zip(texts, vectors)]
        with self._lock:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
            self.db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self.db.close()
