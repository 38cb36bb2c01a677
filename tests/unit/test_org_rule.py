"""The organisation chart read from the real 서울특별시 행정기구 설치 조례 시행규칙, and the 조직 개편 map."""

from __future__ import annotations

from pathlib import Path

import pytest

from seoulai.auth.org_rule import chart_from_chunks, chart_from_document, is_org_rule, root_of
from seoulai.auth.orgchart import OrgChart, Unit
from seoulai.auth.reorg import RenameBook, find_renames
from seoulai.ingest.chunking import chunk_document
from seoulai.ingest.plaintext import read_markdown
from seoulai.ingest.types import Document

RULE = "corpus/seoul/규칙/서울특별시 행정기구 설치 조례 시행규칙.md"


@pytest.fixture(scope="module")
def rule(shared_dir: Path) -> Document:
    return read_markdown(shared_dir / RULE, 1_000_000)


@pytest.fixture(scope="module")
def chart(rule: Document) -> OrgChart:
    return chart_from_document(rule)


def _children(chart: OrgChart, path: str) -> list[str]:
    return [u.name for u in chart.units if u.parent_path == path]


def test_행정국_and_its_과(chart: OrgChart) -> None:
    assert chart.root == "서울특별시"
    assert _children(chart, "서울특별시/행정국") == ["총무과", "인사과", "인력개발과", "자치행정과", "국제행사지원과",
                                                 "시민협력과", "대외협력과"]
    general = chart.by_path["서울특별시/행정국/총무과"]
    assert "당직 및 보안에 관한 사항" in general.duties
    assert general.source == "서울특별시 행정기구 설치 조례 시행규칙"
    assert general.section == "제2장 본청 > 제17조의5 (행정국) > 총무과"
    assert general.headcount == 0


def test_담당관_and_기획관(chart: OrgChart) -> None:
    assert "서울특별시/대변인/언론담당관" in chart.by_path
    assert "서울특별시/기획조정실/법무담당관" in chart.by_path
    assert "서울특별시/기획조정실/규제혁신기획관" not in chart.by_path  # oversees paragraphs, is no 과
    assert not [u for u in chart.units if u.parent_path == "서울특별시/경제실" and u.name.endswith("기획관")]
    security = chart.by_path["서울특별시/디지털도시국/정보보안과"]
    assert any("개인정보" in duty for duty in security.duties)
    assert "서울특별시/디지털도시국/디지털정책과" in chart.by_path


def test_the_whole_본청_and_the_기관(chart: OrgChart) -> None:
    head_office = [u for u in chart.units if u.section.startswith("제2장 본청")]
    offices = [u for u in head_office if u.depth == 1]
    divisions = [u for u in head_office if u.depth == 2]
    assert len(offices) == 30 and len(divisions) >= 150
    assert all(u.duties for u in divisions)
    assert not [u for u in chart.units if u.name.startswith(("삭제", "립"))]
    assert "서울특별시/보건환경연구원/운영기획부" in chart.by_path
    assert "서울특별시/시립미술관" in chart.by_path
    assert len(chart.leaves()) > 300


def test_chunks_give_the_same_chart(rule: Document, chart: OrgChart) -> None:
    rebuilt = chart_from_chunks(chunk_document(rule, "서울특별시 행정기구 설치 조례 시행규칙.md", "공통"), rule.title)
    assert [(u.path, u.duties) for u in rebuilt.units] == [(u.path, u.duties) for u in chart.units]


def test_rule_titles() -> None:
    assert is_org_rule("서울특별시 행정기구 설치 조례 시행규칙")
    assert is_org_rule("부산광역시 행정기구 설치 조례 시행규칙")
    assert not is_org_rule("서울특별시 행정기구 설치 조례")
    assert root_of("부산광역시 행정기구 설치 조례 시행규칙") == "부산광역시"


def test_renames_and_merges_follow_the_duties() -> None:
    old = OrgChart([Unit("시", 0), Unit("시/국", 0), Unit("시/국/가과", 0, duties=("청사 관리", "당직 및 보안")),
                    Unit("시/국/나과", 0, duties=("의전", "행사")), Unit("시/국/다과", 0, duties=("예산 편성",)),
                    Unit("시/국/라과", 0, duties=("홍보",))])
    new = OrgChart([Unit("시", 0), Unit("시/국", 0), Unit("시/국/가행정과", 0, duties=("청사  관리", "당직 및 보안")),
                    Unit("시/국/다과", 0, duties=("예산 편성", "의전", "행사")), Unit("시/국/마과", 0, duties=("감사",))])
    assert find_renames(old, new) == {"시/국/가과": "시/국/가행정과", "시/국/나과": "시/국/다과"}


def test_a_renamed_국_takes_its_과_along(tmp_path: Path) -> None:
    old = OrgChart([Unit("시", 0), Unit("시/옛국", 0), Unit("시/옛국/가과", 0, duties=("청사 관리",))])
    new = OrgChart([Unit("시", 0), Unit("시/새국", 0), Unit("시/새국/가과", 0, duties=("청사 관리",))])
    renames = find_renames(old, new)
    assert renames == {"시/옛국/가과": "시/새국/가과", "시/옛국": "시/새국"}
    book = RenameBook(tmp_path / "org_renames.json")
    book.add(renames)
    assert book.resolve("시/옛국/가과") == "시/새국/가과"
    assert book.resolve("시/옛국/없는과") == "시/새국/없는과"
    assert book.aliases("시/새국") == ["시/옛국", "시/옛국/가과"]
    book.add({"시/새국/가과": "시/새국/가나과"})  # a second reorganisation: chains resolve
    assert book.resolve("시/옛국/가과") == "시/새국/가나과"
