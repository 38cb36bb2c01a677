"""Local accounts for pilots without the city's SSO: bcrypt-hashed passwords in the state store.

There are no default accounts or passwords: the first administrator is made with
``seoulai users add <id> --role admin`` on the server. An accounts.json written by an earlier version is
imported once. A password reset or a disabled account ends the account's open sessions (the store does both in
one transaction); a disabled account keeps its history and can be enabled again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import bcrypt

from seoulai.auth.people import Person
from seoulai.auth.roles import Role
from seoulai.errors import InputError
from seoulai.state.stores import AccountRow, AccountStore

log = logging.getLogger(__name__)
MIN_PASSWORD = 10
MAX_PASSWORD_BYTES = 72  # bcrypt reads no further: a longer password would be silently cut


@dataclass
class Account:
    id: str
    name: str
    department: str
    role: str
    disabled: bool = False
    grade: str = ""  # 직급
    email: str = ""

    def person(self) -> Person:
        return Person(self.id, self.name, self.department, Role.parse(self.role))


@dataclass(frozen=True)
class Verified:
    """A right password. ``stamp`` is the password hash it matched: a session is opened only while the account
    still has it (see :meth:`seoulai.auth.sessions.Sessions.open_if_current`)."""

    person: Person
    stamp: str
    disabled: bool


class Accounts:
    def __init__(self, store: AccountStore, legacy_file: Path | None = None) -> None:
        self.store = store
        if legacy_file is not None and legacy_file.is_file():
            self._import(legacy_file)

    def _import(self, path: Path) -> None:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"계정 파일을 읽을 수 없습니다: {path}. 백업에서 복구하세요.", code="bad_accounts") from exc
        imported = sum(self.store.insert(AccountRow(v["id"], v["name"], v["department"], v["role"],
                                                    v["password_hash"], v["updated_at"])) for v in raw.values())
        path.rename(path.with_name(path.name + ".imported"))
        log.warning("imported %d local accounts from %s into the state store", imported, path)

    def add(self, account_id: str, name: str, department: str, role: str, password: str,
            departments: set[str] | None = None) -> Account:
        role = Role.parse(role).value
        if departments is not None and department not in departments:
            raise InputError(f"조직도에 없는 부서입니다: {department}", code="bad_department")
        check_password(password)
        if not self.store.insert(AccountRow(account_id, name, department, role, _hash(password), _now())):
            raise InputError(f"이미 있는 계정입니다: {account_id}. 비밀번호는 reset-password로 바꾸세요.", code="exists")
        return Account(account_id, name, department, role)

    def reset_password(self, account_id: str, password: str, keep: str = "") -> int:
        """A new password; returns how many open sessions of the account it ended (all but ``keep``, a session's
        store key)."""
        check_password(password)
        ended = self.store.set_password(account_id, _hash(password), _now(), keep)
        if ended is None:
            raise _missing(account_id)
        return ended

    def needs_new_password(self, account_id: str) -> bool:
        """Whether the account still has the initial password an import gave it (its owner must change it)."""
        row = self.store.get(account_id)
        return row is not None and row.password_hash.startswith(_INITIAL)

    def change_own(self, account_id: str, current: str, new: str, keep: str = "") -> int:
        """The person's own change: the current password first, then a new one (bcrypt) unlike it; every other
        open session of the account ends (``keep``: the one they are changing it in). Returns how many."""
        if self.verify(account_id, current) is None:
            raise InputError("지금 비밀번호가 맞지 않습니다. 관리자가 준 처음 비밀번호를 그대로 넣으세요.",
                             code="wrong_password")
        if new == current:
            raise InputError("지금과 다른 비밀번호로 정하세요.", code="same_password")
        return self.reset_password(account_id, new, keep)

    def set_disabled(self, account_id: str, disabled: bool) -> tuple[bool, int]:
        """(whether the account changed, open sessions ended)."""
        result = self.store.set_disabled(account_id, disabled, _now())
        if result is None:
            raise _missing(account_id)
        return result

    def update(self, account_id: str, **change: str) -> tuple[bool, int]:
        """A new name, department, role, 직급 or 이메일: (whether the account changed, open sessions ended)."""
        result = self.store.update(account_id, updated_at=_now(), **change)
        if result is None:
            raise _missing(account_id)
        return result

    def update_many(self, changes: Sequence[tuple[str, dict[str, str]]]) -> int:
        """Several accounts changed in one transaction (all or none); returns the open sessions ended."""
        return self.store.update_many(list(changes), _now())

    def apply_import(self, added: Sequence[tuple[str, str, str, str, str, str, str]],
                     changed: Sequence[tuple[str, str, str, str, str, str]]) -> int:
        """A checked import in one transaction: ``added`` (id, name, department, role, grade, email, initial
        password) and ``changed`` (id, name, department, role, grade, email); returns the open sessions ended."""
        now = _now()
        rows = [AccountRow(i, n, d, r, initial_hash(p), now, grade=g, email=e) for i, n, d, r, g, e, p in added]
        return self.store.apply(rows, list(changed), now)

    def verify(self, account_id: str, password: str) -> Verified | None:
        """The account's person when the password is right (disabled or not: the caller says which), else None."""
        row = self.store.get(account_id)
        secret = password.encode("utf-8")
        # Compare against a dummy hash for unknown ids (and too-long input) so timing does not reveal which ids
        # exist; bcrypt itself refuses more than 72 bytes.
        stored = row.password_hash if row else _DUMMY
        if stored.startswith(_INITIAL):
            # Pay bcrypt's time anyway: a fast answer would tell a guesser the id exists with its initial password.
            bcrypt.checkpw(secret[:MAX_PASSWORD_BYTES], _DUMMY.encode("ascii"))
            ok = len(secret) <= MAX_PASSWORD_BYTES and _initial_matches(secret, stored)
        else:
            ok = len(secret) <= MAX_PASSWORD_BYTES and bcrypt.checkpw(secret[:MAX_PASSWORD_BYTES],
                                                                       stored.encode("ascii"))
        if row is None or not ok:
            return None
        return Verified(Account(row.id, row.name, row.department, row.role).person(), row.password_hash, row.disabled)

    def list(self) -> list[Account]:
        return [Account(r.id, r.name, r.department, r.role, r.disabled, r.grade, r.email) for r in self.store.all()]


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD or password.isdigit() or password.isalpha():
        raise InputError(f"비밀번호는 {MIN_PASSWORD}자 이상이고 글자와 숫자를 함께 써야 합니다.", code="weak_password")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise InputError(f"비밀번호가 너무 깁니다: {MAX_PASSWORD_BYTES}바이트(영문·숫자 72자, 한글 24자) 이하로 정해 주세요.",
                         code="password_too_long")


def _missing(account_id: str) -> InputError:
    return InputError(f"없는 계정입니다: {account_id}. 아이디는 `seoulai users list`로 확인하세요.", code="not_found")


def _hash(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


# Initial passwords of imported accounts are made by the product, 16 random letters and digits (about 95 bits):
# no guessing list reaches them, so bcrypt's deliberate slowness (there for passwords people choose) buys nothing,
# and it cost ~0.3 s an account (6,318 people: 16 minutes on two cores). A salted PBKDF2-SHA256 at a low iteration
# count (10,000) takes about 3 ms. A password a person sets (add, reset) is always bcrypt.
_INITIAL = "pbkdf2_sha256$"
_INITIAL_ROUNDS = 10_000


def initial_hash(password: str) -> str:
    salt = secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt), _INITIAL_ROUNDS).hex()
    return f"{_INITIAL}{_INITIAL_ROUNDS}${salt}${digest}"


def _initial_matches(secret: bytes, stored: str) -> bool:
    try:
        rounds, salt, digest = stored.removeprefix(_INITIAL).split("$")
        computed = hashlib.pbkdf2_hmac("sha256", secret, bytes.fromhex(salt), int(rounds)).hex()
    except ValueError:
        return False
    return hmac.compare_digest(computed, digest)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


_DUMMY = _hash("dummy-password-0")
