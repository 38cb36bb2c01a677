"""문서 Q&A's summary and comparison export to HWPX and DOCX (issue #33, point 3), re-read from the bytes: the text
in 바탕글/Normal, the title in the title style, the sources as a 참고 list and no bare [n]."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from seoulai.answer.compare import Change, Comparison
from seoulai.answer.summary import Summary
from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.errors import InputError
from seoulai.ingest.types import Chunk
from seoulai.services import Services, build_services

ALICE = Person("alice", "김서울", "서울특별시/행정국/총무과", "staff")
BARE = re.compile(r"\[\d+\]")


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    built = build_services(Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "idx", embed={"backend": "none"},
                                    llm={"backend": "none"}, usage={"enabled": False}))
    try:
        yield built
    finally:
        built.close()


def _chunk(n: int, section: str, page: int) -> Chunk:
    return Chunk(id=f"c{n}", source="규정.pdf", title="출장 여비 규정", section=section, page=page,
                 text=f"본문 {n}", position=n)


SUMMARY = Summary(title="출장 여비 규정", text="국내 출장 여비는 정액으로 지급한다 [2].\n숙박비는 실비로 정산한다 [1].",
                  passages=[_chunk(1, "제5조 (숙박비)", 3), _chunk(2, "제3조 (여비의 지급)", 1)], cited=[2, 1])
COMPARISON = Comparison(title_a="초안.hwpx", title_b="수정안.hwpx", explanation="지급 기준이 바뀌었습니다 [1].",
                        changes=[Change("changed", "제3조", before="5만 원", after="7만 원")], cited=[1])


def _hwpx_paragraphs(data: bytes) -> tuple[list[tuple[str, str]], str]:
    """(style name, text) per paragraph of section0.xml, styles resolved through header.xml."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        section = archive.read("Contents/section0.xml").decode("utf-8")
        header = archive.read("Contents/header.xml").decode("utf-8")
    styles = dict(re.findall(r'<hh:style [^>]*?id="(\d+)"[^>]*?name="([^"]*)"', header))
    paragraphs = []
    for match in re.finditer(r"<hp:p [^>]*?styleIDRef=\"(\d+)\"[^>]*>(.*?)</hp:p>", section, re.S):
        text = "".join(re.findall(r"<hp:t>([^<]*)</hp:t>", match.group(2)))
        if text:
            paragraphs.append((styles.get(match.group(1), match.group(1)), text))
    return paragraphs, section


def test_summary_to_hwpx_holds_its_text_and_a_reference_list(services: Services) -> None:
    data = services.documents.export_summary(ALICE, SUMMARY, "hwpx")
    paragraphs, section = _hwpx_paragraphs(data)
    assert paragraphs[0] == ("제목", "출장 여비 규정 요약")
    texts = [t for _, t in paragraphs]
    assert "국내 출장 여비는 정액으로 지급한다." in texts and "숙박비는 실비로 정산한다." in texts
    assert ("바탕글", "국내 출장 여비는 정액으로 지급한다.") in paragraphs
    at = texts.index("참고")
    assert texts[at + 1:] == ["1. 출장 여비 규정 제3조 (여비의 지급) 1쪽", "2. 출장 여비 규정 제5조 (숙박비) 3쪽"]
    assert not BARE.search(section)


def test_summary_to_docx_reads_back(services: Services) -> None:
    document = docx.Document(io.BytesIO(services.documents.export_summary(ALICE, SUMMARY, "docx")))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs if p.text]
    assert paragraphs[0] == ("Title", "출장 여비 규정 요약")
    assert ("Normal", "숙박비는 실비로 정산한다.") in paragraphs
    texts = [t for _, t in paragraphs]
    assert texts[texts.index("참고") + 1:] == ["1. 출장 여비 규정 제3조 (여비의 지급) 1쪽",
                                              "2. 출장 여비 규정 제5조 (숙박비) 3쪽"]
    assert not any(BARE.search(t) for t in texts)


@pytest.mark.parametrize("fmt", ["hwpx", "docx"])
def test_comparison_exports_its_changes(services: Services, fmt: str) -> None:
    data = services.documents.export_comparison(ALICE, COMPARISON, fmt)
    if fmt == "hwpx":
        texts = [t for _, t in _hwpx_paragraphs(data)[0]]
    else:
        texts = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs if p.text]
    assert texts[0] == "초안.hwpx → 수정안.hwpx 비교"
    assert "지급 기준이 바뀌었습니다." in texts
    assert "1. 변경 · 제3조" in texts and "이전: 5만 원" in texts and "이후: 7만 원" in texts
    assert texts[-2:] == ["1. 이전 문서: 초안.hwpx", "2. 이후 문서: 수정안.hwpx"]
    assert not any(BARE.search(t) for t in texts)


def test_an_unknown_format_is_refused_in_korean(services: Services) -> None:
    with pytest.raises(InputError, match="docx 또는 .hwpx"):
        services.documents.export_summary(ALICE, SUMMARY, "pdf")
