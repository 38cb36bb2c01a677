"""Prompt templates are Korean Jinja2 files next to this module; a missing variable is an error."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

PROMPTS = Path(__file__).parent / "prompts"


class PromptError(ValueError):
    """A template was rendered without one of its variables."""


@lru_cache(maxsize=None)
def _environment(folder: str) -> jinja2.Environment:
    # Plain text, never HTML: autoescape off; StrictUndefined turns a forgotten variable into an error.
    return jinja2.Environment(loader=jinja2.FileSystemLoader(folder), undefined=jinja2.StrictUndefined,
                              autoescape=False, keep_trailing_newline=False, trim_blocks=False)


def render(name: str, folder: Path = PROMPTS, **variables: Any) -> str:
    try:
        return _environment(str(folder)).get_template(name).render(**variables).strip()
    except jinja2.UndefinedError as exc:
        raise PromptError(f"{name}: {exc.message}") from exc
