"""DOCX, XLSX, PPTX, CSV, Markdown and TXT readers on files made here with the real libraries."""

from __future__ import annotations

from pathlib import Path

import pytest

from seoulai.config import IngestSettings
from seoulai.ingest.readers import read_document

LIMITS = IngestSettings()


def test_docx_headings_paragraphs_tables(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = "2025년 민원 개선 계획"
    document.add_heading("Ⅰ. 추진 배경", level=1)
    document.add_paragraph("민원 처리기간 단축이 필요합니다.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "구분", "내용"
    table.cell(1, 0).text, table.cell(1, 1).text = "목표", "처리기간 20% 단축"
    document.sections[0].header.paragraphs[0].text = "서울특별시 내부 문서"
    path = tmp_path / "plan.docx"
    document.save(str(path))
    result = read_document(path, LIMITS)
    assert result.title == "2025년 민원 개선 계획"
    assert [(b.kind, b.heading_level) for b in result.blocks[:2]] == [("heading", 1), ("paragraph", None)]
    assert result.blocks[2].kind == "table" and "목표 | 처리기간 20% 단축" in result.blocks[2].text
    assert result.blocks[-1].kind == "note" and "서울특별시 내부 문서" in result.blocks[-1].text


def test_xlsx_rows_with_header(tmp_path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "부서현황"
    sheet.append(["부서", "정원", "비고"])
    sheet.append(["디지털정책과", 42, None])
    sheet.append(["민원여권과", 18, "신설"])
    path = tmp_path / "org.xlsx"
    workbook.save(str(path))
    texts = [b.text for b in read_document(path, LIMITS).blocks]
    assert texts == ["부서현황", "부서: 디지털정책과, 정원: 42", "부서: 민원여권과, 정원: 18, 비고: 신설"]


def test_csv_in_cp949(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes("이름,부서\n홍길동,총무과\n".encode("cp949"))
    assert [b.text for b in read_document(path, LIMITS).blocks] == ["이름: 홍길동, 부서: 총무과"]


def test_pptx_slides_are_pages(tmp_path: Path) -> None:
    import pptx

    deck = pptx.Presentation()
    for title in ("스마트 서울 추진 현황", "향후 계획"):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
    path = tmp_path / "deck.pptx"
    deck.save(str(path))
    result = read_document(path, LIMITS)
    assert result.pages == 2
    assert [(b.page, b.text) for b in result.blocks] == [(1, "스마트 서울 추진 현황"), (2, "향후 계획")]


def test_markdown_front_matter_and_headings(tmp_path: Path) -> None:
    path = tmp_path / "law.md"
    path.write_text("---\n제목: 민원 처리에 관한 법률\n소관부처:\n- 행정안전부\n시행일자: 2022-07-12\n"
                    "출처: https://www.law.go.kr/법령/민원처리에관한법률\n법령MST: 1\n---\n\n# 민원 처리에 관한 법률\n\n"
                    "## 제1장 총칙\n\n##### 제1조 (목적)\n\n이 법은 **①** 민원을 1\\. 규정한다.\n", encoding="utf-8")
    result = read_document(path, LIMITS)
    assert result.title == "민원 처리에 관한 법률"
    assert result.metadata == {"제목": "민원 처리에 관한 법률", "소관부처": "행정안전부", "시행일자": "2022-07-12",
                               "출처": "https://www.law.go.kr/법령/민원처리에관한법률"}
    assert [(b.kind, b.heading_level, b.text) for b in result.blocks] == [
        ("heading", 1, "민원 처리에 관한 법률"), ("heading", 2, "제1장 총칙"), ("heading", 5, "제1조 (목적)"),
        ("paragraph", None, "이 법은 ① 민원을 1. 규정한다.")]


def test_plain_text_keeps_lines(tmp_path: Path) -> None:
    path = tmp_path / "memo.txt"
    path.write_text("# 이것은 제목이 아닙니다\n둘째 줄\n\n새 문단", encoding="utf-8")
    result = read_document(path, LIMITS)
    assert [b.text for b in result.blocks] == ["# 이것은 제목이 아닙니다\n둘째 줄", "새 문단"]
    assert result.title == "memo"


@pytest.mark.parametrize("name", ["a.txt", "a.md", "a.csv"])
def test_binary_named_as_text_is_refused(tmp_path: Path, name: str) -> None:
    from seoulai.ingest.failures import IngestError

    path = tmp_path / name
    path.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(IngestError) as info:
        read_document(path, LIMITS)
    assert info.value.code == "unsupported"


def test_a_csv_with_unnamed_columns_stays_the_size_it_is(tmp_path: Path) -> None:
    """A header row of empty cells once made every value "열N: v": 1 MB of CSV became 8.9 million characters."""
    path = tmp_path / "wide.csv"
    header = "이름" + "," * 199
    rows = "\n".join(",".join(["홍"] + ["x"] * 199) for _ in range(2000))
    path.write_text(header + "\n" + rows + "\n", encoding="utf-8")
    size = len(path.read_text(encoding="utf-8"))
    result = read_document(path, LIMITS)
    extracted = sum(len(b.text) for b in result.blocks)
    assert extracted <= 2 * size and "열" not in result.blocks[0].text
    assert result.blocks[0].text.startswith("이름: 홍")


def test_extracted_text_is_bounded_as_it_is_built(tmp_path: Path) -> None:
    from seoulai.ingest.failures import IngestError

    path = tmp_path / "big.csv"  # under the limit as a file, over it once every value is named by its column
    path.write_text("항목이름,값이름\n" + "\n".join(f"{i},{'가' * 30}" for i in range(3000)), encoding="utf-8")
    assert len(path.read_text(encoding="utf-8")) < 120_000
    with pytest.raises(IngestError) as refused:
        read_document(path, IngestSettings(max_chars=120_000))
    assert refused.value.code == "too_large"


@pytest.mark.timeout(120)  # rows up to 1,048,576 of 16,384 cells each took the parser to its time limit
def test_an_xlsx_with_a_far_away_cell_is_read_by_the_cells_it_has(tmp_path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["부서", "인원"])
    workbook.active.append(["총무과", 12])
    workbook.active["XFD1048576"] = "끝"  # one cell in the last row and column: A1:XFD1048576
    path = tmp_path / "far.xlsx"
    workbook.save(str(path))
    result = read_document(path, LIMITS)
    assert any("부서: 총무과" in b.text and "인원: 12" in b.text for b in result.blocks)
    assert any(b.text.endswith("끝") for b in result.blocks)
