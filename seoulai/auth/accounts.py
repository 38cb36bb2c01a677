"""Local accounts for pilots without the city's SSO: a JSON file of bcrypt-hashed passwords.

There are no default accounts or passwords: the first administrator is made with
``seoulai users add <id> --role admin`` on the server.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import bcrypt

from seoulai.auth.people import Person
from seoulai.auth.roles import Role
from seoulai.errors import InputError

MIN_PASSWORD = 10


@dataclass
class Account:
    id: str
    name: str
    department: str
    role: str
    password_hash: str
    updated_at: str

    def person(self) -> Person:
        return Person(self.id, self.name, self.department, Role.parse(self.role))


class Accounts:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _load(self) -> dict[str, Account]:
        if not self.path.is_file():
            return {}
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"계정 파일을 읽을 수 없습니다: {self.path}. 백업에서 복구하세요.", code="bad_accounts") from exc
        return {key: Account(**value) for key, value in raw.items()}

    def _save(self, accounts: dict[str, Account]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({k: asdict(v) for k, v in accounts.items()}, ensure_ascii=False, indent=1),
                       encoding="utf-8")
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    def add(self, account_id: str, name: str, department: str, role: str, password: str,
            departments: set[str] | None = None) -> Account:
        role = Role.parse(role).value
        if departments is not None and department not in departments:
            raise InputError(f"조직도에 없는 부서입니다: {department}", code="bad_department")
        _check_password(password)
        with self._lock:
            accounts = self._load()
            if account_id in accounts:
                raise InputError(f"이미 있는 계정입니다: {account_id}. 비밀번호는 reset-password로 바꾸세요.",
                                 code="exists")
            account = Account(account_id, name, department, role, _hash(password), _now())
            accounts[account_id] = account
            self._save(accounts)
        return account

    def reset_password(self, account_id: str, password: str) -> None:
        _check_password(password)
        with self._lock:
            accounts = self._load()
            if account_id not in accounts:
                raise InputError(f"없는 계정입니다: {account_id}", code="not_found")
            accounts[account_id].password_hash = _hash(password)
            accounts[account_id].updated_at = _now()
            self._save(accounts)

    def verify(self, account_id: str, password: str) -> Person | None:
        account = self._load().get(account_id)
        # Compare against a dummy hash for unknown ids so timing does not reveal which ids exist.
        stored = account.password_hash if account else _DUMMY
        ok = bcrypt.checkpw(password.encode("utf-8"), stored.encode("ascii"))
        return account.person() if account and ok else None

    def list(self) -> list[Account]:
        return sorted(self._load().values(), key=lambda a: a.id)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD or password.isdigit() or password.isalpha():
        raise InputError(f"비밀번호는 {MIN_PASSWORD}자 이상이고 글자와 숫자를 함께 써야 합니다.", code="weak_password")


def _hash(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


_DUMMY = _hash("dummy-password-0")
