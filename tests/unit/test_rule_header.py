"""A 자치법규's metadata whatever the format: the front matter of the Seoul Markdown files, and the header law.go.kr /
ELIS print above a downloaded HWPX or DOCX ("[시행 …] [서울특별시조례 제N호, …]", "서울특별시(인사과)")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from seoulai.config import IngestSettings
from seoulai.ingest.chunking import chunk_document
from seoulai.ingest.readers import read_document
from seoulai.ingest.rule_header import iso_date, parse_rule_header

LIMITS = IngestSettings()
SERVICE_RULE = "corpus/seoul/조례/서울특별시 공무원 복무 조례.md"
HEADER = ["서울특별시 공무원 복무 조례", "[시행 2025. 9. 29.] [서울특별시조례 제9786호, 2025. 9. 29., 일부개정]",
          "서울특별시(인사과), 02-2133-5000"]
ARTICLES = ["제1조(목적) 이 조례는 「지방공무원법」에서 위임된 서울특별시 공무원의 복무에 관한 사항을 규정함을 목적으로 한다.",
            "제2조(복무 선서) 공무원은 취임할 때에 소속 기관장 앞에서 선서를 하여야 한다."]


def test_a_seoul_rule_header() -> None:
    assert parse_rule_header(HEADER) == {
        "제목": "서울특별시 공무원 복무 조례", "시행일자": "2025-09-29", "종류": "조례", "지자체": "서울특별시",
        "공포번호": "9786", "공포일자": "2025-09-29", "제개정구분": "일부개정", "담당부서": "인사과"}


def test_a_law_header_names_its_ministry_and_every_division() -> None:
    found = parse_rule_header(["지방자치법", "[시행 2024. 1. 1.] [법률 제19234호, 2023. 3. 14., 일부개정]",
                               "행정안전부(자치분권제도과), 044-205-3306", "행정안전부(선거의회자치법규과), 044-205-3312"])
    assert found["종류"] == "법률" and found["소관부처"] == "행정안전부" and "지자체" not in found
    assert found["담당부서"] == "자치분권제도과, 선거의회자치법규과"
    assert (found["시행일자"], found["공포일자"], found["공포번호"]) == ("2024-01-01", "2023-03-14", "19234")


def test_a_rule_header_on_separate_lines_and_what_is_not_a_header(tmp_path: Path) -> None:
    found = parse_rule_header(["서울특별시 행정기구 설치 조례 시행규칙", "[시행 2026. 8. 10.]",
                               "[서울특별시규칙 제4795호, 2026. 8. 10., 일부개정]", "서울특별시(조직담당관)"])
    assert (found["제목"], found["종류"], found["담당부서"]) == ("서울특별시 행정기구 설치 조례 시행규칙", "규칙", "조직담당관")
    # law.go.kr's note before a provision not yet in force, and an amendment note, say nothing of the document.
    assert parse_rule_header(["회의 결과 보고", "[시행일: 2026. 1. 1.] 제5조", "[전문개정 2011.8.4]"]) == {}
    assert iso_date("2025. 9. 29.") == "2025-09-29" and iso_date("20250929") == "2025-09-29"
    assert iso_date("2025. 13. 1.") is None
    plan = _docx(tmp_path / "plan.docx", ["2025년 민원 개선 계획", "처리기간 단축이 필요합니다. 담당: 민원담당관(02-2133-0000)"])
    assert not {"종류", "시행일자", "공포번호", "담당부서"} & set(read_document(plan, LIMITS).metadata)


def _docx(path: Path, lines: list[str] | None = None) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = "1"  # what editors leave behind
    for line in lines or HEADER + ARTICLES:
        document.add_paragraph(line)
    document.save(str(path))
    return path


def _hwpx(path: Path) -> Path:
    from hwpx import HwpxDocument  # as seoulai/drafting/export.py writes HWPX

    document = HwpxDocument.new()
    document.add_heading(HEADER[0], level=1)
    for line in HEADER[1:] + ARTICLES:
        document.add_paragraph(line)
    path.write_bytes(document.to_bytes())
    return path


@pytest.mark.parametrize("make", [_docx, _hwpx], ids=["docx", "hwpx"])
def test_a_downloaded_rule_read_back_carries_its_metadata_to_every_chunk(tmp_path: Path,
                                                                        make: Callable[[Path], Path]) -> None:
    path = make(tmp_path / f"rule.{make.__name__[1:]}")
    document = read_document(path, LIMITS)
    assert document.title == "서울특별시 공무원 복무 조례"
    assert {k: document.metadata.get(k) for k in ("종류", "시행일자", "공포번호", "공포일자", "제개정구분", "담당부서",
                                                  "지자체")} == {
        "종류": "조례", "시행일자": "2025-09-29", "공포번호": "9786", "공포일자": "2025-09-29",
        "제개정구분": "일부개정", "담당부서": "인사과", "지자체": "서울특별시"}
    chunks = chunk_document(document, path.name)
    articles = [c for c in chunks if c.section.startswith("제")]
    assert [c.section for c in articles] == ["제1조 (목적)", "제2조 (복무 선서)"]
    for chunk in articles:
        assert chunk.effective_date == "2025-09-29"
        assert (chunk.metadata["종류"], chunk.metadata["담당부서"], chunk.metadata["공포번호"]) == ("조례", "인사과", "9786")


def test_the_seoul_front_matter_is_kept_whole(shared_dir: Path) -> None:
    document = read_document(shared_dir / SERVICE_RULE, LIMITS)
    assert document.title == "서울특별시 공무원 복무 조례"
    assert document.metadata == {
        "제목": "서울특별시 공무원 복무 조례", "종류": "조례", "지자체": "서울특별시", "공포일자": "2025-09-29",
        "공포번호": "9862", "시행일자": "2025-09-29", "제개정구분": "일부개정", "담당부서": "인사과",
        "출처": "https://www.law.go.kr/자치법규/서울특별시공무원복무조례"}
    chunks = chunk_document(document, "서울특별시 공무원 복무 조례.md")
    article = next(c for c in chunks if c.section.endswith("제18조 (연가일수)"))
    assert {k: article.metadata.get(k) for k in ("종류", "시행일자", "공포번호", "제개정구분", "담당부서", "출처")} == {
        "종류": "조례", "시행일자": "2025-09-29", "공포번호": "9862", "제개정구분": "일부개정", "담당부서": "인사과",
        "출처": "https://www.law.go.kr/자치법규/서울특별시공무원복무조례"}


def test_a_law_front_matter_names_its_kind_like_a_rule(shared_dir: Path) -> None:
    document = read_document(shared_dir / "corpus/laws-admin/민원처리에관한법률/시행령.md", LIMITS)
    assert document.metadata["종류"] == "대통령령" and document.metadata["소관부처"] == "행정안전부"
