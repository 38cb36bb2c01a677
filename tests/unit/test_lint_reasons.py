"""Every silenced check says which check and why (issue #32, DESIGN.md): `# noqa: CODE - reason` and
`# type: ignore[code]  # reason`. A bare `noqa` or `type: ignore` hides every check on its line, including the
ones nobody meant to silence, and one without a reason cannot be judged when the code around it changes. ruff's
RUF100 and mypy's warn_unused_ignores find the ones no longer needed; this test finds the ones that do not explain
themselves."""

from __future__ import annotations

import io
import re
import tokenize
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODE = sorted([*(ROOT / "seoulai").rglob("*.py"), *(ROOT / "views").rglob("*.py"), *(ROOT / "tests").rglob("*.py"),
               *(ROOT / "benchmarks").rglob("*.py"), ROOT / "app.py", ROOT / "serve.py"])
# A directive anywhere in a comment (ruff reads a noqa after other text too; see misplaced() for mypy).
DIRECTIVE = re.compile(r"#\s*(?=noqa\b|type:\s*ignore\b)", re.IGNORECASE)
# `noqa: E402, F401 - reason`: ruff's codes (letters then digits), a dash, then words.
NOQA = re.compile(r"noqa:\s*[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*\s+-\s+\S.{5,}")
# `type: ignore[import-untyped, no-redef]  # reason`: mypy's error codes, then the reason as a comment of its own.
IGNORE = re.compile(r"type:\s*ignore\[[a-z-]+(?:\s*,\s*[a-z-]+)*\]\s+#\s*(?!noqa\b|type:)\S.{5,}")


def directives(source: str) -> list[tuple[int, str]]:
    """(line, text) of every noqa or type-ignore directive in the comments of `source`, each with the text that
    follows it on its line (its reason); strings and docstrings that merely mention one are not comments."""
    found: list[tuple[int, str]] = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.COMMENT:
            continue
        starts = [m.start() for m in DIRECTIVE.finditer(token.string)]
        for start, end in pairwise([*starts, len(token.string)]):
            found.append((token.start[0], token.string[start:end].lstrip("# ").strip()))
    return found


def misplaced(source: str) -> list[int]:
    """Lines whose `type: ignore` follows other comment text: mypy reads one only at the start of the comment, so
    there it silences nothing while looking as if it did."""
    return [token.start[0] for token in tokenize.generate_tokens(io.StringIO(source).readline)
            if token.type == tokenize.COMMENT and re.search(r"#\s*type:\s*ignore", token.string[1:])
            and not re.match(r"#\s*type:\s*ignore", token.string)]


def unexplained(text: str) -> bool:
    """True when a directive names no code or gives no reason."""
    if text.lower().startswith("noqa"):
        return NOQA.match(text) is None
    return IGNORE.match(text) is None


@pytest.mark.parametrize(("text", "bad"), [
    ("noqa", True), ("noqa: E402", True), ("NOQA:E402 - x", True), ("noqa - sys.path is set up first", True),
    ("noqa: E402 - sys.path is set up first", False), ("noqa: S608, BLE001 - table names are ours", False),
    ("type: ignore", True), ("type: ignore[attr-defined]", True), ("type: ignore  # no stubs for kiwipiepy", True),
    ("type: ignore[attr-defined]  # noqa: F401 - the reason is the noqa's", True),
    ("type: ignore[import-untyped]  # duckdb has no stubs", False),
    ("type: ignore[import-not-found, no-redef]  # tomllib before 3.11", False),
])
def test_the_rule_itself(text: str, bad: bool) -> None:
    assert unexplained(text) is bad


def test_comments_only() -> None:
    source = 'x = "# noqa"  # noqa: E501 - a long literal\n"""# type: ignore"""\ny = 1  # type: ignore\n'
    assert directives(source) == [(1, "noqa: E501 - a long literal"), (3, "type: ignore")]


def test_misplaced_ignores_are_found() -> None:
    source = "a = 1  # type: ignore[misc]  # why\nb = 2  # why  # type: ignore[misc]\nc = 3  # noqa: F841 - x\n"
    assert misplaced(source) == [2]


def test_every_type_ignore_begins_its_comment() -> None:
    bad = [f"{path.relative_to(ROOT)}:{line}" for path in CODE for line in misplaced(path.read_text(encoding="utf-8"))]
    assert bad == []


def test_every_silenced_check_names_its_code_and_reason() -> None:
    bad = [f"{path.relative_to(ROOT)}:{line}: # {text}"
           for path in CODE for line, text in directives(path.read_text(encoding="utf-8")) if unexplained(text)]
    assert bad == [], f"{len(bad)} directives without a code and a reason:\n" + "\n".join(bad)
