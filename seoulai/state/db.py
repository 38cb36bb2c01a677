"""The state store's connection, as the stores see it: embedded SQLite by default (:mod:`seoulai.state.sqlite`),
PostgreSQL when several app servers share it (:mod:`seoulai.state.postgres`); :func:`seoulai.state.open_database`
picks one.

One small interface (``run``, ``rows``, ``transaction``) over both; SQL is written once with ``?`` markers and
portable types, and rewritten for psycopg. Schema changes are numbered migrations applied at open, each in
its own transaction, so every server that starts brings the schema to the same version.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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
