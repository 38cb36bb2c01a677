"""The state the app servers share: accounts, sign-in sessions and failures, model quotas, the audit log.

Each store is a few statements over the :class:`Database`; every one that reads then writes does both in one
transaction (with a lock on PostgreSQL), so two servers counting the same person's quota or failed
sign-ins never both pass.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from seoulai.state.db import Database, Tx


@dataclass
class AccountRow:
    id: str
    name: str
    department: str
    role: str
    password_hash: str
    updated_at: str
    disabled: bool = False
    grade: str = ""  # 직급, from the 인사 export
    email: str = ""


_ACCOUNT_COLUMNS = "id, name, department, role, password_hash, updated_at, disabled, grade, email"
_ACCOUNT_VALUES = "?, ?, ?, ?, ?, ?, ?, ?, ?"
# What an update may change, in the order of AccountStore.apply's tuples: (id, name, department, role, grade, email).
_CHANGEABLE = ("name", "department", "role", "grade", "email")


class AccountStore:
    """Local accounts. Changing a password or disabling an account ends the account's open sessions in the same
    transaction (under the account's lock), so no caller can forget to, and no server keeps one open."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, account_id: str) -> AccountRow | None:
        rows = self.db.rows(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE id = ?", [account_id])  # noqa: S608 - constant columns
        return _account(rows[0]) if rows else None

    def insert(self, row: AccountRow) -> bool:
        with self.db.transaction() as tx:
            tx.lock(f"account:{row.id}")
            if tx.rows("SELECT 1 FROM accounts WHERE id = ?", [row.id]):
                return False
            _insert(tx, row)
            return True

    def set_password(self, account_id: str, password_hash: str, updated_at: str, keep: str = "") -> int | None:
        """The new password, and the account's open sessions ended, except the one whose token hash is ``keep``
        (the person changing their own password goes on): how many (None: no such account)."""
        with self.db.transaction() as tx:
            tx.lock(f"account:{account_id}")
            if not tx.run("UPDATE accounts SET password_hash = ?, updated_at = ? WHERE id = ?",
                          [password_hash, updated_at, account_id]):
                return None
            return _end_sessions(tx, account_id, keep)

    def set_disabled(self, account_id: str, disabled: bool, updated_at: str) -> tuple[bool, int] | None:
        """(whether the account changed, sessions ended); None: no such account. Disabling ends every open session;
        enabling again brings none back."""
        with self.db.transaction() as tx:
            tx.lock(f"account:{account_id}")
            rows = tx.rows("SELECT disabled FROM accounts WHERE id = ?", [account_id])
            if not rows:
                return None
            if bool(rows[0][0]) == disabled:
                return False, 0
            tx.run("UPDATE accounts SET disabled = ?, updated_at = ? WHERE id = ?",
                   [int(disabled), updated_at, account_id])
            return True, _end_sessions(tx, account_id) if disabled else 0

    def update(self, account_id: str, *, updated_at: str, **change: str) -> tuple[bool, int] | None:
        """A new name, unit, role, 직급 or 이메일 (a transfer, a role change): (whether it changed, sessions ended);
        None: no such account. A session carries the person's unit and role, so a change ends them all at once."""
        with self.db.transaction() as tx:
            tx.lock(f"account:{account_id}")
            return _update(tx, account_id, change, updated_at)

    def update_many(self, changes: list[tuple[str, dict[str, str]]], updated_at: str) -> int:
        """Several accounts changed together or not at all (a transfer with its successor): sessions ended."""
        ended = 0
        with self.db.transaction() as tx:
            for account_id, change in changes:
                tx.lock(f"account:{account_id}")
                ended += (_update(tx, account_id, change, updated_at) or (False, 0))[1]
        return ended

    def apply(self, inserts: list[AccountRow], updates: list[tuple[str, ...]], updated_at: str = "") -> int:
        """A bulk import in one transaction: new accounts, and (id, name, department, role[, grade, email]) of changed
        ones (their sessions end). Any failure leaves every account as it was. Returns the sessions ended."""
        with self.db.transaction() as tx:
            for row in inserts:
                _insert(tx, row)
        return self.update_many([(u[0], dict(zip(_CHANGEABLE, u[1:], strict=False))) for u in updates], updated_at) \
            if updates else 0

    def all(self) -> list[AccountRow]:
        return [_account(r) for r in self.db.rows(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts ORDER BY id")]  # noqa: S608 - constant columns


def _account(row: tuple[Any, ...]) -> AccountRow:
    return AccountRow(id=row[0], name=row[1], department=row[2], role=row[3], password_hash=row[4],
                      updated_at=row[5], disabled=bool(row[6]), grade=row[7] or "", email=row[8] or "")


def _insert(tx: Tx, row: AccountRow) -> None:
    tx.run(f"INSERT INTO accounts ({_ACCOUNT_COLUMNS}) VALUES ({_ACCOUNT_VALUES})",  # noqa: S608 - constant columns
           [row.id, row.name, row.department, row.role, row.password_hash, row.updated_at, int(row.disabled),
            row.grade, row.email])


def _update(tx: Tx, account_id: str, change: dict[str, str], updated_at: str) -> tuple[bool, int] | None:
    """Set the given columns (only the changeable ones; None leaves a column as it is); sessions end only when what a
    session carries changed (name, unit, role): a new 직급 or 이메일 changes no access."""
    unknown = set(change) - set(_CHANGEABLE)
    if unknown:
        raise ValueError(f"not changeable: {sorted(unknown)}")
    columns = ", ".join(_CHANGEABLE)
    rows = tx.rows(f"SELECT {columns} FROM accounts WHERE id = ?", [account_id])  # noqa: S608 - constant columns
    if not rows:
        return None
    before = dict(zip(_CHANGEABLE, rows[0], strict=True))
    wanted = {k: v for k, v in change.items() if v is not None and v != (before[k] or "")}
    if not wanted:
        return False, 0
    assignments = ", ".join(f"{k} = ?" for k in wanted)
    tx.run(f"UPDATE accounts SET {assignments}, updated_at = ? WHERE id = ?",  # noqa: S608 - names from _CHANGEABLE
           [*wanted.values(), updated_at, account_id])
    return True, (_end_sessions(tx, account_id) if {"name", "department", "role"} & set(wanted) else 0)


def _end_sessions(tx: Tx, account_id: str, keep: str = "") -> int:
    return tx.run("UPDATE sessions SET revoked = 1 WHERE account = ? AND revoked = 0 AND expires_at > ? "
                  "AND token_hash <> ?", [account_id, time.time(), keep])


class SessionStore:
    """Sign-in sessions by the hash of their token (a stolen database copy holds no usable token), each naming its
    account (the person's id) so a password reset or a disabled account ends them all."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, token_hash: str, person: dict[str, str], expires_at: float, stamp: str | None = None) -> bool:
        """Store a session. With ``stamp``, the password hash the sign-in checked, only while the account still has
        that password and is not disabled: bcrypt takes a while, and a reset (or a disable) that lands meanwhile
        must not be outlived by the session it could not see. Returns whether the session was stored."""
        now = time.time()
        account = person.get("id")
        values = [token_hash, json.dumps(person, ensure_ascii=False), now, expires_at, account]
        insert = "INSERT INTO sessions (token_hash, person, created_at, expires_at, revoked, account) "
        with self.db.transaction() as tx:
            if stamp is None:
                made = tx.run(insert + "VALUES (?, ?, ?, ?, 0, ?)", values)
            else:
                tx.lock(f"account:{account}")  # the lock set_password and set_disabled take
                made = tx.run(insert + "SELECT ?, ?, ?, ?, 0, ? WHERE EXISTS (SELECT 1 FROM accounts "  # noqa: S608 - constant
                              "WHERE id = ? AND password_hash = ? AND disabled = 0)", [*values, account, stamp])
            tx.run("DELETE FROM sessions WHERE expires_at < ?", [now - 86400])
        return made > 0

    def get(self, token_hash: str) -> dict[str, str] | None:
        rows = self.db.rows("SELECT person FROM sessions WHERE token_hash = ? AND revoked = 0 AND expires_at > ?",
                            [token_hash, time.time()])
        return json.loads(rows[0][0]) if rows else None

    def revoke(self, token_hash: str) -> None:
        self.db.run("UPDATE sessions SET revoked = 1 WHERE token_hash = ?", [token_hash])


class FailureStore:
    """Failed sign-ins per key ("account:<id>", "client:<address>") inside a sliding window."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def recent(self, key: str, window: float) -> tuple[int, float | None]:
        """(failures in the window, time of the oldest of them)."""
        rows = self.db.rows("SELECT count(*), min(at) FROM sign_in_failures WHERE key = ? AND at > ?",
                            [key, time.time() - window])
        return int(rows[0][0]), rows[0][1]

    def add(self, keys: list[str], window: float) -> None:
        now = time.time()
        with self.db.transaction() as tx:
            for key in keys:
                tx.run("INSERT INTO sign_in_failures VALUES (?, ?)", [key, now])
            tx.run("DELETE FROM sign_in_failures WHERE at < ?", [now - max(window, 86400)])

    def clear(self, key: str) -> None:
        self.db.run("DELETE FROM sign_in_failures WHERE key = ?", [key])


class QuotaStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def take(self, who: str, per_minute: int, per_day: int, now: float, day: str) -> tuple[str, float] | None:
        """Count one call, or return why not: ("minute", seconds to wait) or ("day", 0)."""
        with self.db.transaction() as tx:
            tx.lock(f"quota:{who}")
            recent = tx.rows("SELECT count(*), min(at) FROM quota_calls WHERE who = ? AND at > ?", [who, now - 60])[0]
            if int(recent[0]) >= per_minute:
                return "minute", 60 - (now - float(recent[1]))
            used = tx.rows("SELECT count(*) FROM quota_calls WHERE who = ? AND day = ?", [who, day])[0][0]
            if int(used) >= per_day:
                return "day", 0.0
            tx.run("INSERT INTO quota_calls VALUES (?, ?, ?)", [who, now, day])
            if secrets.randbelow(200) == 0:  # now and then, forget calls older than two days
                tx.run("DELETE FROM quota_calls WHERE at < ?", [now - 2 * 86400])
        return None


class AuditStore:
    """Audit events, written before the call that caused them returns: never queued, never dropped."""

    def __init__(self, db: Database, server: str) -> None:
        self.db = db
        self.server = server

    def append(self, user_id: str, department: str, role: str, action: str, target: str) -> str:
        event_id = uuid.uuid4().hex
        ts = datetime.now(timezone.utc).isoformat(timespec="microseconds")
        self.db.run("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [event_id, ts, user_id, department, role, action, target, self.server])
        return event_id

    def recent(self, limit: int) -> list[tuple[Any, ...]]:
        return self.db.rows("SELECT ts, user_id, department, role, action, target FROM audit "
                            "ORDER BY ts DESC LIMIT ?", [limit])


def shared_secret(db: Database, name: str) -> str:
    """A random secret made once and shared by every server on this store (e.g. the session-cookie key)."""
    with db.transaction() as tx:
        tx.lock(f"secret:{name}")
        rows = tx.rows("SELECT value FROM secrets WHERE name = ?", [name])
        if rows:
            return str(rows[0][0])
        value = secrets.token_urlsafe(48)
        tx.run("INSERT INTO secrets VALUES (?, ?)", [name, value])
        return value


@dataclass(frozen=True)
class Record:
    """A stored conversation or draft: its id, title, times and JSON body."""

    id: str
    kind: str
    title: str
    created_at: float
    updated_at: float
    body: Any


def _record(row: tuple[Any, ...], body: Any) -> Record:
    return Record(id=row[0], kind=row[1], title=row[2], created_at=row[3], updated_at=row[4], body=body)


class RecordStore:
    """One person's conversations (or drafts): every read and write names the owner, so one person's id can
    never open another person's record."""

    def __init__(self, db: Database, table: str, kind_column: str) -> None:
        assert table in ("conversations", "drafts") and kind_column in ("kind", "template")
        self.db = db
        self.table = table
        self.kind = kind_column
        self.body = "turns" if table == "conversations" else "data"

    def put(self, owner: str, record_id: str, kind: str, title: str, body: Any) -> None:
        now = time.time()
        data = json.dumps(body, ensure_ascii=False)
        with self.db.transaction() as tx:
            tx.lock(f"{self.table}:{record_id}")
            found = tx.rows(f"SELECT owner FROM {self.table} WHERE id = ?", [record_id])  # noqa: S608 - names set in __init__
            if found and found[0][0] != owner:
                raise PermissionError("not the owner")
            if found:
                tx.run(f"UPDATE {self.table} SET title = ?, updated_at = ?, {self.body} = ?, {self.kind} = ? "  # noqa: S608 - names set in __init__
                       "WHERE id = ? AND owner = ?", [title, now, data, kind, record_id, owner])
            else:
                tx.run(f"INSERT INTO {self.table} VALUES (?, ?, ?, ?, ?, ?, ?)",  # noqa: S608 - names set in __init__
                       [record_id, owner, kind, title, now, now, data])

    def get(self, owner: str, record_id: str) -> Record | None:
        rows = self.db.rows(f"SELECT id, {self.kind}, title, created_at, updated_at, {self.body} FROM {self.table} "  # noqa: S608 - names set in __init__
                            "WHERE id = ? AND owner = ?", [record_id, owner])
        return _record(rows[0], json.loads(rows[0][5])) if rows else None

    def list(self, owner: str, limit: int = 50) -> list[Record]:
        rows = self.db.rows(f"SELECT id, {self.kind}, title, created_at, updated_at FROM {self.table} "  # noqa: S608 - names set in __init__
                            "WHERE owner = ? ORDER BY updated_at DESC LIMIT ?", [owner, limit])
        return [_record(r, None) for r in rows]

    def rename(self, owner: str, record_id: str, title: str) -> bool:
        return self.db.run(f"UPDATE {self.table} SET title = ? WHERE id = ? AND owner = ?",  # noqa: S608 - names set in __init__
                           [title, record_id, owner]) > 0

    def delete(self, owner: str, record_id: str) -> bool:
        return self.db.run(f"DELETE FROM {self.table} WHERE id = ? AND owner = ?", [record_id, owner]) > 0  # noqa: S608 - names set in __init__

    def expire(self, before: float) -> int:
        return self.db.run(f"DELETE FROM {self.table} WHERE updated_at < ?", [before])  # noqa: S608 - names set in __init__
