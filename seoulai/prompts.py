"""Prompt templates are Korean Jinja2 files next to the module that uses them; a missing variable is an error.

Answers keep theirs in ``seoulai/answer/prompts``, drafting in ``seoulai/drafting/prompts``; both render here.
"""

from __future__ import annotations

import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

ANSWER_PROMPTS = Path(__file__).parent / "answer" / "prompts"


# The block markers our prompts use: a document's own "</근거자료>" or "<부분 2>" must not open or close one.
_MARKER = re.compile(r"<(/?)\s*(근거자료|자료|문서|부분|참고자료|작성정보|변경목록|대화)")


class PromptError(ValueError):
    """A template was rendered without one of its variables."""


def boundary() -> str:
    """A fresh per-request marker for the untrusted-data blocks: a document cannot guess it."""
    return secrets.token_hex(6)


def data(value: object) -> str:
    """Untrusted text put into a prompt (``{{ x | data }}``): block markers in it become inert look-alikes."""
    return _MARKER.sub(lambda m: "‹" + m.group(1) + m.group(2), str(value))


@lru_cache(maxsize=None)
def _environment(folder: str) -> jinja2.Environment:
    # Plain text, never HTML: autoescape off; StrictUndefined turns a forgotten variable into an error.
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), undefined=jinja2.StrictUndefined,
                                     autoescape=False, keep_trailing_newline=False, trim_blocks=False)
    environment.filters["data"] = data
    return environment


def render(name: str, folder: Path = ANSWER_PROMPTS, **variables: Any) -> str:
    try:
        return _environment(str(folder)).get_template(name).render(**variables).strip()
    except jinja2.UndefinedError as exc:
        raise PromptError(f"{name}: {exc.message}") from exc
