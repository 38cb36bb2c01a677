"""Statutes chunk by article with their path; long articles split by paragraph; ids are stable."""

from __future__ import annotations

from seoulai.ingest.chunking import ChunkParams, article_heading, chunk_document, is_statute
from seoulai.ingest.types import Block, Document


def _law(blocks: list[Block], **metadata: str) -> Document:
    return Document(source="x", format="md", title="민원 처리에 관한 법률", blocks=blocks, metadata=metadata)


LAW = [
    Block("민원 처리에 관한 법률", kind="heading", heading_level=1),
    Block("제2장 민원의 처리", kind="heading", heading_level=2),
    Block("제2절 민원의 처리기간ㆍ처리방법 등", kind="heading", heading_level=3),
    Block("제19조 (처리기간의 계산)", kind="heading", heading_level=5),
    Block("① 민원의 처리기간을 5일 이하로 정한 경우에는 민원의 접수시각부터 \"시간\" 단위로 계산한다."),
    Block("② 민원의 처리기간을 6일 이상으로 정한 경우에는 \"일\" 단위로 계산하고 첫날을 산입한다."),
    Block("제19조의2 (처리기간의 연장)", kind="heading", heading_level=5),
    Block("처리기간을 연장할 수 있다."),
    Block("부칙", kind="heading", heading_level=2),
    Block("제1조(시행일) 이 법은 공포한 날부터 시행한다."),
]


def test_articles_with_path_and_metadata() -> None:
    chunks = chunk_document(_law(LAW, 시행일자="2022-07-12", 출처="https://www.law.go.kr"), "민원처리법/법률.md",
                            collection="공통")
    assert [c.section for c in chunks] == [
        "제2장 민원의 처리 > 제2절 민원의 처리기간ㆍ처리방법 등 > 제19조 (처리기간의 계산)",
        "제2장 민원의 처리 > 제2절 민원의 처리기간ㆍ처리방법 등 > 제19조의2 (처리기간의 연장)",
        "부칙",
    ]
    first = chunks[0]
    assert first.text.startswith("제19조 (처리기간의 계산)\n①") and "첫날을 산입한다" in first.text
    assert (first.source, first.collection, first.effective_date) == ("민원처리법/법률.md", "공통", "2022-07-12")
    assert first.metadata["출처"] == "https://www.law.go.kr"
    assert chunks[2].text.startswith("제1조(시행일)")  # addenda are not mistaken for the main articles


def test_long_article_splits_by_paragraph_keeping_the_heading() -> None:
    paragraphs = [Block(f"{mark} " + "민원 처리에 관한 세부 사항을 정한다. " * 12) for mark in "①②③④⑤"]
    blocks = [Block("제5조 (세부 사항)", kind="heading", heading_level=5), *paragraphs,
              Block("제6조 (기타)", kind="heading", heading_level=5), Block("기타 사항.")]
    chunks = chunk_document(_law(blocks), "a.md", params=ChunkParams(article_max_chars=600))
    pieces = [c for c in chunks if c.section == "제5조 (세부 사항)"]
    assert len(pieces) >= 3
    assert all(p.text.startswith("제5조 (세부 사항)\n") and len(p.text) <= 600 for p in pieces)
    assert "".join(p.text for p in pieces).count("①") == 1 and "⑤" in pieces[-1].text


def test_pdf_style_lines_with_inline_article_titles() -> None:
    blocks = [Block("미원 학술상 규정", page=1), Block("시행: 2022. 12. 01.", page=1),
              Block("제 1 조 (목적) 이 규정은 학술상 시상에 필요한 사항을 정함을 목적으", page=1),
              Block("로 한다.", page=1), Block("제 2 조 (시상대상) 학술상은 전임교원에게 수여한다.", page=2)]
    document = Document(source="x", format="pdf", title="미원 학술상 규정", blocks=blocks)
    chunks = chunk_document(document, "규정.pdf")
    assert [(c.section, c.page) for c in chunks] == [("미원 학술상 규정", 1), ("제1조 (목적)", 1),
                                                     ("제2조 (시상대상)", 2)]
    assert chunks[1].text == "제1조 (목적)\n이 규정은 학술상 시상에 필요한 사항을 정함을 목적으\n로 한다."
    assert chunks[0].effective_date == "2022-12-01"


def test_references_inside_text_do_not_start_articles() -> None:
    assert article_heading("제5조에 따른 신고") is not None  # it matches the pattern ...
    blocks = [Block("제1조 (목적) 목적을 정한다."), Block("제5조제1항에 따라 처리한다."), Block("제2조 (정의) 뜻은.")]
    chunks = chunk_document(Document("x", "pdf", "t", blocks), "a.pdf")
    assert [c.section for c in chunks] == ["제1조 (목적)", "제2조 (정의)"]  # ... but has no title: not a start
    assert "제5조제1항에 따라" in chunks[0].text


def test_generic_document_by_heading_and_size() -> None:
    blocks = [Block("Ⅰ. 추진 배경"), *[Block(f"문단 {i} " + "내용 " * 40) for i in range(6)],
              Block("Ⅱ. 향후 계획"), Block("구분 | 일정\n착수 | 3월\n완료 | 12월", kind="table")]
    document = Document(source="x", format="hwp", title="보고서", blocks=blocks)
    assert not is_statute(blocks)
    chunks = chunk_document(document, "보고서.hwp", params=ChunkParams(chunk_chars=500))
    assert {c.section for c in chunks} == {"Ⅰ. 추진 배경", "Ⅱ. 향후 계획"}
    assert all(len(c.text) <= 500 for c in chunks)
    assert chunks[-1].text.startswith("구분 | 일정")


def test_long_table_repeats_its_header() -> None:
    rows = "\n".join(f"{i} | 항목{i} | " + "설명 " * 10 for i in range(40))
    document = Document("x", "hwpx", "표", [Block("번호 | 항목 | 설명\n" + rows, kind="table")])
    chunks = chunk_document(document, "t.hwpx", params=ChunkParams(chunk_chars=400))
    assert len(chunks) > 3 and all(c.text.startswith("번호 | 항목 | 설명\n") for c in chunks)


def test_ids_are_stable_and_change_only_with_content() -> None:
    one = chunk_document(_law(LAW), "a.md")
    two = chunk_document(_law(LAW), "a.md")
    assert [c.id for c in one] == [c.id for c in two]
    changed = list(LAW)
    changed[7] = Block("처리기간을 한 번만 연장할 수 있다.")
    three = chunk_document(_law(changed), "a.md")
    assert one[0].id == three[0].id and one[1].id != three[1].id and one[2].id == three[2].id
    assert chunk_document(_law(LAW), "b.md")[0].id != one[0].id
