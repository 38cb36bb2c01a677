"""Every access rule of the product, in one place: who reads which collections, who manages which
library, whose usage a manager sees, who reads the audit log.

Collections: ``공통`` (every department), ``dept:<unit key>`` (one department, keyed by its full org path or
the chart's unit code, never by the 과 name alone: 과 names repeat across 국), ``user:<pseudonym>`` (one
person's uploads). Pages, the CLI and services ask this module; none decides by itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Protocol

from seoulai.auth.orgchart import OrgChart
from seoulai.auth.people import Person
from seoulai.auth.reorg import RenameBook
from seoulai.auth.roles import Role
from seoulai.errors import InputError


DEPT = "dept:"
USER = "user:"
_MAX_NAME = 80  # collection names become folder names: 80 Hangul syllables stay under 255 bytes


class ChartSource(Protocol):
    """Where the chart in force comes from when it follows the library (seoulai.auth.org_rule.OrgSource)."""

    book: RenameBook  # the renames and merges seen since the chart was first read

    def current(self) -> OrgChart: ...


class Policy:
    def __init__(self, org: OrgChart | ChartSource, shared: str) -> None:
        # A fixed chart, or the source that follows the organisation rule in the library (re-read per request).
        self.source = org
        self.shared = shared
        self._labels: tuple[OrgChart, dict[str, str]] | None = None

    @property
    def org(self) -> OrgChart:
        return self.source if isinstance(self.source, OrgChart) else self.source.current()

    # -- departments after a reorganisation ----------------------------------------------------------------
    def current_department(self, department: str) -> str:
        """The path a department has in the chart in force: an old path (renamed or merged unit) resolves to its
        successor; a path the chart knows, or one nobody renamed, stays as it is."""
        chart = self.org
        if department in chart.by_path or isinstance(self.source, OrgChart):
            return department
        return self.source.book.resolve(department, set(chart.by_path))

    def renames(self) -> dict[str, str]:
        """Old path -> path in force, for every recorded reorganisation."""
        if isinstance(self.source, OrgChart):
            return {}
        return {old: self.current_department(old) for old in self.source.book.renames()}

    def aliases(self, department: str) -> list[str]:
        """Old paths whose records (usage events, collections) now belong to ``department`` or a unit under it."""
        if isinstance(self.source, OrgChart):
            return []
        return self.source.book.aliases(department, set(self.org.by_path))

    # -- collections ----------------------------------------------------------------------------------------
    def department_collection(self, department: str) -> str:
        return self.raw_department_collection(self.current_department(department))

    def raw_department_collection(self, department: str) -> str:
        """The collection name of exactly this path, without following a reorganisation."""
        unit = self.org.by_path.get(department)
        key = unit.code if unit is not None and unit.code else department.replace("/", ".")
        name = DEPT + key
        if len(name) > _MAX_NAME:
            name = DEPT + hashlib.sha256(department.encode()).hexdigest()[:24]
        return name

    def _owners(self) -> dict[str, str]:
        """Collection name -> department path, once per chart (hundreds of units: no scan per label)."""
        chart = self.org
        cached = self._labels
        if cached is None or cached[0] is not chart:
            cached = (chart, {self.raw_department_collection(u.path): u.path for u in chart.units})
            self._labels = cached
        return cached[1]

    @staticmethod
    def private_collection(person: Person) -> str:
        return USER + person.pseudonym

    def readable(self, person: Person) -> list[str]:
        """What a person's searches read: the shared manuals, their department's, their own uploads (and the
        collection of a unit merged into theirs that could not be renamed onto an existing one)."""
        return [self.shared, self.department_collection(person.department), self.private_collection(person),
                *self._merged(person.department)]

    def readable_manuals(self, person: Person) -> list[str]:
        return [self.shared, self.department_collection(person.department), *self._merged(person.department)]

    def _merged(self, department: str) -> list[str]:
        if isinstance(self.source, OrgChart):
            return []
        kept = self.source.book.kept()
        if not kept:
            return []
        current = self.current_department(department)
        return [name for name, old in kept.items() if self.current_department(old) == current]

    def manageable(self, person: Person, existing: Iterable[str] = ()) -> list[str]:
        """Libraries a person may change: every library (admin); their unit's and, for a 실/국 administrator, those
        of every unit under it (dept_admin)."""
        own = self.department_collection(person.department)
        if person.role is Role.ADMIN:
            known = [c for c in existing if c == self.shared or c.startswith(DEPT)]
            return list(dict.fromkeys([self.shared, own, *known]))
        if person.role is Role.DEPT_ADMIN:
            return list(dict.fromkeys([own, *(self.raw_department_collection(u.path)
                                              for u in self.org.subtree(self.current_department(person.department)))]))
        return []

    def check_manage(self, person: Person, collection: str, existing: Iterable[str] = ()) -> None:
        if collection not in self.manageable(person, existing):
            raise InputError("이 문서함을 관리할 권한이 없습니다. 부서 관리자에게 요청하세요.", code="forbidden")

    def collection_label(self, collection: str) -> str:
        if collection == self.shared:
            return "공통 (모든 부서)"
        if collection.startswith(DEPT):
            path = self._owners().get(collection)
            return path.split("/", 1)[-1] if path else collection.removeprefix(DEPT)
        return collection

    def collection_owner(self, collection: str) -> str | None:
        """Who keeps a collection's manuals: the department's full path, "공통" for the shared library, None for
        a person's own uploads (not a manual)."""
        if collection == self.shared:
            return "공통"
        if collection.startswith(DEPT):
            return self._owners().get(collection, collection.removeprefix(DEPT))
        return None

    def resolve(self, name: str) -> str:
        """A collection named on the command line: ``dept:`` may be followed by a full org path or a unique
        과 name; an ambiguous name is refused rather than guessed."""
        if not name.startswith(DEPT) or name in self._owners():
            return name
        rest = name.removeprefix(DEPT)
        if "/" in rest:
            return self.department_collection(rest)
        units = self.org.named(rest)
        if len(units) == 1:
            return self.department_collection(units[0].path)
        if len(units) > 1:
            paths = ", ".join(u.path for u in units)
            raise InputError(f"'{rest}'이라는 부서가 여러 개입니다({paths}). dept:전체/경로 로 지정하세요.",
                             code="ambiguous_department")
        return name

    # -- accounts and rollout ---------------------------------------------------------------------------
    def account_scope(self, person: Person) -> str | None:
        """The part of the organisation whose accounts this person manages: the whole city (admin), their own
        과 or 실/국 and every unit under it (dept_admin); None: nobody's."""
        if person.role is Role.ADMIN:
            return self.org.root
        if person.role is Role.DEPT_ADMIN:
            return self.current_department(person.department)
        return None

    def check_accounts(self, person: Person, department: str | None = None) -> str:
        """The scope, or a Korean refusal when ``person`` manages no accounts or ``department`` is outside it."""
        scope = self.account_scope(person)
        if scope is None:
            raise InputError("계정 관리는 시스템 관리자와 부서 관리자만 할 수 있습니다.", code="forbidden")
        if department is not None and not _within(self.current_department(department), scope):
            raise InputError("담당 조직 밖의 계정은 관리할 수 없습니다. 시스템 관리자에게 요청하세요.", code="forbidden")
        return scope

    @staticmethod
    def grantable_roles(person: Person) -> list[Role]:
        """The roles ``person`` may give: any (admin); never one above their own (dept_admin: 직원, 부서 관리자)."""
        if person.role is Role.ADMIN:
            return list(Role)
        if person.role is Role.DEPT_ADMIN:
            return [Role.STAFF, Role.DEPT_ADMIN]
        return []

    @staticmethod
    def can_manage_rollout(person: Person) -> bool:
        """Who opens units (rollout waves) and edits the announcement banner: system administrators."""
        return person.role is Role.ADMIN

    # -- usage and audit ------------------------------------------------------------------------------
    def usage_scope(self, person: Person) -> str | None:
        """The part of the organisation whose usage this person may see (None: not allowed): the city (admin),
        their own unit with everything under it (manager, and a dept_admin's roll-up of the unit they manage)."""
        if person.role is Role.ADMIN:
            return self.org.root
        if person.role in (Role.MANAGER, Role.DEPT_ADMIN):
            return self.current_department(person.department)
        return None

    def check_usage(self, person: Person, department: str | None = None) -> str:
        scope = self.usage_scope(person)
        if scope is None:
            raise InputError("이용 현황은 관리자(부서장), 부서 관리자와 시스템 관리자만 볼 수 있습니다.", code="forbidden")
        if department is not None and not _within(department, scope):
            raise InputError("담당 조직 밖의 이용 현황은 볼 수 없습니다.", code="forbidden")
        return scope

    @staticmethod
    def can_audit(person: Person) -> bool:
        return person.role is Role.ADMIN

    def check_audit(self, person: Person) -> None:
        if not self.can_audit(person):
            raise InputError("감사 기록은 시스템 관리자만 볼 수 있습니다.", code="forbidden")

    @staticmethod
    def sees_template_problems(person: Person) -> bool:
        return person.role is Role.ADMIN

    def may_share_draft(self, person: Person, department: str) -> bool:
        """Drafts are shared only inside one 과: ``person`` may be named on, or open, a draft shared in
        ``department`` only while both are the same unit of the chart in force (a transfer ends the access)."""
        return self.current_department(person.department) == self.current_department(department)

    def admin_pages(self, person: Person) -> list[str]:
        """The 관리 pages a person's navigation shows, in order."""
        pages = []
        if self.manageable(person):
            pages.append("library")
        if self.account_scope(person) is not None:
            pages.append("accounts")
        if self.usage_scope(person) is not None:
            pages.append("usage")
        if self.can_manage_rollout(person):
            pages.append("rollout")
        if self.can_audit(person):
            pages.append("audit")
        return pages


def _within(department: str, scope: str) -> bool:
    return department == scope or department.startswith(scope + "/")
