"""Shared application state (accounts, sessions, lockouts, quotas, audit, conversations, drafts).

SQLite embedded by default; PostgreSQL (SEOULAI_STATE__URL) when several app servers run behind one address.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seoulai.state.db import Database
from seoulai.state.sqlite import SQLiteDatabase
from seoulai.state.stores import (AccountStore, AuditStore, FailureStore, QuotaStore, RecordStore, SessionStore,
                                  shared_secret)
from seoulai.state.rollout import RolloutStore
from seoulai.state.shares import DraftShares
from seoulai.state.turns import ConversationStore


@dataclass
class StateStore:
    db: Database
    accounts: AccountStore
    sessions: SessionStore
    failures: FailureStore
    quotas: QuotaStore
    audit: AuditStore
    conversations: ConversationStore
    drafts: RecordStore
    shares: DraftShares
    rollout: RolloutStore

    def secret(self, name: str) -> str:
        return shared_secret(self.db, name)

    def close(self) -> None:
        self.db.close()


def open_database(url: str | None, data_dir: Path) -> Database:
    """``None``: the embedded SQLite file under the data dir; ``postgresql://…``: a shared PostgreSQL."""
    if url:
        # psycopg and its pool load only when a PostgreSQL URL is set (the CLI and a single server never need them).
        from seoulai.state.postgres import PostgresDatabase

        database: Database = PostgresDatabase(url)
    else:
        database = SQLiteDatabase(data_dir / "state.sqlite")
    database.migrate()
    return database


def open_state(url: str | None, data_dir: Path, server: str) -> StateStore:
    db = open_database(url, data_dir)
    return StateStore(db=db, accounts=AccountStore(db), sessions=SessionStore(db), failures=FailureStore(db),
                      quotas=QuotaStore(db), audit=AuditStore(db, server),
                      conversations=ConversationStore(db), drafts=RecordStore(db, "drafts", "template"),
                      shares=DraftShares(db), rollout=RolloutStore(db))


__all__ = ["Database", "StateStore", "open_database", "open_state"]
