"""Personal data is masked where text leaves the request, once, and nowhere else (docs/ARCHITECTURE.md):
the model gateway (every prompt), the recorder (usage and audit logs, so managers' views), the answer's one
serialiser (conversation history, the CLI), and the titles a person types for stored records. The `pii mask`
tool masks because that is what it is for. Before, the engine, 매뉴얼 검색 and 어느 과 each masked the question
too, and history masked it again."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOUNDARIES = {
    "seoulai/llm/chat.py": "to the model",
    "seoulai/services/recording.py": "to the usage and audit logs",
    "seoulai/answer/result.py": "to conversation history and the CLI (Answer.to_json)",
    "seoulai/services/conversations.py": "a conversation's name, typed by the person",
    "seoulai/services/drafting.py": "a saved draft's title",
    "seoulai/services/tools.py": "the pii mask tool itself",
}


def _mask_calls(path: Path) -> int:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return sum(1 for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
               and node.func.id == "mask")


def test_masking_happens_only_at_the_boundaries() -> None:
    callers = {str(p.relative_to(ROOT)) for p in (ROOT / "seoulai").rglob("*.py")
               if "privacy" not in p.parts and _mask_calls(p)}
    assert callers == set(BOUNDARIES), sorted(callers ^ set(BOUNDARIES))
