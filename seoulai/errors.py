"""Errors that reach a person: a stable code and a Korean message that says what to do next."""

from __future__ import annotations

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
