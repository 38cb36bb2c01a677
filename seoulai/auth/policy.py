"""Every access rule of the product, in one place: who reads which collections, who manages which
library, whose usage a manager sees, who reads the audit log.

Collections: ``공통`` (every department), ``dept:<unit key>`` (one department, keyed by its full org path or
the chart's unit code, never by the 과 name alone: 과 names repeat across 국), ``user:<pseudonym>`` (one
person's uploads). Pages, the CLI and services ask this module; none decides by itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from seoulai.auth.orgchart import OrgChart
from seoulai.auth.people import Person
from seoulai.auth.roles import Role
from seoulai.errors import InputError

DEPT = "dept:"
USER = "user:"
_MAX_NAME = 80  # collection names become folder names: 80 Hangul syllables stay under 255 bytes


class Policy:
    def __init__(self, org: OrgChart, shared: str) -> None:
        self.org = org
        self.shared = shared

    # -- collections ----------------------------------------------------------------------------------
    def department_collection(self, department: str) -> str:
        unit = self.org.by_path.get(department)
        key = unit.code if unit is not None and unit.code else department.replace("/", ".")
        name = DEPT + key
        if len(name) > _MAX_NAME:
            name = DEPT + hashlib.sha256(department.encode()).hexdigest()[:24]
        return name

    @staticmethod
    def private_collection(person: Person) -> str:
        return USER + person.pseudonym

    def readable(self, person: Person) -> list[str]:
        """What a person's searches read: the shared manuals, their department's, their own uploads."""
        return [self.shared, self.department_collection(person.department), self.private_collection(person)]

    def readable_manuals(self, person: Person) -> list[str]:
        return self.readable(person)[:2]

    def manageable(self, person: Person, existing: Iterable[str] = ()) -> list[str]:
        """Libraries a person may change: their department's (dept_admin), every library (admin)."""
        own = self.department_collection(person.department)
        if person.role is Role.ADMIN:
            known = [c for c in existing if c == self.shared or c.startswith(DEPT)]
            return list(dict.fromkeys([self.shared, own, *known]))
        if person.role is Role.DEPT_ADMIN:
            return [own]
        return []

    def check_manage(self, person: Person, collection: str, existing: Iterable[str] = ()) -> None:
        if collection not in self.manageable(person, existing):
            raise InputError("이 문서함을 관리할 권한이 없습니다. 부서 관리자에게 요청하세요.", code="forbidden")

    def collection_label(self, collection: str) -> str:
        if collection == self.shared:
            return "공통 (모든 부서)"
        if collection.startswith(DEPT):
            path = next((u.path for u in self.org.units if self.department_collection(u.path) == collection), None)
            return path.split("/", 1)[-1] if path else collection.removeprefix(DEPT)
        return collection

    def collection_owner(self, collection: str) -> str | None:
        """Who keeps a collection's manuals: the department's full path, "공통" for the shared library, None for
        a person's own uploads (not a manual)."""
        if collection == self.shared:
            return "공통"
        if collection.startswith(DEPT):
            return next((u.path for u in self.org.units if self.department_collection(u.path) == collection),
                        collection.removeprefix(DEPT))
        return None

    def resolve(self, name: str) -> str:
        """A collection named on the command line: ``dept:`` may be followed by a full org path or a unique
        과 name; an ambiguous name is refused rather than guessed."""
        if not name.startswith(DEPT) or name.removeprefix(DEPT) in {self._key(u.path) for u in self.org.units}:
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

    def _key(self, path: str) -> str:
        return self.department_collection(path).removeprefix(DEPT)

    # -- usage and audit ------------------------------------------------------------------------------
    def usage_scope(self, person: Person) -> str | None:
        """The part of the organisation whose usage this person may see (None: not allowed)."""
        if person.role is Role.ADMIN:
            return self.org.root
        if person.role is Role.MANAGER:
            return person.department
        return None

    def check_usage(self, person: Person, department: str | None = None) -> str:
        scope = self.usage_scope(person)
        if scope is None:
            raise InputError("이용 현황은 관리자(부서장)와 시스템 관리자만 볼 수 있습니다.", code="forbidden")
        if department is not None and not (department == scope or department.startswith(scope + "/")):
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

    def admin_pages(self, person: Person) -> list[str]:
        """The 관리 pages a person's navigation shows, in order."""
        pages = []
        if self.manageable(person):
            pages.append("library")
        if self.usage_scope(person) is not None:
            pages.append("usage")
        if self.can_audit(person):
            pages.append("audit")
        return pages
