"""Errors that reach a person: a stable code and a Korean message that says what to do next."""

from __future__ import annotations

import errno
import sqlite3
from typing import Any


class SeoulAIError(Exception):
    """Base class for every error shown to a person (CLI exit code 2, a Korean message in the browser)."""

    code: str = "error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def to_json(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


class InputError(SeoulAIError):
    """Bad input from the person (a file, a field, a query)."""

    code = "bad_input"


class DiskFullError(SeoulAIError):
    """The disk (or a database on it) is full. Raised only once what was half-written is removed, so the message
    can promise that nothing stored was lost."""

    code = "disk_full"

    def __init__(self, message: str = "저장 공간이 부족해 저장하지 못했습니다. 이미 저장된 문서와 검색 색인은 그대로입니다. "
                 "시스템 관리자에게 디스크 공간 확보를 요청한 뒤 다시 시도해 주세요.") -> None:
        super().__init__(message)


def disk_full(error: BaseException) -> bool:
    """Whether an error means no space is left: the operating system's ENOSPC/EDQUOT or SQLite's SQLITE_FULL."""
    if isinstance(error, OSError):
        return error.errno in (errno.ENOSPC, errno.EDQUOT)
    if isinstance(error, sqlite3.OperationalError):
        return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(error)
    return False
