"""Prompt templates are Korean Jinja2 files next to the module that uses them; a missing variable is an error.

Answers keep theirs in ``seoulai/answer/prompts``, drafting in ``seoulai/drafting/prompts``; both render here.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

ANSWER_PROMPTS = Path(__file__).parent / "answer" / "prompts"


class PromptError(ValueError):
    """A template was rendered without one of its variables."""


@lru_cache(maxsize=None)
def _environment(folder: str) -> jinja2.Environment:
    # Plain text, never HTML: autoescape off; StrictUndefined turns a forgotten variable into an error.
    return jinja2.Environment(loader=jinja2.FileSystemLoader(folder), undefined=jinja2.StrictUndefined,
                              autoescape=False, keep_trailing_newline=False, trim_blocks=False)


def render(name: str, folder: Path = ANSWER_PROMPTS, **variables: Any) -> str:
    try:
        return _environment(str(folder)).get_template(name).render(**variables).strip()
    except jinja2.UndefinedError as exc:
        raise PromptError(f"{name}: {exc.message}") from exc
