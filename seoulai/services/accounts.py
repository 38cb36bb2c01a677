"""Accounts and audit: sign-in, the people of the pilot, and the audit log administrators read."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from seoulai.auth.accounts import Account, Accounts
from seoulai.auth.oidc import person_from_claims
from seoulai.auth.people import Person
from seoulai.auth.policy import Policy
from seoulai.auth.roles import Role
from seoulai.config import Settings
from seoulai.errors import InputError
from seoulai.services.recording import Recorder
from seoulai.usage.log import UsageLog


class AccountService:
    def __init__(self, settings: Settings, policy: Policy, recorder: Recorder, usage: UsageLog | None) -> None:
        self.settings = settings
        self.policy = policy
        self.recorder = recorder
        self.usage = usage
        self.accounts = Accounts(settings.auth.accounts_path or Path(settings.data_dir) / "accounts.json")

    @property
    def mode(self) -> str:
        return self.settings.auth.mode

    def admin_pages(self, person: Person) -> list[str]:
        """Which 관리 pages the navigation shows this person (library, usage, audit)."""
        return self.policy.admin_pages(person)

    def operator(self) -> Person:
        """Whoever runs the command line on the server (they can read every index file anyway)."""
        return Person(id="cli", name="명령줄", department=self.policy.org.root, role=Role.ADMIN)

    def demo_person(self) -> Person:
        """The one person of a single-user evaluation (sign-in mode none)."""
        auth = self.settings.auth
        return Person(id="demo", name="시범 사용자", department=auth.demo_department, role=Role.parse(auth.demo_role))

    def sign_in(self, account_id: str, password: str) -> Person | None:
        person = self.accounts.verify(account_id, password)
        who = person or Person(account_id, "", "", Role.STAFF)
        self.recorder.audit(who, "sign_in" if person else "sign_in_failed", "local")
        return person

    def sign_in_oidc(self, claims: dict[str, object]) -> Person:
        auth = self.settings.auth
        person = person_from_claims(claims, {u.path for u in self.policy.org.units}, auth.department_claim,
                                    auth.role_claim)
        self.recorder.audit(person, "sign_in", "oidc")
        return person

    def sign_out(self, person: Person) -> None:
        self.recorder.audit(person, "sign_out")

    # -- the operator's user management ------------------------------------------------------------------
    def add_user(self, account_id: str, name: str, department: str, role: str, password: str) -> Account:
        return self.accounts.add(account_id, name, department, role, password,
                                 {u.path for u in self.policy.org.units})

    def reset_password(self, account_id: str, password: str) -> None:
        self.accounts.reset_password(account_id, password)

    def users(self) -> list[Account]:
        return self.accounts.list()

    # -- audit ------------------------------------------------------------------------------------------------
    def audit_log(self, person: Person, limit: int = 500) -> pd.DataFrame:
        self.policy.check_audit(person)
        if self.usage is None or not self.usage.enabled:
            raise InputError("이용 기록이 꺼져 있어 감사 기록이 없습니다.", code="usage_disabled")
        self.usage.flush()
        return self.usage.analytics().audit(limit)
