"""The drafting wizard for 보도자료, end to end in AppTest, including regenerating one section."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.fakes.ollama_server import FakeOllama
from tests.ui.conftest import APP, press_release_wizard


def _responder(body: dict) -> str:
    prompt = body["messages"][-1]["content"]
    title = re.search(r"의 '([^']+)' 부분을 씁니다", prompt).group(1)  # type: ignore[union-attr]  # always there
    if "고칠 점: 더 간결하게" in prompt:
        return "서울시가 행정 AI 도우미를 시범 도입했다."
    return {"리드 문단": "서울시는 2025. 7. 16. 행정 AI 도우미를 전 부서에 시범 도입했다고 밝혔다.",
            "본문": "□ 시범 운영 개요\n○ 24개 부서 참여", "관계자 인용": "“업무가 빨라질 것”이라고 말했다.",
            "향후 계획": "○ 하반기 결과 분석"}[title]


def test_press_release_wizard(app_env: pytest.MonkeyPatch, fake_ollama: FakeOllama) -> None:
    fake_ollama.responder = _responder
    at = press_release_wizard(app_env, fake_ollama.url)
    assert any("필수 항목" in i.value for i in at.info)
    at.button(key="dr_examples").click().run()
    at.button(key="dr_generate").click().run()
    assert not at.exception
    lead = at.text_area(key="dr_s_press_release_lead").value
    assert "시범 도입했다고 밝혔다" in lead
    assert "디지털정책과 | 팀장 홍길동, 주무관 김서울 | 02-2133-0000" in at.text_area(key="dr_s_press_release_contact").value

    at.text_input(key="dr_rev_lead").input("더 간결하게").run()
    at.button(key="dr_regen_lead").click().run()
    assert at.text_area(key="dr_s_press_release_lead").value == "서울시가 행정 AI 도우미를 시범 도입했다."
    assert "고칠 점: 더 간결하게" in fake_ollama.chat_requests()[-1].body["messages"][-1]["content"]
    assert at.text_area(key="dr_s_press_release_body").value.startswith("□ 시범 운영 개요")  # others untouched

    at.text_area(key="dr_s_press_release_plans").input("○ 2025-12-01 결과 발표").run()  # edit in place
    assert any("2025. 7. 16." in w.value for w in at.warning)  # the date-style check speaks up
    assert len(at.get("download_button")) == 2  # HWPX and DOCX (their content: tests/integration/test_drafting.py)


def test_reference_picker_labels_are_plain_text(app_env: pytest.MonkeyPatch, tmp_path) -> None:
    from markdown_it import MarkdownIt

    from seoulai.config import Settings
    from seoulai.retrieval.index import SearchIndex

    app_env.setenv("SEOULAI_LLM__BACKEND", "none")
    app_env.setenv("SEOULAI_EMBED__BACKEND", "none")
    manual = tmp_path / "m" / "안내.md"
    manual.parent.mkdir()
    manual.write_text("---\n제목: '![t](http://evil.example/t.png) 배포 기준'\n---\n\n# 보도자료 배포 기준\n\n"
                      "## [장](http://evil.example) 배포\n\n보도자료 배포 기준은 오전 9시이다.\n", encoding="utf-8")
    SearchIndex(Settings(index_dir=tmp_path / "indexes", embed={"backend": "none"})).ingest([manual.parent], "공통")
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("views/drafting.py").run()
    at.text_input(key="dr_ref_query").input("보도자료 배포 기준").run()
    at.button(key="dr_ref_search").click().run()
    labels = [c.label for c in at.checkbox]
    assert labels and any("evil.example" in label for label in labels)
    for label in labels:
        html = MarkdownIt("gfm-like").render(label)
        assert "<img" not in html and "<a href" not in html, label
