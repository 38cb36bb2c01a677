"""Names in a settings file that no setting has, and bad values, as Korean errors naming the setting.

Kept apart from seoulai.config so the settings themselves stay one readable page; the checks take the settings
model as a parameter (no import of seoulai.config here).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import get_origin

from dotenv import dotenv_values
from pydantic import BaseModel, ValidationError

from seoulai.errors import InputError

# Names a settings file may hold for other programs: ollama/setup.sh reads SEOULAI_BASE_MODEL (.env.example sets it).
OTHER_PROGRAMS = frozenset({"SEOULAI_BASE_MODEL"})


def check_settings_files(model: type[BaseModel], files: str | PathLike[str] | Sequence[str | PathLike[str]] | None,
                         encoding: str | None = None) -> None:
    """Refuse (Korean InputError, naming the key and the file) a ``SEOULAI_`` key no setting has."""
    paths = [files] if isinstance(files, (str, PathLike)) else list(files or [])
    for path in (Path(p).expanduser() for p in paths):
        if not path.is_file():
            continue
        for key in dotenv_values(path, encoding=encoding or "utf-8"):
            choices = _meant(model, key.upper())
            if choices is not None:
                raise InputError(f"설정 파일 {path.resolve()}에 알 수 없는 항목 '{key}'이(가) 있습니다. 철자를 확인하세요 "
                                 f"(가능한 항목: {', '.join(choices)}).", code="bad_settings")


def _meant(settings: type[BaseModel], name: str) -> list[str] | None:
    """None when ``name`` is a setting's environment name (or not ours); else the names it may have meant."""
    if not name.startswith("SEOULAI_") or name in OTHER_PROGRAMS:
        return None
    model = settings
    prefix, parts = "SEOULAI_", name.removeprefix("SEOULAI_").split("__")
    for depth, part in enumerate(parts):
        field = model.model_fields.get(part.lower())
        if field is None:
            names = [prefix + n.upper() for n in model.model_fields]
            close = difflib.get_close_matches(part.lower(), list(model.model_fields), 3)
            return [prefix + n.upper() for n in close] or names
        annotation = field.annotation
        if depth == len(parts) - 1 or dict in (annotation, get_origin(annotation)):
            return None  # a setting, or a key of a mapping setting (SEOULAI_USAGE__MINUTES_SAVED__DRAFTING)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return [prefix + part]  # a plain setting has no parts under it
        model, prefix = annotation, f"{prefix}{part}__"
    return None


_PROBLEMS = {"int_parsing": "정수여야 합니다", "float_parsing": "숫자여야 합니다", "bool_parsing": "true 또는 false여야 합니다",
             "literal_error": "정해진 값 중 하나여야 합니다", "greater_than": "더 큰 값이어야 합니다",
             "greater_than_equal": "더 큰 값이어야 합니다", "less_than_equal": "더 작은 값이어야 합니다",
             "less_than": "더 작은 값이어야 합니다", "missing": "값이 필요합니다"}


def bad_values(error: ValidationError) -> InputError:
    """A settings validation error as one Korean message naming each setting by its environment name."""
    problems = []
    for item in error.errors():
        name = "SEOULAI_" + "__".join(str(part) for part in item["loc"]).upper()
        allowed = item.get("ctx", {}).get("expected", "")
        problem = _PROBLEMS.get(item["type"], "형식이 올바르지 않습니다") + (f" ({allowed})" if allowed else "")
        problems.append(f"{name}={item.get('input')!r}: {problem}")
    return InputError("설정값이 올바르지 않습니다. .env 또는 환경 변수에서 고치세요: " + "; ".join(problems),
                      code="bad_settings")
