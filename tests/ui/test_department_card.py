"""The 담당 부서 card of 매뉴얼 검색 through AppTest: above the answer for "어느 과" questions, absent otherwise."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from seoulai.config import Settings
from seoulai.retrieval.index import SearchIndex
from tests.ui.conftest import APP, ROOT

RULE = "규칙/서울특별시 행정기구 설치 조례 시행규칙.md"


def _index(folder: Path, index_dir: Path) -> Path:
    SearchIndex(Settings(index_dir=index_dir, embed={"backend": "none"}, llm={"backend": "none"})).ingest(
        [folder], "공통")
    return index_dir


@pytest.fixture(scope="module")
def with_rule(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Path:
    """The organisation rule and one demo law in the shared library (keyword side only)."""
    folder = tmp_path_factory.mktemp("manuals")
    (folder / "규칙").mkdir()
    shutil.copy(shared_dir / "corpus" / "seoul" / RULE, folder / RULE)
    shutil.copytree(ROOT / "demo" / "manuals" / "민원처리에관한법률", folder / "민원처리에관한법률")
    return _index(folder, tmp_path_factory.mktemp("idx"))


@pytest.fixture(scope="module")
def without_rule(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("manuals")
    shutil.copytree(ROOT / "demo" / "manuals" / "민원처리에관한법률", folder / "민원처리에관한법률")
    return _index(folder, tmp_path_factory.mktemp("idx"))


def _ask(env: pytest.MonkeyPatch, index_dir: Path, question: str) -> AppTest:
    env.setenv("SEOULAI_INDEX_DIR", str(index_dir))
    env.setenv("SEOULAI_EMBED__BACKEND", "none")
    env.setenv("SEOULAI_LLM__BACKEND", "none")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/manual_search.py").run()
    at.radio(key="ms_mode").set_value("검색만").run()  # the card does not depend on the model
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    return at


def _shown(at: AppTest) -> str:
    texts = [str(m.value) for m in at.markdown] + [str(c.value) for c in at.caption]
    return re.sub(r"\\(.)", r"\1", "\n".join(texts))


def test_card_above_the_answer_for_a_department_question(app_env: pytest.MonkeyPatch, with_rule: Path) -> None:
    at = _ask(app_env, with_rule, "서울광장 사용 관련해서 문의하려면 어느 과에 연락해야 하나요?")
    shown = _shown(at)
    assert "담당 부서" in shown
    assert "행정국 총무과" in shown and "서울광장 사용 및 관리에 관한 사항" in shown
    assert "서울특별시 행정기구 설치 조례 시행규칙 제17조의5" in shown
    answer = [m for m in at.chat_message if m.name == "assistant"][-1]
    assert "담당 부서" in str(answer.markdown[0].value)  # the card comes first, the answer below it
    units = [c for c in answer.caption if "근거:" in str(c.value)]
    assert 1 <= len(units) <= 3


def test_no_card_for_a_factual_question(app_env: pytest.MonkeyPatch, with_rule: Path) -> None:
    at = _ask(app_env, with_rule, "민원의 처리기간은 어떻게 계산하나요?")
    assert "담당 부서" not in _shown(at)


def test_no_card_without_the_organisation_rule(app_env: pytest.MonkeyPatch, without_rule: Path) -> None:
    at = _ask(app_env, without_rule, "민원 처리기간 계산은 어느 과에서 해요?")
    assert "담당 부서" not in _shown(at)
