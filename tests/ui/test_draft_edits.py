"""The drafting page changes a draft only through the drafting service: a section edited by hand, regenerated, and
brought back to its earlier version (이전 판), as the page shows it and as it is saved."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.fakes.ollama_server import FakeOllama
from tests.ui.conftest import APP

FIRST, SECOND = "○ 하반기 결과 분석", "○ 2026년 전면 도입 검토"


def _responder(body: dict[str, Any]) -> str:
    prompt = body["messages"][-1]["content"]
    if "고칠 점:" in prompt:
        return SECOND
    return FIRST if "'향후 계획' 부분" in prompt else "○ 내용"


def test_a_section_edited_regenerated_and_restored(app_env: pytest.MonkeyPatch, fake_ollama: FakeOllama) -> None:
    fake_ollama.responder = _responder
    app_env.setenv("SEOULAI_OLLAMA_URL", fake_ollama.url)
    app_env.setenv("SEOULAI_EMBED__BACKEND", "none")
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("views/drafting.py").run()
    at.selectbox(key="dr_template").set_value("press_release").run()
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
