"""The "어느 과에서 해요?" mode (keyword side only, the units' 사무분장 first) changes a search only where a 사무분장
can answer: a person's own uploads (문서 Q&A: a university's 학칙) are searched on both sides whatever the wording."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from seoulai.config import Settings
from seoulai.llm import build_embedder
from seoulai.retrieval.index import SearchIndex
from seoulai.retrieval.query import asks_department
from tests.fakes.ollama_server import FakeOllama

RULE = "규칙/서울특별시 행정기구 설치 조례 시행규칙.md"
MINE = "user:abc123"
UPLOAD = "학칙.md"
REGULATION = ("# 학칙\n\n## 제30조 (재입학)\n\n① 제적된 학생은 원래 소속 학과로 재입학할 수 있다.\n"
              "② 연계전공 학생은 주전공 학과로 재입학한다. 재입학 신청은 학기 개시 30일 전까지 한다.\n")


@pytest.fixture
def searched(tmp_path: Path, shared_dir: Path) -> Iterator[tuple[SearchIndex, FakeOllama]]:
    """The shared collection holds the organisation rule (its 사무분장, keyword side only); the person's own
    collection holds an upload, embedded by the fake embedder."""
    corpus = tmp_path / "corpus"
    (corpus / "규칙").mkdir(parents=True)
    shutil.copy(shared_dir / "corpus" / "seoul" / RULE, corpus / RULE)  # public work (copyright act art. 7)
    plain = Settings(index_dir=tmp_path / "idx", embed={"backend": "none"}, llm={"backend": "none"})
    assert not SearchIndex(plain).ingest([corpus], "공통").failed
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / UPLOAD).write_text(REGULATION, encoding="utf-8")
    with FakeOllama() as fake:
        settings = Settings(index_dir=tmp_path / "idx", ollama_url=fake.url, embed={"backend": "ollama"},
                            llm={"backend": "none"})
        index = SearchIndex(settings, build_embedder(settings))
        assert index.dense is not None
        try:
            assert not index.ingest([uploads], MINE).failed
            yield index, fake
        finally:
            index.dense.close()


def _embedded(fake: FakeOllama, question: str) -> bool:
    """Was the question itself embedded (the dense side asked for candidates)?"""
    return any(r.path in ("/api/embed", "/api/embeddings") and question in str(r.body) for r in fake.requests)


@pytest.mark.parametrize("question", ["연계전공 학생은 어느 과로 재입학하나요?", "연계전공 학생은 어느 학과로 재입학하나요?"])
@pytest.mark.parametrize("docs", [[UPLOAD], None], ids=["chosen-upload", "all-uploads"])
def test_own_documents_are_searched_on_both_sides(searched: tuple[SearchIndex, FakeOllama], question: str,
                                                    docs: list[str] | None) -> None:
    index, fake = searched
    fake.reset()
    hits = index.search(question, [MINE], 5, docs=docs, floor=False)
    assert _embedded(fake, question)
    assert hits and hits[0].source == UPLOAD and "주전공 학과로 재입학" in hits[0].text


def test_a_department_question_over_the_shared_rule_keeps_the_keyword_mode(
        searched: tuple[SearchIndex, FakeOllama]) -> None:
    """매뉴얼 검색 reads the shared manuals with the person's own: the 사무분장 answers, the embedder is not asked."""
    index, fake = searched
    question = "서울광장 사용 관련해서 문의하려면 어느 과에 연락해야 하나요?"
    assert asks_department(question)
    fake.reset()
    hits = index.search(question, ["공통", MINE], 5, floor=False)
    assert not _embedded(fake, question)
    assert hits and hits[0].source == RULE and hits[0].metadata.get("unit")
