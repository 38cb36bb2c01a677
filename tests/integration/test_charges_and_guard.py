"""Every model request is charged at the gateway (never once per feature), and one output guard watches every path
that shows model output: 매뉴얼 Q&A, 요약, 비교 and each draft section. Through the real Ollama client and the fake
Ollama server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.errors import SeoulAIError
from seoulai.files import IncomingFile
from seoulai.services import Draft, Services, Turn, build_services
from tests.fakes.ollama_server import FakeOllama

ALICE = Person("alice", "김서울", "서울특별시/행정국/총무과", "staff")
MANUAL = "# 복무 지침\n\n## 제1조 (연가)\n\n연가는 연 21일까지 쓸 수 있다. 연가 신청은 3일 전까지 한다.\n"


def _services(tmp_path: Path, url: str, per_minute: int = 1000, per_day: int = 1000) -> Services:
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "idx", ollama_url=url,
                        embed={"backend": "none"}, usage={"enabled": False},
                        limits={"per_minute": per_minute, "per_day": per_day})
    return build_services(settings)


@pytest.fixture
def services(tmp_path: Path, fake_ollama: FakeOllama) -> Iterator[Services]:
    built = _services(tmp_path, fake_ollama.url)
    yield built
    built.close()


def _charges(services: Services, person: Person) -> int:
    return int(services.state.quotas.db.rows("SELECT count(*) FROM quota_calls WHERE who = ?",
                                             [person.pseudonym])[0][0])


def _long_document(services: Services, windows: int = 6) -> str:
    sections = "\n\n".join(f"## {i}장\n\n" + f"{i}장의 추진 내용은 사업 {i}단계 과제이다. " * 120 for i in range(1, windows + 1))
    services.documents.upload(ALICE, [IncomingFile("계획.md", f"# 추진 계획\n\n{sections}".encode())])
    return "계획.md"


def _draft(services: Services) -> Draft:
    template = services.drafting.find_template("press_release")
    return Draft(template, {f.name: f.examples[0] if f.examples else "" for f in template.fields})


# -- item 3: one charge per model request ---------------------------------------------------------------------------
def test_a_long_summary_is_charged_per_request(services: Services, fake_ollama: FakeOllama) -> None:
    doc = _long_document(services)
    fake_ollama.responder = lambda body: "○ 부분 요약 [1]"
    summary = services.documents.summarize(ALICE, doc)
    requests = len(fake_ollama.chat_requests())
    assert requests >= 4 and summary.calls == requests  # several windows, then merging
    assert _charges(services, ALICE) == requests  # was 1: one charge for the whole summary


def test_every_feature_charges_each_request(services: Services, fake_ollama: FakeOllama) -> None:
    services.documents.upload(ALICE, [IncomingFile("지침.md", MANUAL.encode()),
                                      IncomingFile("지침2.md", MANUAL.replace("21일", "25일").encode())])
    fake_ollama.responder = lambda body: "연가 신청은 며칠 전까지 하나요? [1]"
    history = [Turn("user", "연가는 며칠까지 쓸 수 있나요?"), Turn("assistant", "연 21일까지입니다 [1].")]
    list(services.documents.ask(ALICE, "그 신청은 언제까지 해요?", history))  # a follow-up: rewritten, then answered
    assert _charges(services, ALICE) == len(fake_ollama.chat_requests()) == 2  # was 1 charge for 2 requests
    services.documents.compare(ALICE, "지침.md", "지침2.md")
    for _ in services.drafting.stream_section(ALICE, _draft(services), "lead"):
        pass
    assert _charges(services, ALICE) == len(fake_ollama.chat_requests()) == 4


def test_a_summary_stops_with_a_korean_message_when_the_quota_runs_out(tmp_path: Path,
                                                                        fake_ollama: FakeOllama) -> None:
    services = _services(tmp_path, fake_ollama.url, per_day=3)
    try:
        doc = _long_document(services)
        fake_ollama.responder = lambda body: "○ 부분 요약 [1]"
        summary = services.documents.summarize(ALICE, doc)
    finally:
        services.close()
    assert len(fake_ollama.chat_requests()) == 3  # the fourth request was refused before it went out
    assert summary.incomplete and summary.error_code == "rate_limited"
    assert "오늘 사용할 수 있는 답변 생성 횟수(3회)를 모두 썼습니다" in summary.notice and "3/" in summary.notice
    assert "부분 요약" in summary.text  # what was done is shown


# -- item 4: one guard on every path that shows model output ------------------------------------------------------
def _echo(body: dict[str, Any]) -> str:
    """A broken model that copies its instructions back: the system prompt and the prompt's boundary lines."""
    messages = body.get("messages", [])
    system = next((m["content"] for m in messages if m["role"] == "system"), "")
    user = messages[-1]["content"] if messages else ""
    markers = [line for line in user.splitlines() if line.startswith("<") or "따르지 않습니다" in line]
    return "\n".join([system, *markers, system])


ECHO_MARK = "따르지 않"  # in every system prompt and data-boundary line


def test_manual_qa_flags_an_echo(services: Services, fake_ollama: FakeOllama) -> None:
    """The reference behaviour the other paths must match."""
    services.documents.upload(ALICE, [IncomingFile("지침.md", MANUAL.encode())])
    fake_ollama.responder = _echo
    answer = next(e.answer for e in services.documents.ask(ALICE, "연가는 며칠까지 쓸 수 있나요?") if e.kind == "done")
    assert answer is not None and answer.error_code == "model_echo" and ECHO_MARK not in answer.text


def test_a_summary_flags_and_stops_an_echo(services: Services, fake_ollama: FakeOllama) -> None:
    doc = _long_document(services)
    fake_ollama.responder = _echo
    summary = services.documents.summarize(ALICE, doc)
    assert summary.error_code == "model_echo" and summary.incomplete
    assert "지시문을 옮겨 적었습니다" in summary.notice
    assert ECHO_MARK not in summary.text
    assert len(fake_ollama.chat_requests()) == 1  # stopped at the first broken part


def test_a_comparison_flags_an_echo(services: Services, fake_ollama: FakeOllama) -> None:
    services.documents.upload(ALICE, [IncomingFile("지침.md", MANUAL.encode()),
                                      IncomingFile("지침2.md", MANUAL.replace("21일", "25일").encode())])
    fake_ollama.responder = _echo
    result = services.documents.compare(ALICE, "지침.md", "지침2.md")
    assert result.error_code == "model_echo" and "지시문을 옮겨 적었습니다" in result.notice
    assert ECHO_MARK not in result.explanation
    assert result.changes  # the deterministic list is still shown


def test_a_draft_section_stops_an_echo(services: Services, fake_ollama: FakeOllama) -> None:
    fake_ollama.responder = _echo
    draft = _draft(services)
    streamed = ""
    stream = services.drafting.stream_section(ALICE, draft, "lead")
    with pytest.raises(SeoulAIError) as stopped:
        for delta in stream:
            streamed += delta
    assert stopped.value.code == "model_echo" and "지시문을 옮겨 적었습니다" in stopped.value.message
    assert ECHO_MARK not in stream.draft.sections.get("lead", "")
    assert len(streamed) < len(_echo(fake_ollama.chat_requests()[0].body))  # the stream was stopped early


def test_usable_output_passes_every_guard_unchanged(services: Services, fake_ollama: FakeOllama) -> None:
    fake_ollama.responder = lambda body: "서울시는 7월 16일부터 행정 AI 도우미를 시범 운영한다.\n전 부서가 참여한다."
    stream = services.drafting.stream_section(ALICE, _draft(services), "lead")
    for _ in stream:
        pass
    assert stream.draft.sections["lead"] == "서울시는 7월 16일부터 행정 AI 도우미를 시범 운영한다.\n전 부서가 참여한다."


def test_a_use_under_way_waits_for_the_minute_limit_but_a_new_one_is_refused(tmp_path: Path) -> None:
    from seoulai.limits import ModelQuota, RateLimited
    from seoulai.state import open_state

    state = open_state(None, tmp_path, "s1")
    waited: list[float] = []

    def sleep(seconds: float) -> None:  # the minute passes
        waited.append(seconds)
        state.quotas.db.run("DELETE FROM quota_calls WHERE at > 0")

    try:
        charge = ModelQuota(state.quotas, per_minute=2, per_day=100, sleep=sleep).charger("kim")
        charge(0), charge(1)
        with pytest.raises(RateLimited) as refused:  # a new question over the minute's limit: refused at once
            charge(0)
        assert "1분에 2회" in refused.value.message and not waited
        charge(2)  # the third window of a summary under way: waits for the minute, then goes out
        assert len(waited) == 1 and 0 < waited[0] <= 60
    finally:
        state.close()
