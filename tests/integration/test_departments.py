"""담당 부서 찾기 on the real 행정기구 설치 조례 시행규칙: its 사무분장 split per unit, found from a question, on
the command line and as the 매뉴얼 검색 card."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from seoulai.cli import main
from seoulai.config import Settings
from seoulai.ingest.types import Chunk
from seoulai.retrieval.index import SearchIndex

RULE = "규칙/서울특별시 행정기구 설치 조례 시행규칙.md"
QUESTION = "서울광장 사용 관련해서 문의하려면 어느 과에 연락해야 하나요?"


@pytest.fixture(scope="module")
def rule_index(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Path:
    """The organisation rule alone in the shared collection 공통, keyword side only, indexed once."""
    corpus = tmp_path_factory.mktemp("corpus")
    (corpus / "규칙").mkdir()
    shutil.copy(shared_dir / "corpus" / "seoul" / RULE, corpus / RULE)  # public work (copyright act art. 7)
    index_dir = tmp_path_factory.mktemp("idx")
    settings = Settings(index_dir=index_dir, embed={"backend": "none"}, llm={"backend": "none"})
    report = SearchIndex(settings).ingest([corpus], "공통")
    assert report.changes.added == [RULE] and not report.failed
    return index_dir


@pytest.fixture
def env(seoulai_env: pytest.MonkeyPatch, rule_index: Path) -> pytest.MonkeyPatch:
    seoulai_env.setenv("SEOULAI_INDEX_DIR", str(rule_index))
    seoulai_env.setenv("SEOULAI_EMBED__BACKEND", "none")
    seoulai_env.setenv("SEOULAI_LLM__BACKEND", "none")
    return seoulai_env


def _unit_chunks(index_dir: Path) -> list[Chunk]:
    index = SearchIndex(Settings(index_dir=index_dir, embed={"backend": "none"}, llm={"backend": "none"}))
    return [c for c in index.collection("공통").chunks_of([RULE]) if c.metadata.get("unit")]


def test_each_unit_is_its_own_chunk(rule_index: Path) -> None:
    units = _unit_chunks(rule_index)
    general = [c for c in units if c.section.endswith("> 총무과") and "제17조의5" in c.section]
    assert len(general) == 1
    chunk = general[0]
    assert chunk.section == "제2장 본청 > 제17조의5 (행정국) > 총무과"
    assert chunk.text.startswith("제17조의5 (행정국) 행정국 총무과\n③ 총무과장은 다음 사항을 분장한다.")
    assert "서울광장 사용 및 관리에 관한 사항" in chunk.text and "인사위원회" not in chunk.text
    assert chunk.metadata["unit"] == "총무과" and chunk.metadata["unit_parent"] == "행정국"
    assert chunk.metadata.get("시행일자")  # the document's metadata is kept beside the unit's
    # A unit under a generic article title belongs to its 절's institution.
    parents = {c.metadata["unit_parent"] for c in units if "(하부조직)" in c.section}
    assert "하부조직" not in parents and "서울특별시인재개발원" in parents


def test_the_article_keeps_what_is_not_a_duty(rule_index: Path) -> None:
    index = SearchIndex(Settings(index_dir=rule_index, embed={"backend": "none"}, llm={"backend": "none"}))
    rest = [c for c in index.collection("공통").chunks_of([RULE]) if c.section == "제2장 본청 > 제17조의5 (행정국)"]
    assert rest and rest[0].text.startswith("제17조의5 (행정국)\n① 행정국에 총무과")
    assert not any("분장한다" in c.text for c in rest)
    assert all("unit" not in c.metadata for c in rest)


def test_long_units_are_split_by_item_with_the_heading_on_every_piece(shared_dir: Path) -> None:
    from seoulai.ingest.chunking import ChunkParams, chunk_document
    from seoulai.ingest.plaintext import read_markdown

    document = read_markdown(shared_dir / "corpus" / "seoul" / RULE, 2_000_000)
    chunks = chunk_document(document, RULE, "공통", ChunkParams(article_max_chars=300))
    pieces = [c for c in chunks if c.section == "제2장 본청 > 제17조의5 (행정국) > 인사과"]
    assert len(pieces) > 1
    for piece in pieces:
        assert piece.text.startswith("제17조의5 (행정국) 행정국 인사과\n") and len(piece.text) <= 300
        assert piece.metadata["unit"] == "인사과"
    items = [line for piece in pieces for line in piece.text.splitlines()[1:]]
    assert "12. 인사위원회 운영 및 공무원 징계" in items and len(items) == len(set(items))


def test_department_command_json(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["department", QUESTION, "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert list(payload) == ["departments"]
    first = payload["departments"][0]
    assert set(first) == {"name", "parent", "duty", "source", "section"}
    assert (first["name"], first["parent"]) == ("총무과", "행정국")
    assert first["duty"] == "서울광장 사용 및 관리에 관한 사항"
    assert "제17조의5" in first["section"] and first["source"] == RULE


def test_department_command_text(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["department", QUESTION, "-k", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0] == ("1. 행정국 총무과 — 서울광장 사용 및 관리에 관한 사항 "
                        "(서울특별시 행정기구 설치 조례 시행규칙 제17조의5)")


@pytest.mark.parametrize(("argv", "code"), [
    (["department", "", "--json"], "empty_query"),
    (["department", "   ", "--json"], "empty_query"),
    (["department", "가" * 5000, "--json"], "query_too_long"),
    (["department", QUESTION, "-k", "0", "--json"], "bad_k"),
])
def test_bad_input_exits_2_with_a_korean_message(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                                argv: list[str], code: str) -> None:
    assert main(argv) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["code"] == code and any("가" <= ch <= "힣" for ch in error["message"])


def test_nothing_matches(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["department", "슈뢰딩거 방정식 풀이는 어느 과예요?", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"departments": []}
    assert main(["department", "슈뢰딩거 방정식 풀이는 어느 과예요?"]) == 0
    assert "찾지 못했습니다" in capsys.readouterr().out


def test_no_organisation_rule_in_the_library(seoulai_env: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    seoulai_env.setenv("SEOULAI_EMBED__BACKEND", "none")
    assert main(["department", QUESTION, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"departments": []}


def test_card_for_a_person_is_logged(env: pytest.MonkeyPatch) -> None:
    from seoulai.services import build_services

    services = build_services()
    try:
        person = services.accounts.demo_person()
        card = services.departments.for_question(person, QUESTION)
        assert card and card[0].label == "행정국 총무과" and len(card) <= 3
        assert services.departments.for_question(person, "서울광장 사용료는 얼마예요?") == []
        services.usage.flush()
        rows = services.usage.log.query("SELECT feature, action, outcome FROM events")  # type: ignore[union-attr]  # usage is on
        assert ("manual_search", "department", "ok") in rows
    finally:
        services.close()
