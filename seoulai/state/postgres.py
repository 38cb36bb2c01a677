"""The state store on a shared PostgreSQL server: what several app servers behind one address use.

SQL is written once with ``?`` markers (see :mod:`seoulai.state.db`) and rewritten to psycopg's ``%s`` here.
Connections come from a small pool per process; every transaction is one pooled connection, and a
read-modify-write step takes a transaction-scoped advisory lock named by its key, so two servers taking the
same person's quota (or making the same shared secret) queue instead of both passing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from seoulai.state.db import Database, Tx


def _sql(statement: str) -> str:
    """``?`` markers to psycopg's; a literal ``%`` doubled so psycopg does not read it as a marker."""
    return statement.replace("%", "%%").replace("?", "%s")


class PostgresDatabase(Database):
    dialect = "postgresql"

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 8, timeout: float = 30.0) -> None:
        super().__init__()
        self.url = url
        self._pool = ConnectionPool(url, min_size=min_size, max_size=max_size, timeout=timeout, open=False,
                                    kwargs={"autocommit": False}, name="seoulai-state")
        self._pool.open(wait=True, timeout=timeout)
        self._closed = threading.Event()

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self._pool.connection() as connection:  # commits on success, rolls back on an exception
            self._counted()
            with connection.transaction():
                yield _PostgresTx(connection, self)

    def close(self) -> None:
        if not self._closed.is_set():
            self._closed.set()
            self._pool.close()


class _PostgresTx:
    def __init__(self, connection: psycopg.Connection[Any], db: Database) -> None:
        self.connection = connection
        self.db = db

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        self.db._counted()
        with self.connection.cursor() as cursor:
            cursor.execute(_sql(sql), tuple(params))
            return cursor.rowcount

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.db._counted()
        with self.connection.cursor() as cursor:
            cursor.execute(_sql(sql), tuple(params))
            return list(cursor.fetchall())

    def lock(self, key: str) -> None:
        """Held until this transaction ends; the same key on any server waits for it."""
        self.run("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", [key])
