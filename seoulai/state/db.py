"""The state store's connection: embedded SQLite by default, PostgreSQL when several app servers share it.

One small interface (``run``, ``rows``, ``transaction``) over both; SQL is written once with ``?`` markers and
portable types, and rewritten for psycopg. Schema changes are numbered migrations applied at open, each in
its own transaction, so every server that starts brings the schema to the same version.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from seoulai.state.migrations import MIGRATIONS

log = logging.getLogger(__name__)


class Tx(Protocol):
    def run(self, sql: str, params: Sequence[Any] = ()) -> int: ...
    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...
    def lock(self, key: str) -> None: ...


class Database:
    """Thread-safe. ``queries`` counts statements (the load benchmark reports queries per answer)."""

    dialect: str = "sqlite"

    def __init__(self) -> None:
        self.queries = 0
        self._count_lock = threading.Lock()

    def _counted(self, n: int = 1) -> None:
        with self._count_lock:
            self.queries += n

    @contextmanager
    def transaction(self) -> Iterator[Tx]:  # pragma: no cover - implemented by the backends
        raise NotImplementedError
        yield

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self.transaction() as tx:
            return tx.run(sql, params)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.transaction() as tx:
            return tx.rows(sql, params)

    def close(self) -> None:
        pass

    def scrub(self) -> None:
        """After deleting personal content (a conversation, the history that quoted a deleted upload): leave none
        of it in the database's files. PostgreSQL reuses dead rows' space by its own (auto)vacuum and its WAL is
        recycled by the server; nothing to do here."""

    def migrate(self) -> int:
        """Apply every migration newer than the stored version; returns the version reached."""
        with self.transaction() as tx:
            tx.lock("schema")  # two servers starting at once on an empty PostgreSQL would both create it
            tx.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        for version, statements in enumerate(MIGRATIONS, start=1):
            with self.transaction() as tx:
                tx.lock("schema")
                current = tx.rows("SELECT max(version) FROM schema_version")[0][0] or 0
                if current >= version:
                    continue
                for statement in statements:
                    tx.run(statement)
                tx.run("INSERT INTO schema_version (version) VALUES (?)", [version])
                log.info("state store migrated to version %d", version)
        return len(MIGRATIONS)


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


def open_database(url: str | None, data_dir: Path) -> Database:
    """``None``: the embedded SQLite file under the data dir; ``postgresql://…``: a shared PostgreSQL."""
    if url:
        from seoulai.state.postgres import PostgresDatabase

        database: Database = PostgresDatabase(url)
    else:
        database = SQLiteDatabase(data_dir / "state.sqlite")
    database.migrate()
    return database
