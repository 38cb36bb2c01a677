"""Managing accounts: add, reset, disable and enable, transfer, role change and the bulk import of an 인사 export.

Who may: the operator on the command line and system administrators (the whole city); a 부서 관리자 (dept_admin)
for the accounts of their own 과 or 실/국 and every unit under it, giving no role above their own
(:meth:`seoulai.auth.policy.Policy.account_scope`, ``grantable_roles``). Every change is an audit event.

A 부서 관리자 keeps their unit's collections (매뉴얼 관리); when they move to another unit, the unit they leave
must not be left with nobody to keep them: the transfer names a successor in that unit, who becomes its 부서
관리자 in the same transaction, unless another 부서 관리자 remains there or the administrator says explicitly that
the system administrators keep the collections until one is named.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from seoulai.auth.accounts import Account, Accounts
from seoulai.auth.people import Person
from seoulai.auth.policy import Policy
from seoulai.auth.roles import Role
from seoulai.errors import InputError
from seoulai.services import account_import
from seoulai.services.account_import import ImportResult
from seoulai.services.recording import Recorder


class ImportRejected(InputError):
    """A file with bad lines: nothing was applied; ``plan.errors`` names each line and why."""

    def __init__(self, plan: account_import.ImportPlan) -> None:
        super().__init__(account_import.errors_message(plan), code="bad_import")
        self.plan = plan

    def to_json(self) -> dict[str, object]:
        return {"error": {"code": self.code, "message": self.message,
                          "lines": [e.to_json() for e in self.plan.errors]}}


@dataclass(frozen=True)
class AccountChange:
    """What a change did: ``changed`` False when the account already was so; ``note`` what else happened (a
    transfer's handover of the unit's collections), in Korean, "" when nothing."""

    account_id: str
    changed: bool
    sessions_ended: int
    note: str = ""


class AccountAdministration:
    """The account-management half of :class:`seoulai.services.accounts.AccountService` (mixed in)."""

    accounts: Accounts
    policy: Policy
    recorder: Recorder

    def operator(self) -> Person:
        raise NotImplementedError  # AccountService's

    def known_department(self, department: str) -> str:
        raise NotImplementedError  # AccountService's

    def resolve_department(self, department: str) -> str:
        raise NotImplementedError  # AccountService's

    # -- one account at a time -----------------------------------------------------------------------------
    def add_user(self, account_id: str, name: str, department: str, role: str, password: str,
                 by: Person | None = None) -> Account:
        department = self.known_department(department)
        self._grant(self._account_admin(by, department), role)
        return self.accounts.add(account_id, name, department, role, password,
                                 {u.path for u in self.policy.org.units})

    # The command line acts as the operator; the 계정 관리 page passes the signed-in administrator as ``by``.
    def reset_password(self, account_id: str, password: str, by: Person | None = None) -> int:
        """A new password; every open session of the account ends at once, on every server. Returns how many."""
        actor = self._account_admin(by)
        self._target(actor, account_id)
        ended = self.accounts.reset_password(account_id, password)
        self.recorder.audit(actor, "password_reset", f"{account_id} (로그인 {ended}개 종료)")
        return ended

    def disable_user(self, account_id: str, by: Person | None = None) -> AccountChange:
        """The account can no longer sign in, and its open sessions end at once, on every server."""
        actor = self._account_admin(by)
        if account_id == actor.id:
            raise InputError("자기 계정은 사용 중지할 수 없습니다. 다른 관리자에게 요청하세요.", code="own_account")
        self._target(actor, account_id)
        changed, ended = self.accounts.set_disabled(account_id, True)
        if changed:
            self.recorder.audit(actor, "account_disabled", f"{account_id} (로그인 {ended}개 종료)")
        return AccountChange(account_id, changed, ended)

    def enable_user(self, account_id: str, by: Person | None = None) -> AccountChange:
        actor = self._account_admin(by)
        self._target(actor, account_id)
        changed, _ = self.accounts.set_disabled(account_id, False)
        if changed:
            self.recorder.audit(actor, "account_enabled", account_id)
        return AccountChange(account_id, changed, 0)

    def transfer_user(self, account_id: str, department: str, by: Person | None = None,
                      successor: str | None = None, without_successor: bool = False) -> AccountChange:
        """A move to another unit: the open sessions end, so the next request signs in with the new unit's access.
        Uploads and conversations are keyed by the person's pseudonym (from the id), so they stay theirs. A 부서
        관리자 who leaves becomes 직원 in the new unit; the unit they leave gets ``successor`` as its 부서 관리자
        (see the module's docstring)."""
        actor = self._account_admin(by)
        account = self._target(actor, account_id)
        destination = self.known_department(department)
        self.policy.check_accounts(actor, destination)
        if destination == account.department:
            return AccountChange(account_id, False, 0)
        move: dict[str, str] = {"department": destination}
        changes, note = [(account_id, move)], ""
        if account.role == Role.DEPT_ADMIN.value:
            move["role"] = Role.STAFF.value
            handover = self._handover(actor, account, successor, without_successor)
            changes += handover[0]
            note = handover[1]
        ended = self.accounts.update_many(changes)
        self.recorder.audit(actor, "account_transfer", f"{account_id} → {destination} (로그인 {ended}개 종료)")
        if note:
            self.recorder.audit(actor, "library_handover", note)
        return AccountChange(account_id, True, ended, note)

    def _handover(self, actor: Person, leaving: Account, successor: str | None,
                  without_successor: bool) -> tuple[list[tuple[str, dict[str, str]]], str]:
        unit = leaving.department
        label = unit.rsplit("/", 1)[-1]
        if successor:
            heir = self._target(actor, successor)
            if heir.disabled or heir.department != unit or heir.id == leaving.id:
                raise InputError(f"이어받을 사람은 {label}에 있는 사용 중인 계정이어야 합니다: {successor}.",
                                 code="bad_successor")
            grant = [] if heir.role in (Role.DEPT_ADMIN.value, Role.ADMIN.value) else \
                [(heir.id, {"role": Role.DEPT_ADMIN.value})]
            return grant, f"{label} 문서함 관리: {leaving.id} → {heir.id}"
        others = [a.id for a in self.accounts.list() if a.department == unit and a.id != leaving.id
                  and a.role == Role.DEPT_ADMIN.value and not a.disabled]
        if others:
            return [], f"{label} 문서함 관리: {leaving.id} → {', '.join(others)} (남은 부서 관리자)"
        if without_successor:
            return [], f"{label} 문서함 관리: {leaving.id} → 시스템 관리자 (이어받을 사람 없음)"
        raise InputError(f"{leaving.id}은(는) {label}의 마지막 부서 관리자입니다. 문서함을 이어받을 같은 과의 사람을 "
                         "지정하세요(명령줄: --successor 아이디, 화면: '이어받을 사람'). 당장 없으면 --no-successor로 "
                         "시스템 관리자가 맡게 할 수 있습니다.", code="needs_successor")

    def change_role(self, account_id: str, role: str, by: Person | None = None) -> AccountChange:
        actor = self._account_admin(by)
        if account_id == actor.id:
            raise InputError("자기 계정의 권한은 바꿀 수 없습니다. 다른 관리자에게 요청하세요.", code="own_account")
        self._target(actor, account_id)
        new = self._grant(actor, role)
        return self._update(actor, account_id, "account_role", role=new)

    def _update(self, actor: Person, account_id: str, action: str, **change: str) -> AccountChange:
        changed, ended = self.accounts.update(account_id, **change)
        if changed:
            self.recorder.audit(actor, action, f"{account_id} → {next(iter(change.values()))} (로그인 {ended}개 종료)")
        return AccountChange(account_id, changed, ended)

    # -- in bulk ---------------------------------------------------------------------------------------------
    def import_users(self, data: bytes, filename: str, dry_run: bool = False,
                     by: Person | None = None) -> ImportResult:
        """Accounts in bulk (see :mod:`seoulai.services.account_import`): all lines checked first; any bad line
        raises before anything is applied; the rest applied in one transaction of the state store. A 부서 관리자's
        file may name only their own units and roles up to 부서 관리자."""
        actor = self._account_admin(by)
        codes = {u.code: u.path for u in self.policy.org.units if u.code}

        def department_of(cell: str) -> str | None:
            resolved = codes.get(cell) or self.resolve_department(cell)
            return resolved if resolved in self.policy.org.by_path else None

        def outside(department: str, role: str) -> str | None:
            return self._refusal(actor, department, role)

        stored = {a.id: (a.name, self.policy.current_department(a.department), a.role, a.grade, a.email)
                  for a in self.accounts.list()}
        plan = account_import.plan_import(account_import.read_rows(data, filename), department_of, stored, outside)
        if plan.errors:
            raise ImportRejected(plan)
        if dry_run:
            return ImportResult(plan, False, ())
        added = [c for c in plan.changes if c.kind == "added"]
        changed = [c for c in plan.changes if c.kind == "changed"]
        passwords = tuple((c.id, account_import.initial_password()) for c in added)
        ended = self.accounts.apply_import(
            [(c.id, *c.stored(), p) for c, (_, p) in zip(added, passwords, strict=True)],
            [(c.id, *c.stored()) for c in changed])
        for c in added:
            self.recorder.audit(actor, "account_added", c.id)
        for c in changed:
            self.recorder.audit(actor, "account_updated", f"{c.id} ({'/'.join(c.fields)})")
        return ImportResult(plan, True, passwords, ended)

    # -- what the 계정 관리 page shows ------------------------------------------------------------------------
    def users(self, by: Person | None = None) -> list[Account]:
        """The accounts ``by`` manages (everyone for a system administrator), units as the chart in force names
        them."""
        actor = self._account_admin(by)
        scope = self.policy.check_accounts(actor)
        listed = [Account(a.id, a.name, self.policy.current_department(a.department), a.role, a.disabled, a.grade,
                          a.email) for a in self.accounts.list()]
        return [a for a in listed if a.department == scope or a.department.startswith(scope + "/")]

    def role_labels(self, by: Person | None = None) -> dict[str, str]:
        """The roles ``by`` may give, value to Korean label, for the 권한 picker."""
        return {r.value: r.label for r in self.policy.grantable_roles(by or self.operator())}

    def account_table(self, by: Person) -> pd.DataFrame:
        """The accounts as the 계정 관리 page shows them (Korean columns and labels)."""
        roles = {r.value: r.label for r in Role}
        users = self.users(by)
        return pd.DataFrame({"아이디": [u.id for u in users], "이름": [u.name for u in users],
                             "부서": [" > ".join(u.department.split("/")[1:]) or u.department for u in users],
                             "직급": [u.grade or "—" for u in users], "이메일": [u.email or "—" for u in users],
                             "역할": [roles.get(u.role, u.role) for u in users],
                             "상태": ["사용 중지" if u.disabled else "사용 중" for u in users]})

    # -- who may do what -----------------------------------------------------------------------------------
    def _account_admin(self, by: Person | None, department: str | None = None) -> Person:
        """Who manages accounts: the operator on the command line, a system administrator or a 부서 관리자 (for
        their units), with a Korean refusal for anyone else."""
        actor = by or self.operator()
        self.policy.check_accounts(actor, department)
        return actor

    def _target(self, actor: Person, account_id: str) -> Account:
        """The stored account, when ``actor`` may manage it (its unit in their scope, its role one they may give)."""
        found = next((a for a in self.accounts.list() if a.id == account_id), None)
        if found is None:
            raise InputError(f"없는 계정입니다: {account_id}. 아이디는 계정 관리 화면이나 `seoulai users list`로 "
                             "확인하세요.", code="not_found")
        if why := self._refusal(actor, self.policy.current_department(found.department), found.role):
            raise InputError(f"{why} ({account_id})", code="forbidden")
        return found

    def _grant(self, actor: Person, role: str) -> str:
        value = Role.parse(role).value
        if Role(value) not in self.policy.grantable_roles(actor):
            raise InputError(f"'{Role(value).label}' 권한은 시스템 관리자만 줄 수 있습니다.", code="forbidden")
        return value

    def _refusal(self, actor: Person, department: str, role: str) -> str | None:
        """Why ``actor`` may not manage an account in ``department`` with ``role`` (None: they may)."""
        scope = self.policy.check_accounts(actor)
        if not (department == scope or department.startswith(scope + "/")):
            return f"담당 조직({scope.rsplit('/', 1)[-1]}) 밖의 부서입니다: 시스템 관리자에게 요청하세요"
        if role in {r.value for r in Role} and Role(role) not in self.policy.grantable_roles(actor):
            return f"'{Role(role).label}' 권한의 계정은 시스템 관리자만 관리합니다"
        return None
