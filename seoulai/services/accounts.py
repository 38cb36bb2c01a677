"""Accounts and audit: sign-in (with lockout) and sessions, the people of the pilot, the audit log."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from seoulai.auth.accounts import Account, Accounts
from seoulai.auth.oidc import person_from_claims
from seoulai.auth.people import Person
from seoulai.auth.policy import Policy
from seoulai.auth.roles import Role
from seoulai.auth.sessions import Sessions
from seoulai.config import Settings
from seoulai.errors import SeoulAIError
from seoulai.services.recording import Recorder
from seoulai.state import StateStore

AUDIT_COLUMNS = ["ts", "user_id", "department", "role", "action", "target"]
AUDIT_ACTIONS = {"sign_in": "로그인", "sign_in_failed": "로그인 실패", "sign_in_locked": "로그인 잠김",
                 "sign_out": "로그아웃", "library_upload": "매뉴얼 등록", "library_delete": "매뉴얼 삭제",
                 "upload": "문서 올리기", "upload_delete": "내 문서 삭제", "usage_export": "이용 기록 내보내기",
                 "draft_export": "초안 내려받기", "conversation_delete": "대화 삭제"}


class SignInLocked(SeoulAIError):
    code = "locked"


@dataclass
class SignIn:
    person: Person
    cookie: str


class AccountService:
    def __init__(self, settings: Settings, policy: Policy, recorder: Recorder, state: StateStore) -> None:
        self.settings = settings
        self.policy = policy
        self.recorder = recorder
        self.state = state
        auth = settings.auth
        self.accounts = Accounts(state.accounts, auth.accounts_path or Path(settings.data_dir) / "accounts.json")
        secret = auth.session_secret.get_secret_value() if auth.session_secret else state.secret("session-cookie")
        self.sessions = Sessions(state.sessions, secret, auth.session_minutes)

    @property
    def mode(self) -> str:
        return self.settings.auth.mode

    @property
    def cookie_secure(self) -> bool:
        secure = self.settings.auth.cookie_secure
        return self.settings.production if secure is None else secure

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

    # -- local sign-in ---------------------------------------------------------------------------------------
    def sign_in(self, account_id: str, password: str, client: str = "") -> SignIn | None:
        """A new session, or None for a wrong id/password; raises SignInLocked while locked out.

        Failures are counted per account and per client address in the shared store, so several app servers
        lock out together; a lockout lasts ``auth.lockout_minutes`` after the failures that caused it.
        """
        auth = self.settings.auth
        window = auth.lockout_minutes * 60
        keys = {f"account:{account_id}": auth.lockout_attempts}
        if client:
            keys[f"client:{client}"] = auth.client_attempts
        who = Person(account_id, "", "", Role.STAFF)
        for key, limit in keys.items():
            failures, oldest = self.state.failures.recent(key, window)
            if failures >= limit:
                minutes = max(1, int((window - (time.time() - (oldest or time.time()))) / 60) + 1)
                self.recorder.audit(who, "sign_in_locked", key.split(":", 1)[0])
                raise SignInLocked(f"로그인 실패가 너무 많아 잠시 막혔습니다. 약 {minutes}분 뒤에 다시 시도하거나, "
                                   "비밀번호를 잊었으면 관리자에게 재설정을 요청하세요.")
        person = self.accounts.verify(account_id, password)
        if person is None:
            self.state.failures.add(list(keys), window)
            self.recorder.audit(who, "sign_in_failed", "local")
            return None
        self.state.failures.clear(f"account:{account_id}")
        self.recorder.audit(person, "sign_in", "local")
        return SignIn(person, self.sessions.open(person))

    def session_person(self, cookie: str | None) -> Person | None:
        return self.sessions.person(cookie)

    def sign_out(self, person: Person, cookie: str | None = None) -> None:
        self.sessions.close(cookie)
        self.recorder.audit(person, "sign_out")

    def sign_in_oidc(self, claims: dict[str, object]) -> Person:
        auth = self.settings.auth
        person = person_from_claims(claims, {u.path for u in self.policy.org.units}, auth.department_claim,
                                    auth.role_claim)
        self.recorder.audit(person, "sign_in", "oidc")
        return person

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
        """The latest audit events as the 감사 기록 page shows them (Korean columns and labels)."""
        self.policy.check_audit(person)
        table = pd.DataFrame(self.state.audit.recent(limit), columns=AUDIT_COLUMNS)
        roles = {r.value: r.label for r in Role}
        return pd.DataFrame({
            "시각": pd.to_datetime(table["ts"], utc=True).dt.tz_convert("Asia/Seoul").dt.strftime("%Y. %-m. %-d. %H:%M:%S"),
            "사용자(가명)": table["user_id"], "부서": table["department"].fillna("").replace("", "—"),
            "역할": table["role"].map(lambda r: roles.get(r, r or "—")),
            "동작": table["action"].map(lambda a: AUDIT_ACTIONS.get(a, a)),
            "대상": table["target"].fillna("").replace("", "—"),
        })
