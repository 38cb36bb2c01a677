"""Accounts and audit: sign-in (with lockout) and sessions, the people of the pilot, the audit log.

Departments are checked against the org chart in force (:class:`seoulai.auth.policy.Policy`'s ``org``): the
real chart of the city's 행정기구 설치 조례 시행규칙 once it is in the shared library. A department recorded
under a path an 조직 개편 renamed resolves to its successor on sign-in, and the accounts are moved.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from seoulai.auth.accounts import Accounts
from seoulai.auth.oidc import person_from_claims
from seoulai.auth.people import Person
from seoulai.auth.policy import Policy
from seoulai.auth.roles import Role
from seoulai.auth.sessions import Sessions
from seoulai.config import Settings
from seoulai.errors import InputError, SeoulAIError
from seoulai.services.account_admin import AccountAdministration
from seoulai.services.recording import Recorder
from seoulai.state import StateStore
from seoulai.text.times import seoul_time

AUDIT_COLUMNS = ["ts", "user_id", "department", "role", "action", "target"]
AUDIT_ACTIONS = {"rollout_open": "개통일 지정", "rollout_close": "개통일 삭제(다시 준비 중)",
                 "announcement_add": "공지 등록", "announcement_remove": "공지 삭제",
                 "sign_in": "로그인", "sign_in_failed": "로그인 실패", "sign_in_locked": "로그인 잠김",
                 "sign_out": "로그아웃", "library_upload": "매뉴얼 등록", "library_delete": "매뉴얼 삭제",
                 "upload": "문서 올리기", "upload_delete": "내 문서 삭제", "usage_export": "이용 기록 내보내기",
                 "draft_export": "초안 내려받기", "conversation_delete": "대화 삭제",
                 "org_rename": "조직 개편 반영", "password_reset": "비밀번호 재설정",
                 "account_disabled": "계정 사용 중지", "account_enabled": "계정 다시 사용",
                 "sign_in_disabled": "로그인 거부(사용 중지 계정)", "draft_share": "초안 공유",
                 "draft_unshare": "초안 공유 해제", "draft_edit": "공유 초안 수정",
                 "account_added": "계정 추가(일괄)", "account_updated": "계정 변경(일괄)",
                 "account_transfer": "부서 이동", "account_role": "권한 변경",
                 "library_handover": "문서함 관리 인계", "usage_review_export": "시범 운영 결과 내려받기",
                 "password_changed": "비밀번호 변경(본인)"}


class SignInLocked(SeoulAIError):
    code = "locked"


class AccountDisabled(SeoulAIError):
    code = "disabled"


@dataclass(frozen=True)
class SignIn:
    person: Person
    cookie: str


@dataclass(frozen=True)
class OrgUnit:
    """One unit of the chart in force, as ``seoulai org list`` shows it."""

    path: str  # "서울특별시/행정국/총무과"
    name: str  # "총무과"
    parent: str  # the unit above, by name: "행정국" ("" for the city itself)
    parent_path: str  # "서울특별시/행정국"
    depth: int  # 0 the city, 1 실·본부·국·관 or 기관, 2 과·담당관
    duties: tuple[str, ...]  # 사무분장 lines (empty for a YAML chart)
    source: str  # the rule the unit was read from ("" for a YAML chart)
    section: str  # its place in the rule, "제2장 본청 > 제17조의5 (행정국) > 총무과"

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "name": self.name, "parent": self.parent, "parent_path": self.parent_path,
                "depth": self.depth, "duties": list(self.duties), "source": self.source, "section": self.section}


class UnitChoice(NamedTuple):
    """One department of the 내 부서 picker."""

    path: str  # "서울특별시/행정국/총무과"
    label: str  # "행정국 > 총무과"


class AccountService(AccountAdministration):
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

    def demo_person(self, department: str | None = None) -> Person:
        """The one person of a single-user evaluation (sign-in mode none), in ``department`` when the 내 부서
        picker chose one (else the configured demo department), as a path of the chart in force."""
        auth = self.settings.auth
        chosen = self.resolve_department(department or auth.demo_department)
        return Person(id="demo", name="시범 사용자", department=chosen, role=Role.parse(auth.demo_role))

    # -- departments ---------------------------------------------------------------------------------------
    def resolve_department(self, department: str) -> str:
        """A department as the chart in force names it: a full path stays; an old path follows the 조직 개편; a
        bare unit name ("디지털정책과") becomes the one unit of that name. Anything else comes back unchanged."""
        department = department.strip()
        current = self.policy.current_department(department)
        chart = self.policy.org
        if current in chart.by_path or "/" in current:
            return current
        named = chart.named(current)
        return named[0].path if len(named) == 1 else current

    def known_department(self, department: str) -> str:
        """The chart path of ``department`` (see :meth:`resolve_department`), or a Korean error saying how to
        find the right one."""
        resolved = self.resolve_department(department)
        if resolved not in self.policy.org.by_path:
            raise InputError(f"조직도에 없는 부서입니다: {department or '(없음)'}. `seoulai org list`로 부서 경로를 "
                             "확인해 '서울특별시/행정국/총무과'처럼 전체 경로로 지정하세요.", code="bad_department")
        return resolved

    def units(self, by: Person | None = None) -> list[UnitChoice]:
        """Every department of the chart below the city itself, labelled "실·국 > 과", in chart order; with ``by``,
        only the units whose accounts ``by`` manages (a 부서 관리자's own 과 or 실/국 and those under it)."""
        root = self.policy.org.root
        scope = root if by is None else self.policy.check_accounts(by)
        return [UnitChoice(u.path, unit_label(u.path)) for u in self.policy.org.subtree(scope) if u.path != root]

    def account_scope_label(self, person: Person) -> str:
        """The part of the organisation ``person`` manages accounts of, as a person names it ("행정국 > 총무과")."""
        scope = self.policy.check_accounts(person)
        return "서울특별시 전체" if scope == self.policy.org.root else unit_label(scope)

    def org_units(self) -> list[OrgUnit]:
        """The chart in force, unit by unit (the city first, each unit before the units under it)."""
        return [OrgUnit(u.path, u.name, u.parent_path.rsplit("/", 1)[-1], u.parent_path, u.depth, u.duties,
                        u.source, u.section) for u in self.policy.org.units]

    def follow_reorganisation(self, renames: dict[str, str]) -> int:
        """Move the accounts of renamed or merged units to their successors (an 조직 개편 of the rule)."""
        moved = 0
        operator = self.operator()
        for old, new in renames.items():
            target = self.policy.current_department(new)
            # The account store has no bulk move; one UPDATE through its database keeps the move atomic.
            count = self.state.accounts.db.run("UPDATE accounts SET department = ? WHERE department = ?",
                                               [target, old])
            if count:
                moved += count
                self.recorder.audit(operator, "org_rename", f"{old} → {target} (계정 {count}개)")
        return moved

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
        verified = self.accounts.verify(account_id, password)
        if verified is None:
            self.state.failures.add(list(keys), window)
            self.recorder.audit(who, "sign_in_failed", "local")
            return None
        if verified.disabled:  # said only to whoever knows the password: the id alone reveals nothing
            self.recorder.audit(verified.person, "sign_in_disabled", "local")
            raise AccountDisabled("사용이 중지된 계정입니다. 다시 쓰려면 시스템 관리자에게 계정을 다시 사용하게 해 달라고 "
                                  "요청하세요.")
        self.state.failures.clear(f"account:{account_id}")
        person = self._current(verified.person)
        cookie = self.sessions.open_if_current(person, verified.stamp)
        if cookie is None:  # the password was reset or the account disabled while it was being checked
            self.recorder.audit(who, "sign_in_failed", "local")
            return None
        self.recorder.audit(person, "sign_in", "local")
        return SignIn(person, cookie)

    def session_person(self, cookie: str | None) -> Person | None:
        person = self.sessions.person(cookie)
        return self._current(person) if person is not None else None

    def _current(self, person: Person) -> Person:
        """The person with their department as the chart in force names it (after an 조직 개편)."""
        department = self.policy.current_department(person.department)
        if department == person.department:
            return person
        return Person(person.id, person.name, department, person.role)

    def must_change_password(self, person: Person) -> bool:
        """A local account still on the initial password of an import: signed in, but it changes it first."""
        return self.mode == "local" and self.accounts.needs_new_password(person.id)

    def change_password(self, person: Person, current: str, new: str, cookie: str | None = None) -> int:
        """The signed-in person's own new password; their other open sessions end, the one of ``cookie`` (where
        they changed it) goes on. Returns how many ended."""
        ended = self.accounts.change_own(person.id, current, new, self.sessions.key(cookie))
        self.recorder.audit(person, "password_changed", f"로그인 {ended}개 종료")
        return ended

    def sign_out(self, person: Person, cookie: str | None = None) -> None:
        self.sessions.close(cookie)
        self.recorder.audit(person, "sign_out")

    def sign_in_oidc(self, claims: dict[str, object]) -> Person:
        auth = self.settings.auth
        claimed = claims.get(auth.department_claim)
        if isinstance(claimed, str) and claimed:
            claims = {**claims, auth.department_claim: self.resolve_department(claimed)}
        person = person_from_claims(claims, {u.path for u in self.policy.org.units}, auth.department_claim,
                                    auth.role_claim)
        self.recorder.audit(person, "sign_in", "oidc")
        return person

    # -- audit ------------------------------------------------------------------------------------------------
    def audit_log(self, person: Person, limit: int = 500) -> pd.DataFrame:
        """The latest audit events as the 감사 기록 page shows them (Korean columns and labels)."""
        self.policy.check_audit(person)
        table = pd.DataFrame(self.state.audit.recent(limit), columns=AUDIT_COLUMNS)
        roles = {r.value: r.label for r in Role}
        return pd.DataFrame({
            "시각": table["ts"].map(lambda ts: seoul_time(ts, "second")),
            "사용자(가명)": table["user_id"], "부서": table["department"].fillna("").replace("", "—"),
            "역할": table["role"].map(lambda r: roles.get(r, r or "—")),
            "동작": table["action"].map(lambda a: AUDIT_ACTIONS.get(a, a)),
            "대상": table["target"].fillna("").replace("", "—"),
        })


def unit_label(path: str) -> str:
    """"서울특별시/행정국/총무과" -> "행정국 > 총무과" (the city itself is left out: every unit is the city's)."""
    parts = path.split("/")
    return " > ".join(parts[1:]) if len(parts) > 1 else path
