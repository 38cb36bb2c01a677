"""No two modules of seoulai import each other, directly or around a circle: a circle means neither side can be
read, tested or changed alone, and it is usually a piece of one that belongs in a module of its own.

Every import counts: at the top, inside a function (a lazy import hides a circle, it does not break it) and under
``if TYPE_CHECKING:``."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "seoulai"


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
# Circles known today, outside the three issue #32 names; each goes from this list when it is broken.
KNOWN: list[list[str]] = []  # every circle is broken; a new one fails this test


def _imported(module: str, path: Path) -> set[str]:
    """The seoulai modules ``module`` imports; ``from seoulai.x import y`` is seoulai.x.y when that is a module."""
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against this module's package
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return {name for name in found if name in MODULES and name != module}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted, the list sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_graph_sees_every_kind_of_import() -> None:
    """The checker itself: a function-level and a TYPE_CHECKING import are edges, and a circle through them is found."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert "seoulai.errors" in _imported("seoulai.drafting.draft", MODULES["seoulai.drafting.draft"])


def test_no_import_cycles() -> None:
    graph = {module: _imported(module, path) for module, path in MODULES.items()}
    found = _cycles(graph)
    assert [c for c in KNOWN if c not in found] == [], "broken circles still listed in KNOWN: remove them"
    cycles = [c for c in found if c not in KNOWN]
    assert cycles == [], "modules that import each other (around a circle): " + "; ".join(
        " ↔ ".join(c) for c in cycles)
