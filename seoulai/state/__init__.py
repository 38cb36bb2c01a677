"""Shared application state (accounts, sessions, lockouts, quotas, audit, conversations, drafts).

SQLite embedded by default; PostgreSQL (SEOULAI_STATE__URL) when several app servers run behind one address.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seoulai.state.db import Database, open_database
from seoulai.state.stores import (AccountStore, AuditStore, FailureStore, QuotaStore, RecordStore, SessionStore,
                                  shared_secret)


@dataclass
class StateStore:
    db: Database
    accounts: AccountStore
    sessions: SessionStore
    failures: FailureStore
    quotas: QuotaStore
    audit: AuditStore
    conversations: RecordStore
    drafts: RecordStore

    def secret(self, name: str) -> str:
        return shared_secret(self.db, name)

    def close(self) -> None:
        self.db.close()


def open_state(url: str | None, data_dir: Path, server: str) -> StateStore:
    db = open_database(url, data_dir)
    return StateStore(db=db, accounts=AccountStore(db), sessions=SessionStore(db), failures=FailureStore(db),
                      quotas=QuotaStore(db), audit=AuditStore(db, server),
                      conversations=RecordStore(db, "conversations", "kind"), drafts=RecordStore(db, "drafts", "template"))


__all__ = ["Database", "StateStore", "open_state"]
