"""The drafting page changes a draft only through the drafting service: a section edited by hand, regenerated, and
brought back to its earlier version (이전 판), as the page shows it and as it is saved."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes.ollama_server import FakeOllama
from tests.ui.conftest import press_release_wizard

FIRST, SECOND = "○ 하반기 결과 분석", "○ 2026년 전면 도입 검토"


def _responder(body: dict[str, Any]) -> str:
    prompt = body["messages"][-1]["content"]
    if "고칠 점:" in prompt:
        return SECOND
    return FIRST if "'향후 계획' 부분" in prompt else "○ 내용"


def test_a_section_edited_regenerated_and_restored(app_env: pytest.MonkeyPatch, fake_ollama: FakeOllama) -> None:
    fake_ollama.responder = _responder
    at = press_release_wizard(app_env, fake_ollama.url)
    at.button(key="dr_examples").click().run()
    at.button(key="dr_generate").click().run()
    assert at.text_area(key="dr_s_press_release_plans").value == FIRST

    at.text_area(key="dr_s_press_release_plans").input("○ 손으로 고친 계획").run()  # the service keeps the edit
    at.text_input(key="dr_rev_plans").input("더 구체적으로").run()
    at.button(key="dr_regen_plans").click().run()
    assert at.text_area(key="dr_s_press_release_plans").value == SECOND
    draft = at.session_state["dr_draft"]
    assert draft.versions["plans"] == ["○ 손으로 고친 계획"]  # the text it replaced: the edit, not the first output

    at.selectbox(key="dr_ver_plans").set_value(0).run()
    at.button(key="dr_restore_plans").click().run()
    assert not at.exception
    assert at.text_area(key="dr_s_press_release_plans").value == "○ 손으로 고친 계획"
    assert draft.versions["plans"] == ["○ 손으로 고친 계획"]  # a change gives a new draft: the one read is kept
    draft = at.session_state["dr_draft"]
    assert draft.sections["plans"] == "○ 손으로 고친 계획" and draft.versions["plans"] == [SECOND]
