"""An answer copied from "답변 복사하기" keeps its sources; printing leaves the sidebar out, on every page."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import APP


def _answer_page() -> None:
    from seoulai.services import Answer, Hit
    from seoulai.ui.answer_view import render_answer

    hit = Hit(source="seoul/복무조례.md", title="서울특별시 공무원 복무 조례", section="제2장 근무 > 제7조 (출장)",
              page=None, text="출장은 …", score=1.0, chunk_id="c1", effective_date="2025-09-29",
              metadata={"종류": "조례"})
    render_answer(Answer(question="출장?", status="answered", text="출장은 미리 신청합니다 [1].",
                         passages=(hit,), cited=(1,)))


def test_copied_answer_lists_its_sources() -> None:
    at = AppTest.from_function(_answer_page, default_timeout=30).run()
    assert not at.exception
    copied = at.code[0].value
    assert copied.startswith("출장은 미리 신청합니다 [1].")
    assert "\n근거\n[1] 서울특별시 공무원 복무 조례 제7조 (출장) (조례, 시행일 2025-09-29)" in copied


def test_print_hides_the_sidebar_on_every_page(app_env: pytest.MonkeyPatch) -> None:
    app_env.setenv("SEOULAI_EMBED__BACKEND", "none")
    app_env.setenv("SEOULAI_LLM__BACKEND", "none")
    at = AppTest.from_file(APP, default_timeout=90).run()
    for page in (None, "views/manual_search.py", "views/drafting.py"):
        if page:
            at.switch_page(page).run()
        assert not at.exception
        styles = [e.proto.body for e in at.get("html")]
        assert any("@media print" in s and '[data-testid="stSidebar"]' in s and "display: none" in s
                   for s in styles), (page, styles)
