"""The state store in one embedded SQLite file under the data dir: the default, for a single app server (and the
CLI beside it)."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from seoulai.state.db import Database, Tx

log = logging.getLogger(__name__)


class SQLiteDatabase(Database):
    """One file, WAL mode: several processes (the app, the CLI) read and write it safely."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        super().__init__()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA busy_timeout=30000")
            _wal(connection)
            connection.execute("PRAGMA synchronous=NORMAL")
            # A deleted row's bytes are overwritten with zeros, not left in a free page for anyone to read.
            connection.execute("PRAGMA secure_delete=ON")
            self._local.connection = connection
            with self._lock:
                self._all.append(connection)
        return connection

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")  # writers queue here: read-modify-write steps cannot interleave
        self._counted()
        tx = _SQLiteTx(connection, self)
        try:
            yield tx
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def scrub(self) -> None:
        """Copy every committed page (deleted rows already zeroed by secure_delete) into the main file and empty the
        WAL, whose older frames still hold the rows as they were. A reader in another process that holds an old
        snapshot makes the WAL stay for now; the next scrub (or the last connection's close) empties it."""
        busy, _, _ = self._connection().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        self._counted()
        if busy:
            log.info("state store WAL not emptied yet: another connection is reading")

    def close(self) -> None:
        with self._lock:
            for connection in self._all:
                connection.close()
            self._all.clear()
        self._local = threading.local()


def _wal(connection: sqlite3.Connection) -> None:
    """WAL mode is kept in the file; switching needs a moment alone, which two starting processes contend for."""
    for attempt in range(100):
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            connection.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:
            time.sleep(0.05 * (attempt % 10 + 1))
    raise sqlite3.OperationalError("could not switch the state store to WAL mode")


class _SQLiteTx:
    def __init__(self, connection: sqlite3.Connection, db: Database) -> None:
        self.connection = connection
        self.db = db

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        self.db._counted()
        return self.connection.execute(sql, tuple(params)).rowcount

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.db._counted()
        return self.connection.execute(sql, tuple(params)).fetchall()

    def lock(self, key: str) -> None:
        """BEGIN IMMEDIATE already holds the database's write lock."""
