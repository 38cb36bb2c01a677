"""Conversations that grow by appending: each answered question is one row of ``conversation_turns``, so saving
the twentieth turn writes that turn, not the nineteen before it again.

Conversations stored before (migration 4) keep their turns in the ``turns`` column; they are read first and
new turns follow them.
"""

from __future__ import annotations

import json
import time
from typing import Any

from seoulai.state.db import Database
from seoulai.state.stores import Record, RecordStore, _record


class ConversationStore(RecordStore):
    def __init__(self, db: Database) -> None:
        super().__init__(db, "conversations", "kind")

    def append(self, owner: str, record_id: str, kind: str, title: str, turn: Any) -> None:
        """Add one turn at the end of the conversation (created, with ``title``, by its first turn)."""
        now = time.time()
        with self.db.transaction() as tx:
            tx.lock(f"conversations:{record_id}")
            found = tx.rows("SELECT owner FROM conversations WHERE id = ?", [record_id])
            if found and found[0][0] != owner:
                raise PermissionError("not the owner")
            if found:
                tx.run("UPDATE conversations SET updated_at = ? WHERE id = ? AND owner = ?", [now, record_id, owner])
            else:
                tx.run("INSERT INTO conversations VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [record_id, owner, kind, title, now, now, "[]"])
            seq = tx.rows("SELECT COALESCE(MAX(seq), -1) + 1 FROM conversation_turns WHERE conversation = ?",
                          [record_id])[0][0]
            tx.run("INSERT INTO conversation_turns VALUES (?, ?, ?, ?)",
                   [record_id, seq, owner, json.dumps(turn, ensure_ascii=False)])

    def head(self, owner: str, record_id: str) -> Record | None:
        """The conversation's id, kind, title and times, without reading its turns."""
        rows = self.db.rows("SELECT id, kind, title, created_at, updated_at FROM conversations WHERE id = ? AND owner = ?",
                            [record_id, owner])
        return _record(rows[0], None) if rows else None

    def get(self, owner: str, record_id: str) -> Record | None:
        record = super().get(owner, record_id)
        if record is None:
            return None
        rows = self.db.rows("SELECT body FROM conversation_turns WHERE conversation = ? AND owner = ? ORDER BY seq",
                            [record_id, owner])
        return Record(record.id, record.kind, record.title, record.created_at, record.updated_at,
                      [*record.body, *(json.loads(row[0]) for row in rows)])

    def delete(self, owner: str, record_id: str) -> bool:
        with self.db.transaction() as tx:
            tx.run("DELETE FROM conversation_turns WHERE conversation = ? AND owner = ?", [record_id, owner])
            return tx.run("DELETE FROM conversations WHERE id = ? AND owner = ?", [record_id, owner]) > 0

    def expire(self, before: float) -> int:
        with self.db.transaction() as tx:
            tx.run("DELETE FROM conversation_turns WHERE conversation IN "
                   "(SELECT id FROM conversations WHERE updated_at < ?)", [before])
            return tx.run("DELETE FROM conversations WHERE updated_at < ?", [before])
