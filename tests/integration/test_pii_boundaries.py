"""Personal data in a file name, a title, a heading, a reference's title or a free-text instruction never
reaches a model request, a log row or a manager's view: checked on the fake server's request log, the DuckDB
usage rows, the audit rows and the manager's tables."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.services import Draft, Filters, IncomingFile, Services, build_services, today_in_seoul
from tests.fakes.ollama_server import FakeOllama

ALICE = Person("alice", "김서울", "서울특별시/행정국/총무과", "staff")
MANAGER = Person("boss", "국장", "서울특별시/행정국", "manager")
NAME_PII, TITLE_PII, HEADING_PII, INSTRUCTION_PII, COMMENT_PII = (
    "010-2345-6789", "900101-1234568", "02-2133-5678", "010-7777-8888", "010-3333-4444")
RAW = (NAME_PII, TITLE_PII, HEADING_PII, INSTRUCTION_PII, COMMENT_PII, "9001011234568", "01023456789")
DOC = (f"# 김민원 {TITLE_PII} 민원 처리 결과\n\n## 담당 {HEADING_PII}\n\n민원 처리기간은 접수일부터 7일이며 "
       "처리기간 연장은 한 번만 할 수 있다.\n").encode()
DOC_V2 = DOC.replace("7일".encode(), "10일".encode())


@pytest.fixture
def services(tmp_path: Path, fake_ollama: FakeOllama) -> Services:
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "idx", ollama_url=fake_ollama.url,
                        embed={"backend": "none"})
    built = build_services(settings)
    yield built
    built.close()


def _no_raw(text: str) -> None:
    leaked = [value for value in RAW if value in text]
    assert not leaked, f"personal data leaked: {leaked}"


def test_names_titles_headings_and_instructions_are_masked_everywhere(services: Services,
                                                                      fake_ollama: FakeOllama) -> None:
    fake_ollama.responder = lambda body: "○ 처리기간은 7일입니다 [1]."
    name_a, name_b = f"민원인_{NAME_PII}.md", f"민원인_{NAME_PII}_수정.md"
    results = services.documents.upload(ALICE, [IncomingFile(name_a, DOC), IncomingFile(name_b, DOC_V2)])
    assert all(r.ok for r in results)
    assert results[0].pii >= 3  # the file name, the title and the heading count, not only the body

    answer = list(services.documents.ask(ALICE, "민원 처리기간은 며칠인가요?"))[-1].answer
    assert answer is not None and answer.passages
    services.documents.summarize(ALICE, name_a)
    services.documents.compare(ALICE, name_a, name_b)
    draft = Draft(services.drafting.templates()[0]["report"],
                  {"title": "처리기간 안내", "kind": "결과보고서", "date": "2025. 7. 16.", "department": "총무과",
                   "facts": "민원 처리기간 안내"},
                  references=services.drafting.references(ALICE, "민원 처리기간"))
    assert any(TITLE_PII in r.title for r in draft.references)  # the person's own view keeps the real title
    section = next(s for s in draft.template.sections if s.kind == "generated")
    "".join(services.drafting.stream_section(ALICE, draft, section.id, revise=f"담당 {INSTRUCTION_PII}에게 확인"))
    services.manuals.feedback(ALICE, answer.event_id, -1, f"{COMMENT_PII}로 연락 바랍니다")

    sent = str([r.body for r in fake_ollama.chat_requests()])
    assert len(fake_ollama.chat_requests()) >= 4
    _no_raw(sent)
    assert "[휴대전화번호]" in sent and "[주민등록번호]" in sent and "[전화번호]" in sent

    services.usage.flush()
    db = Path(services.settings.data_dir)
    rows = services.usage.log.query("SELECT * FROM events")
    _no_raw(str(rows))
    with sqlite3.connect(db / "state.sqlite") as state:
        audit = state.execute("SELECT * FROM audit").fetchall()
    assert any(r[5] == "upload" for r in audit)
    _no_raw(str(audit))

    today = today_in_seoul()
    view = services.usage.dashboard(MANAGER, Filters(today, today, MANAGER.department))
    _no_raw(view.comments.to_string() + view.topics.to_string())
    export = services.usage.export(MANAGER, Filters(today, today, MANAGER.department))
    _no_raw(export.csv.decode("utf-8-sig"))


def test_log_records_are_masked(services: Services, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    with caplog.at_level(logging.INFO):
        logging.getLogger("seoulai.ingest.pool").error("parser process died on %s", f"민원_{NAME_PII}.hwp")
    assert "민원_[휴대전화번호].hwp" in caplog.text and NAME_PII not in caplog.text
