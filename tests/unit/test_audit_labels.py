"""Every audit action the services record has a Korean name on the 감사 기록 page (draft sharing's actions once
showed as raw codes such as draft_share)."""

from __future__ import annotations

import ast
from pathlib import Path

from seoulai.services.accounts import AUDIT_ACTIONS

ROOT = Path(__file__).resolve().parents[2]


def _recorded_actions() -> set[str]:
    actions: set[str] = set()
    for path in (ROOT / "seoulai").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "audit"
                    and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
                    and isinstance(node.args[1].value, str)):
                actions.add(node.args[1].value)
    return actions


def test_every_recorded_action_has_a_korean_name() -> None:
    recorded = _recorded_actions()
    assert len(recorded) >= 10  # the scan finds the services' audit calls
    assert sorted(recorded - set(AUDIT_ACTIONS)) == []
