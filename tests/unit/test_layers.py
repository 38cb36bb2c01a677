"""The shape of the code (docs/ARCHITECTURE.md), checked on every run: pages and the CLI go through the services,
Streamlit stays in the UI layer, no module imports upward, no file grows past 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODE = sorted([*(ROOT / "seoulai").rglob("*.py"), *(ROOT / "views").glob("*.py"), *(ROOT / "tests").rglob("*.py"),
               *(ROOT / "benchmarks").glob("*.py"), ROOT / "app.py", ROOT / "serve.py"])
# Lower layers never import the ones above them (the composition root seoulai.services builds them all).
BELOW_SERVICES = ["errors", "config", "privacy", "auth", "ingest", "retrieval", "llm", "answer", "drafting", "usage",
                  "state", "files", "limits", "progress", "prompts", "text"]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _seoulai(path: Path) -> set[str]:
    return {name for name in _imports(path) if name == "seoulai" or name.startswith("seoulai.")}


@pytest.mark.parametrize("page", sorted((ROOT / "views").glob("*.py")) + [ROOT / "app.py"], ids=lambda p: p.name)
def test_pages_use_only_the_ui_and_the_services(page: Path) -> None:
    outside = {m for m in _seoulai(page) if not m.startswith(("seoulai.ui", "seoulai.services"))}
    assert outside == set()


def test_the_cli_uses_only_the_services() -> None:
    allowed = ("seoulai.services", "seoulai.cli", "seoulai.config", "seoulai.errors")
    outside = {m for path in (ROOT / "seoulai" / "cli").glob("*.py") for m in _seoulai(path)
               if not m.startswith(allowed)}
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
