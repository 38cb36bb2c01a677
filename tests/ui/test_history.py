"""Conversation history and saved drafts: kept server-side per person, back after a reload, listed in the
sidebar, renamable and deletable, never opened by another person; 다시 생성 keeps the earlier versions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from seoulai.auth.people import Person
from tests.fakes.ollama_server import FakeOllama
from tests.ui.conftest import APP

ROOT = Path(__file__).resolve().parents[2]
BOB = Person("bob", "이한강", "서울특별시/행정국/총무과", "staff")


def _app(env: pytest.MonkeyPatch, url: str, page: str, params: dict[str, str] | None = None,
         person: Person | None = None) -> AppTest:
    env.setenv("SEOULAI_OLLAMA_URL", url)
    env.setenv("SEOULAI_EMBED__BACKEND", "none")
    at = AppTest.from_file(APP, default_timeout=90)
    if person is not None:
        at.session_state["auth_person"] = person
    at.run()
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _home(env: pytest.MonkeyPatch, url: str, person: Person | None = None) -> AppTest:
    """The app's first run (home), where the sidebar's history is drawn (AppTest's switch_page runs the page
    script alone)."""
    env.setenv("SEOULAI_OLLAMA_URL", url)
    env.setenv("SEOULAI_EMBED__BACKEND", "none")
    at = AppTest.from_file(APP, default_timeout=90)
    if person is not None:
        at.session_state["auth_person"] = person
    return at.run()


@pytest.fixture
def manuals(app_env: pytest.MonkeyPatch) -> None:
    from seoulai.config import Settings
    from seoulai.retrieval.index import SearchIndex

    import os

    SearchIndex(Settings(index_dir=os.environ["SEOULAI_INDEX_DIR"], embed={"backend": "none"})).ingest(
        [ROOT / "demo" / "manuals" / "민원처리에관한법률"], "공통")


def _markdown(at: AppTest) -> str:
    return re.sub(r"\\(.)", r"\1", "\n".join(str(m.value) for m in at.markdown))


def test_a_reload_brings_the_conversation_back(app_env: pytest.MonkeyPatch, manuals: None,
                                                fake_ollama: FakeOllama) -> None:
    # The first answer, the follow-up rewritten into a standalone question, the second answer.
    fake_ollama.script("일 단위로 계산합니다 [1].", "민원 처리기간을 연장할 수 있나요?", "처리기간 연장은 한 번만 가능합니다 [1].")
    at = _app(app_env, fake_ollama.url, "views/manual_search.py")
    at.chat_input[0].set_value("민원의 처리기간은 어떻게 계산하나요?").run()
    conversation = at.query_params["c"][0] if isinstance(at.query_params["c"], list) else at.query_params["c"]
    assert conversation
    reloaded = _app(app_env, fake_ollama.url, "views/manual_search.py", {"c": conversation})  # F5: a fresh session
    assert "일 단위로 계산합니다" in _markdown(reloaded)
    listed = _home(app_env, fake_ollama.url)
    assert any("민원의 처리기간은" in b.label for b in listed.sidebar.button)  # listed in the sidebar by its title
    reloaded.chat_input[0].set_value("연장은요?").run()  # continues the same conversation
    assert "민원의 처리기간은" in fake_ollama.chat_requests()[-2].body["messages"][-1]["content"]  # the rewrite saw it
    assert "이전 대화" in fake_ollama.chat_requests()[-1].body["messages"][-1]["content"]
    again = _app(app_env, fake_ollama.url, "views/manual_search.py", {"c": conversation})
    assert "한 번만 가능합니다" in _markdown(again) and "일 단위로 계산합니다" in _markdown(again)
    other = _app(app_env, fake_ollama.url, "views/manual_search.py", {"c": conversation}, person=BOB)
    assert "일 단위로 계산합니다" not in _markdown(other)  # another person's link opens nothing
    assert not any("민원의 처리기간은" in b.label for b in _home(app_env, fake_ollama.url, BOB).sidebar.button)


def test_conversations_are_renamed_and_deleted(app_env: pytest.MonkeyPatch, manuals: None,
                                               fake_ollama: FakeOllama) -> None:
    from seoulai.ui import get_services

    fake_ollama.script("일 단위로 계산합니다 [1].")
    at = _app(app_env, fake_ollama.url, "views/manual_search.py")
    at.chat_input[0].set_value("민원의 처리기간은 어떻게 계산하나요?").run()
    services = get_services()
    demo = services.accounts.demo_person()
    (item,) = services.conversations.list(demo)
    services.conversations.rename(demo, item.id, "처리기간 문의 010-1234-5678")
    assert services.conversations.list(demo)[0].title == "처리기간 문의 [휴대전화번호]"  # masked like the rest
    at = _home(app_env, fake_ollama.url)
    assert at.sidebar.button(key=f"hist_delete_{item.id}").label == "삭제"  # offered beside each conversation
    services.conversations.delete(demo, item.id)  # (clicked in the browser journey)
    assert services.conversations.list(demo) == [] and services.conversations.open(demo, item.id) is None


def test_a_draft_survives_a_reload_and_keeps_its_versions(app_env: pytest.MonkeyPatch,
                                                          fake_ollama: FakeOllama) -> None:
    replies = iter(["서울시는 첫 번째 리드를 밝혔다.", "□ 개요\n○ 본문", "“인용”이라고 말했다.", "○ 계획",
                    "서울시는 두 번째 리드를 밝혔다."])
    fake_ollama.responder = lambda body: next(replies)
    at = _app(app_env, fake_ollama.url, "views/drafting.py")
    at.selectbox(key="dr_template").set_value("press_release").run()
    at.button(key="dr_examples").click().run()
    at.button(key="dr_generate").click().run()
    at.button(key="dr_regen_lead").click().run()
    assert at.text_area(key="dr_s_press_release_lead").value == "서울시는 두 번째 리드를 밝혔다."
    draft_id = at.query_params["d"][0] if isinstance(at.query_params["d"], list) else at.query_params["d"]
    reloaded = _app(app_env, fake_ollama.url, "views/drafting.py", {"d": draft_id})
    assert reloaded.text_area(key="dr_s_press_release_lead").value == "서울시는 두 번째 리드를 밝혔다."
    assert reloaded.text_input(key="dr_f_press_release_title").value.startswith("서울시, 공공 행정에")
    reloaded.button(key="dr_restore_lead").click().run()  # back to the first version
    assert reloaded.text_area(key="dr_s_press_release_lead").value == "서울시는 첫 번째 리드를 밝혔다."
    assert any("저장된 초안" in e.label for e in reloaded.expander)
