"""A signed-in person and the collections they may read.

Everyone reads the shared collection (공통), their own department's collection and their own uploads;
nothing else. This is decided here, in the service layer, never in a page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

ROLES = {
    "staff": "직원",
    "dept_admin": "부서 관리자",
    "manager": "관리자(이용 현황)",
    "admin": "시스템 관리자",
}


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    department: str  # 실/국/과 path, e.g. "디지털도시국/디지털정책과"
    role: str = "staff"

    @property
    def department_collection(self) -> str:
        return f"dept:{self.department.rsplit('/', 1)[-1]}"

    @property
    def private_collection(self) -> str:
        return f"user:{self.pseudonym}"

    @property
    def pseudonym(self) -> str:
        """A stable id for logs and storage that does not reveal who the person is."""
        return hashlib.sha256(f"seoulai:{self.id}".encode()).hexdigest()[:16]

    def can_manage(self, collection: str, shared: str) -> bool:
        """Department admins manage their department's manuals; administrators manage every library."""
        if self.role == "admin":
            return True
        return self.role == "dept_admin" and collection == self.department_collection


def readable_collections(person: Person, shared: str, include_private: bool = True) -> list[str]:
    collections = [shared, person.department_collection]
    if include_private:
        collections.append(person.private_collection)
    return collections
