"""How the Seoul rules (real files from ../shared) are chunked: 삭제 stubs are no chunks, every amendment's 부칙 is
a chunk of its own, and the articles the newest 부칙 defers keep their own 시행일."""

from __future__ import annotations

import re
from pathlib import Path

from seoulai.ingest.addenda import deferred_articles
from seoulai.ingest.chunking import chunk_document
from seoulai.ingest.plaintext import read_markdown
from seoulai.ingest.types import Block, Chunk, Document
from seoulai.retrieval.statute import article_key, is_addenda

SERVICE = "corpus/seoul/조례/서울특별시 공무원 복무 조례.md"
DISCIPLINE = "corpus/seoul/규칙/서울특별시 공무원 징계 등에 관한 규칙.md"
LABEL_LINE = re.compile(r"^부\s*칙.*<[^>]*제\s*\d+\s*호[^>]*>", re.MULTILINE)


def _chunks(path: Path) -> list[Chunk]:
    return chunk_document(read_markdown(path, 1_000_000), path.name)


def test_deleted_articles_are_never_chunks(shared_dir: Path) -> None:
    chunks = _chunks(shared_dir / DISCIPLINE)
    keys = [article_key(c.section) for c in chunks]
    assert "제2조의2" not in keys and "제3조" not in keys  # "##### 제3조" + "삭제 <2020.1.16>" only
    assert "제2조" in keys and "제4조" in keys
    assert not any(c.text.strip().endswith("삭제 <2020.1.16>") for c in chunks)


def test_a_deleted_article_on_one_line_ends_the_article_before_it() -> None:
    blocks = [Block("제1조(목적) 이 규정은 목적을 정한다."), Block("제2조 삭제 <2020.1.16>"),
              Block("제3조(정의) 이 규정에서 쓰는 말의 뜻은 다음과 같다.")]
    chunks = chunk_document(Document("x", "pdf", "규정", blocks), "규정.pdf")
    assert [(c.section, c.text) for c in chunks] == [("제1조 (목적)", "제1조 (목적)\n이 규정은 목적을 정한다."),
                                                     ("제3조 (정의)", "제3조 (정의)\n이 규정에서 쓰는 말의 뜻은 다음과 같다.")]


def test_every_amendments_addenda_is_a_chunk_of_its_own(shared_dir: Path) -> None:
    path = shared_dir / SERVICE
    labels = LABEL_LINE.findall(path.read_text(encoding="utf-8"))
    chunks = [c for c in _chunks(path) if c.section.startswith("부칙")]
    sections = list(dict.fromkeys(c.section for c in chunks))
    assert len(labels) == 32 and len(sections) == len(labels)  # 제4724호 (2009) … 제9862호 (2025)
    for chunk in chunks:
        assert is_addenda(chunk.section) and article_key(chunk.section) is None  # ranking sees a 부칙
        assert not LABEL_LINE.search(chunk.text)  # never merged with the next 부칙
    by_section = {c.section: c.text for c in chunks}
    # A 부칙 whose text comes after thirty blank lines.
    assert by_section["부칙 <제4724호,2009.1.8>"] == "이 조례는 공포한 날부터 시행한다."
    assert by_section["부칙 <제5660호,2014.1.9>"] == "이 조례는 공포한 날부터 시행한다."  # label and text in one block
    exception = by_section["부칙 <제8952호, 2023.10.4>"]
    assert exception.startswith("제1조(시행일)") and "제18조의 개정 규정은 2023년 10월 19일부터 시행한다" in exception
    long_label = "부칙(서울특별시 조례의 상위법령 인용조문 일괄정비를 위한 조례) <제7217호,2019.7.18>"
    assert by_section[long_label] == "이 조례는 공포한 날부터 시행한다."
    # The newest amendment's 부칙 says which it is: it answers "언제부터 시행돼요?".
    assert by_section["부칙 <제9862호, 2025.9.29>"] == "※ 현행 조례의 시행일: 2025. 9. 29.\n이 조례는 공포한 날부터 시행한다."


def test_a_bare_addenda_heading_takes_the_label_that_follows() -> None:
    blocks = [Block("제1조 (목적)", kind="heading", heading_level=5), Block("목적을 정한다."),
              Block("제2조 (정의)", kind="heading", heading_level=5), Block("뜻을 정한다."),
              Block("부칙", kind="heading", heading_level=2), Block("부칙 <제10호, 2020.1.2>"),
              Block("이 규칙은 공포한 날부터 시행한다."), Block("부칙 <제11호, 2021.3.4>\n제1조(시행일) 이 규칙은 공포한 날부터 시행한다.")]
    chunks = chunk_document(Document("x", "md", "규칙", blocks), "규칙.md")
    assert [(c.section, c.text) for c in chunks[2:]] == [
        ("부칙 <제10호, 2020.1.2>", "이 규칙은 공포한 날부터 시행한다."),
        ("부칙 <제11호, 2021.3.4>", "제1조(시행일) 이 규칙은 공포한 날부터 시행한다.")]


def test_the_newest_addenda_defers_its_articles(shared_dir: Path, tmp_path: Path) -> None:
    """The file as it stood at 제8952호 (2023.10.4): its 부칙 puts 제18조 in force on 2023-10-19."""
    text = (shared_dir / SERVICE).read_text(encoding="utf-8")
    older = text.replace("공포일자: 2025-09-29\n공포번호: '9862'\n시행일자: '2025-09-29'",
                         "공포일자: 2023-10-04\n공포번호: '8952'\n시행일자: '2023-10-04'")
    assert older != text
    (tmp_path / "복무.md").write_text(older, encoding="utf-8")
    dates = {c.section.rsplit(" > ", 1)[-1]: c.effective_date for c in _chunks(tmp_path / "복무.md")}
    assert dates["제18조 (연가일수)"] == "2023-10-19"
    assert dates["제17조 (휴가의 종류)"] == dates["제19조 (재직기간의 계산 등)"] == "2023-10-04"
    # The real file's newest 부칙 defers nothing: every article has the document's date.
    assert {c.effective_date for c in _chunks(shared_dir / SERVICE)} == {"2025-09-29"}


def test_which_articles_an_addenda_clause_defers() -> None:
    assert deferred_articles("제1조(시행일) 이 조례는 공포한 날부터 시행한다. 다만, 제17조의7제3항은 2026년 10월 2일부터 "
                             "시행한다.") == {"제17조의7": "2026-10-02"}
    assert deferred_articles("제1조(시행일) 이 법은 공포한 날부터 시행한다. 다만, 부칙 제13조제62항의 개정규정은 2008년 4월 "
                             "7일부터 시행하고, 제22조제4항제4호의 개정규정은 2008년 8월 28일부터 시행하며, 제5조부터 "
                             "제7조까지의 개정규정은 2009년 1월 1일부터 시행한다.") == {
        "제22조": "2008-08-28", "제5조": "2009-01-01", "제6조": "2009-01-01", "제7조": "2009-01-01"}
    assert deferred_articles("제2조(시행일에 관한 특례) 제9조의 개정규정은 2027년 1월 1일부터 시행한다.") == {
        "제9조": "2027-01-01"}
    assert deferred_articles("이 조례는 2023년 6월 28일부터 시행한다.") == {}  # the whole rule: the document's date
