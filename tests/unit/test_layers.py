"""The shape of the code (docs/ARCHITECTURE.md), checked on every run:

- the screens (views/*.py, app.py and seoulai/ui/*.py) import from seoulai only seoulai.services(.*),
  seoulai.errors, seoulai.config and seoulai.ui(.*): they read the result types the services return and call the
  services to change anything, so a change inside the core reaches no screen that did not ask for it;
- the CLI (seoulai/cli) imports from seoulai only seoulai.services(.*), seoulai.cli(.*), seoulai.config, seoulai.errors;
- streamlit is imported only under seoulai/ui;
- no layer below the services imports seoulai.services, seoulai.ui, seoulai.cli or seoulai.web;
- no file in seoulai/, views/, tests/, benchmarks/ (and app.py, serve.py) is longer than 400 lines.

An import is every ``import``/``from … import`` anywhere in a file (inside functions, under TYPE_CHECKING, in
try blocks; relative ones resolved against the file's package; ``from seoulai import x`` counts as seoulai.x)
and every ``importlib.import_module("…")``/``__import__("…")`` called with a literal name."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODE = sorted([*(ROOT / "seoulai").rglob("*.py"), *(ROOT / "views").glob("*.py"), *(ROOT / "tests").rglob("*.py"),
               *(ROOT / "benchmarks").glob("*.py"), ROOT / "app.py", ROOT / "serve.py"])
# Lower layers never import the ones above them (the composition root seoulai.services builds them all).
BELOW_SERVICES = ["errors", "config", "settings_files", "privacy", "auth", "ingest", "retrieval", "llm", "answer",
                  "drafting", "usage", "state", "files", "limits", "progress", "prompts", "text"]


def _package(path: Path) -> str:
    """The dotted package a file's relative imports start from (seoulai/ui/state.py -> seoulai.ui)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1])  # a package's __init__.py lives in the package it names, like any module of it


def _imports_in(source: str, package: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*up, *([node.module] if node.module else [])])
            # "from seoulai import answer" and "from . import x" name modules in their alias list.
            if node.module is None or base == "seoulai":
                found.update(f"{base}.{alias.name}" for alias in node.names)
            else:
                found.add(base)
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and ast.unparse(node.func) in ("importlib.import_module", "import_module", "__import__")):
            found.add(node.args[0].value)
    return found


def _imports(path: Path) -> set[str]:
    return _imports_in(path.read_text(encoding="utf-8"), _package(path))


def _seoulai(path: Path) -> set[str]:
    return {name for name in _imports(path) if name == "seoulai" or name.startswith("seoulai.")}


SCREENS = sorted([*(ROOT / "views").glob("*.py"), ROOT / "app.py", *(ROOT / "seoulai" / "ui").glob("*.py")])
SCREEN_IMPORTS = ("seoulai.services", "seoulai.errors", "seoulai.config", "seoulai.ui")


def _within(module: str, allowed: tuple[str, ...]) -> bool:
    return any(module == a or module.startswith(a + ".") for a in allowed)


@pytest.mark.parametrize("screen", SCREENS, ids=lambda p: str(p.relative_to(ROOT)))
def test_screens_use_only_the_services(screen: Path) -> None:
    outside = {m for m in _seoulai(screen) if not _within(m, SCREEN_IMPORTS)}
    assert outside == set(), f"{screen.relative_to(ROOT)} imports the core directly: {sorted(outside)}"


def test_every_kind_of_import_is_counted() -> None:
    source = """
from typing import TYPE_CHECKING
import seoulai.text.korean as korean
from seoulai import answer
from . import widgets
from ..retrieval import hits
if TYPE_CHECKING:
    from seoulai.drafting.draft import Draft
def later():
    from seoulai.answer.compare import word_diff
    importlib.import_module("seoulai.usage.figures")
"""
    assert _imports_in(source, "seoulai.ui") == {
        "typing", "seoulai.text.korean", "seoulai.answer", "seoulai.ui.widgets", "seoulai.retrieval",
        "seoulai.drafting.draft", "seoulai.answer.compare", "seoulai.usage.figures"}
    assert not _within("seoulai.uix", SCREEN_IMPORTS) and _within("seoulai.ui.state", SCREEN_IMPORTS)


def test_the_cli_uses_only_the_services() -> None:
    allowed = ("seoulai.services", "seoulai.cli", "seoulai.config", "seoulai.errors")
    outside = {m for path in (ROOT / "seoulai" / "cli").glob("*.py") for m in _seoulai(path)
               if not _within(m, allowed)}
    assert outside == set()


def test_streamlit_only_in_the_ui_layer() -> None:
    users = {str(p.relative_to(ROOT)) for p in (ROOT / "seoulai").rglob("*.py")
             if any(m == "streamlit" or m.startswith("streamlit.") for m in _imports(p))}
    assert users and all(u.startswith("seoulai/ui/") for u in users), users


@pytest.mark.parametrize("layer", BELOW_SERVICES)
def test_lower_layers_never_import_upward(layer: str) -> None:
    base = ROOT / "seoulai" / layer
    files = sorted(base.rglob("*.py")) if base.is_dir() else [base.with_suffix(".py")]
    upward = {m for f in files if f.exists() for m in _seoulai(f)
              if m.startswith(("seoulai.services", "seoulai.ui", "seoulai.cli", "seoulai.web"))}
    assert upward == set()


def test_no_file_over_400_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for p in CODE if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}
