"""The four roles of the product. Every access rule names a Role, never a string."""

from __future__ import annotations

from enum import StrEnum

from seoulai.errors import InputError


class Role(StrEnum):
    STAFF = "staff"
    DEPT_ADMIN = "dept_admin"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, value: "str | Role") -> "Role":
        try:
            return cls(value)
        except ValueError:
            raise InputError(f"역할은 {', '.join(r.value for r in cls)} 중 하나입니다 (입력: {value}).",
                             code="bad_role") from None


_LABELS = {Role.STAFF: "직원", Role.DEPT_ADMIN: "부서 관리자", Role.MANAGER: "관리자(이용 현황)",
           Role.ADMIN: "시스템 관리자"}
