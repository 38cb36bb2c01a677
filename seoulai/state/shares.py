"""Drafts shared with named colleagues: who may read or edit which draft.

A share never copies the draft: the colleague reads and (if editable) writes the owner's one record, so there is
one version history. A colleague's save checks the share in the same transaction (under the draft's lock) as the
write, so an unshare or a delete that lands first always wins.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from seoulai.state.db import Database

_COLUMNS = "draft, owner, colleague, name, department, editable, created_at, edited_at, edits"


@dataclass(frozen=True)
class ShareRow:
    draft: str
    owner: str  # the owner's pseudonym
    colleague: str  # the colleague's pseudonym
    name: str  # the colleague's name, as the owner sees it in the 공유 list
    department: str  # the 과 both belonged to when the draft was shared
    editable: bool
    created_at: float
    edited_at: float | None  # the colleague's last save
    edits: int  # how many saves the colleague made


def _row(row: tuple[Any, ...]) -> ShareRow:
    return ShareRow(draft=row[0], owner=row[1], colleague=row[2], name=row[3], department=row[4],
                    editable=bool(row[5]), created_at=float(row[6]),
                    edited_at=None if row[7] is None else float(row[7]), edits=int(row[8]))


class DraftShares:
    def __init__(self, db: Database) -> None:
        self.db = db

    def put(self, draft: str, owner: str, colleague: str, name: str, department: str, editable: bool) -> bool:
        """Share (or change how) ``draft`` with ``colleague``; False when ``owner`` does not own the draft."""
        with self.db.transaction() as tx:
            tx.lock(f"drafts:{draft}")
            if not tx.rows("SELECT 1 FROM drafts WHERE id = ? AND owner = ?", [draft, owner]):
                return False
            if tx.run("UPDATE draft_shares SET editable = ?, name = ?, department = ? WHERE draft = ? AND colleague = ?",
                      [int(editable), name, department, draft, colleague]):
                return True
            tx.run(f"INSERT INTO draft_shares ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 0)",  # noqa: S608 - constant columns
                   [draft, owner, colleague, name, department, int(editable), time.time()])
            return True

    def get(self, draft: str, colleague: str) -> ShareRow | None:
        rows = self.db.rows(f"SELECT {_COLUMNS} FROM draft_shares WHERE draft = ? AND colleague = ?",  # noqa: S608 - constant columns
                            [draft, colleague])
        return _row(rows[0]) if rows else None

    def of_draft(self, draft: str, owner: str) -> list[ShareRow]:
        rows = self.db.rows(f"SELECT {_COLUMNS} FROM draft_shares WHERE draft = ? AND owner = ? ORDER BY name",  # noqa: S608 - constant columns
                            [draft, owner])
        return [_row(r) for r in rows]

    def with_colleague(self, colleague: str) -> list[tuple[ShareRow, str, float]]:
        """Drafts shared with ``colleague``: (share, draft title, draft updated_at), newest first."""
        rows = self.db.rows("SELECT s.draft, s.owner, s.colleague, s.name, s.department, s.editable, s.created_at, "
                            "s.edited_at, s.edits, d.title, d.updated_at FROM draft_shares s "
                            "JOIN drafts d ON d.id = s.draft AND d.owner = s.owner "
                            "WHERE s.colleague = ? ORDER BY d.updated_at DESC", [colleague])
        return [(_row(r[:9]), str(r[9]), float(r[10])) for r in rows]

    def remove(self, draft: str, owner: str, colleague: str) -> bool:
        return self.db.run("DELETE FROM draft_shares WHERE draft = ? AND owner = ? AND colleague = ?",
                           [draft, owner, colleague]) > 0

    def remove_draft(self, draft: str, owner: str) -> int:
        return self.db.run("DELETE FROM draft_shares WHERE draft = ? AND owner = ?", [draft, owner])

    def prune(self) -> int:
        """Forget shares of drafts that are gone (expired by the retention schedule)."""
        return self.db.run("DELETE FROM draft_shares WHERE NOT EXISTS "
                           "(SELECT 1 FROM drafts d WHERE d.id = draft_shares.draft AND d.owner = draft_shares.owner)")

    def write(self, draft: str, colleague: str, title: str, body: Any, kind: str) -> bool:
        """A colleague's save of a shared draft, only while the share is editable (checked under the draft's lock,
        in the write's transaction); the share counts the save (the owner sees who saved and when)."""
        now = time.time()
        with self.db.transaction() as tx:
            tx.lock(f"drafts:{draft}")
            share = tx.rows("SELECT owner FROM draft_shares WHERE draft = ? AND colleague = ? AND editable = 1",
                            [draft, colleague])
            if not share:
                return False
            owner = share[0][0]
            if not tx.run("UPDATE drafts SET title = ?, updated_at = ?, data = ?, template = ? WHERE id = ? AND owner = ?",
                          [title, now, json.dumps(body, ensure_ascii=False), kind, draft, owner]):
                return False
            tx.run("UPDATE draft_shares SET edited_at = ?, edits = edits + 1 WHERE draft = ? AND colleague = ?",
                   [now, draft, colleague])
            return True
