"""A signed-in person: who they are, their department (the full 실/국/과 path) and their role.

What a person may read or manage is decided in :mod:`seoulai.auth.policy`, never here or in a page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from seoulai.auth.roles import Role


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    department: str  # the full org path, e.g. "서울특별시/행정국/총무과"
    role: Role = field(default=Role.STAFF)

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role.parse(self.role))

    @property
    def pseudonym(self) -> str:
        """A stable id for logs and storage that does not reveal who the person is."""
        return hashlib.sha256(f"seoulai:{self.id}".encode()).hexdigest()[:16]

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "department": self.department, "role": self.role.value}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> "Person":
        return cls(data["id"], data["name"], data["department"], Role.parse(data["role"]))
