"""문서 Q&A service: private collections, isolation between people, summaries, comparison, retention."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.errors import InputError
from seoulai.auth.policy import Policy
from seoulai.files import IncomingFile
from seoulai.services import Services, build_services
from tests.fakes.ollama_server import FakeOllama

ALICE = Person("alice", "김서울", "서울특별시/행정국/총무과", "staff")
BOB = Person("bob", "이한강", "서울특별시/행정국/총무과", "staff")  # same department, still must not see
SECRET = "비밀토큰미나리"


@pytest.fixture
def services(tmp_path: Path, fake_ollama: FakeOllama) -> Services:
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "idx", ollama_url=fake_ollama.url,
                        usage={"enabled": False})
    built = build_services(settings)
    yield built
    built.close()


def _doc(text: str) -> bytes:
    return text.encode("utf-8")


def _files(*pairs: tuple[str, bytes]) -> list[IncomingFile]:
    return [IncomingFile(name, data) for name, data in pairs]


def test_upload_reports_each_file(services: Services, shared_dir: Path) -> None:
    results = services.documents.upload(ALICE, _files(
        ("보도자료.hwpx", (shared_dir / "samples/hwpx/mcst_press_release_2024-01-02.hwpx").read_bytes()),
        ("잠김.hwp", (shared_dir / "samples/broken/password-12345.hwp").read_bytes()),
        ("../../etc/passwd.txt", _doc("경로를 벗어나려는 이름")),
    ))
    assert [(r.name, r.ok) for r in results] == [("보도자료.hwpx", True), ("잠김.hwp", False), ("passwd.txt", True)]
    assert results[0].pages == 2 and results[0].chars and "암호" in results[1].message
    assert {d.doc for d in services.documents.documents(ALICE)} == {"보도자료.hwpx", "passwd.txt"}
    stored = Path(services.settings.data_dir) / "uploads" / ALICE.pseudonym
    assert sorted(p.name for p in stored.iterdir()) == ["passwd.txt", "보도자료.hwpx"]


def test_limits_are_checked_before_parsing(services: Services) -> None:
    too_many = [(f"{i}.txt", _doc("내용")) for i in range(services.settings.uploads.max_files + 1)]
    with pytest.raises(InputError) as info:
        services.documents.upload(ALICE, too_many)
    assert info.value.code == "too_many_files"
    assert not services.documents.documents(ALICE)


def test_one_persons_upload_never_reaches_another(services: Services, fake_ollama: FakeOllama) -> None:
    services.documents.upload(ALICE, _files(("인사메모.md", _doc(f"# 인사 메모\n\n{SECRET} 승진 후보 명단은 대외비이다."))))
    fake_ollama.responder = lambda body: "답변 [1]"
    # Bob: manual search, document questions, and a summary or comparison of Alice's file by name.
    assert not any(SECRET in h.text for h in services.manuals.search(BOB, f"{SECRET} 승진 후보 명단"))
    answer = next(e.answer for e in services.documents.ask(BOB, f"{SECRET} 승진 후보는?") if e.kind == "done")
    assert not answer.passages and SECRET not in answer.text
    for call in (lambda: services.documents.summarize(BOB, "인사메모.md"),
                 lambda: services.documents.compare(BOB, "인사메모.md", "인사메모.md")):
        with pytest.raises(InputError):
            call()
    assert SECRET not in str([r.body for r in fake_ollama.chat_requests()])  # nothing of it sent to the model
    # Alice herself finds it.
    assert any(SECRET in h.text for h in services.manuals.search(ALICE, f"{SECRET} 승진 후보 명단"))


def test_summary_is_map_reduce_with_checked_citations(services: Services, fake_ollama: FakeOllama) -> None:
    sections = "\n\n".join(f"## {i}장\n\n" + f"{i}장의 추진 내용은 사업 {i}단계이다. " * 40 for i in range(1, 7))
    services.documents.upload(ALICE, _files(("계획.md", _doc(f"# 추진 계획\n\n{sections}"))))
    calls: list[str] = []

    def responder(body: dict) -> str:
        prompt = body["messages"][-1]["content"]
        calls.append(prompt)
        return "□ 전체 요약 [1] [99]" if "부분 요약을 합쳐" in prompt else "○ 부분 요약 [1]"

    fake_ollama.responder = responder
    progress: list[str] = []
    summary = services.documents.summarize(ALICE, "계획.md", progress=lambda label, f: progress.append(label))
    assert len(calls) >= 3 and "부분 요약을 합쳐" in calls[-1]  # several map calls, then one reduce
    assert summary.text == "□ 전체 요약 [1]" and summary.cited == [1] and summary.invalid_citations == [99]
    assert any(label.startswith("부분 요약") for label in progress)


def test_comparison_lists_changes_and_explains_them(services: Services, fake_ollama: FakeOllama) -> None:
    draft = "# 조례안\n\n## 제1조\n\n목적은 주민 복리 증진이다.\n\n## 제2조\n\n지원 한도는 100만원이다."
    revised = "# 조례안\n\n## 제1조\n\n목적은 주민 복리 증진이다.\n\n## 제2조\n\n지원 한도는 200만원이다.\n\n## 제3조\n\n신설 조항."
    services.documents.upload(ALICE, _files(("초안.md", _doc(draft)), ("수정안.md", _doc(revised))))
    fake_ollama.script("○ 지원 한도가 100만원에서 200만원으로 늘었습니다 [1]. ○ 제3조가 신설되었습니다 [2].")
    result = services.documents.compare(ALICE, "초안.md", "수정안.md")
    kinds = [(c.kind, c.section.rsplit(" > ", 1)[-1]) for c in result.changes]
    assert kinds == [("changed", "제2조"), ("added", "제3조")]
    assert "200만원" in result.changes[0].after and "100만원" in result.changes[0].before
    assert result.cited == [1, 2] and "200만원" in result.explanation


def test_retention_removes_index_vectors_and_files(services: Services) -> None:
    services.documents.upload(ALICE, _files(("오래된.md", _doc(f"# 메모\n\n{SECRET} 보관 기간 시험."))))
    collection = Policy.private_collection(ALICE)
    ids = services.index.collection(collection).view()[1].chunk_ids("오래된.md")  # type: ignore[index]  # just uploaded
    assert services.index.dense is not None and set(ids) <= services.index.dense.known_ids(collection)
    assert services.documents.expire() == 0  # not yet due
    later = datetime.now(timezone.utc) + timedelta(days=services.settings.uploads.retention_days + 1)
    assert services.documents.expire(now=later) == 1
    assert services.index.search(SECRET, [collection], 5) == []
    assert not set(ids) & services.index.dense.known_ids(collection)
    assert not (Path(services.settings.data_dir) / "uploads" / ALICE.pseudonym / "오래된.md").exists()


def test_personal_data_never_reaches_the_model_or_the_log(services: Services, fake_ollama: FakeOllama) -> None:
    results = services.documents.upload(ALICE, _files(("명단.md", _doc("# 연락처\n\n담당 김서울 010-9876-5432, "
                                                                 "주민번호 900101-1234568 관련 민원 처리기간 안내."))))
    assert results[0].pii == 2
    fake_ollama.responder = lambda body: "처리기간을 안내합니다 [1]."
    events = list(services.documents.ask(ALICE, "010-1111-2222로 연락한 민원인의 민원 처리기간 안내는?"))
    answer = events[-1].answer
    assert answer is not None and answer.masked == "휴대전화번호 1건"
    sent = str([r.body for r in fake_ollama.chat_requests()])
    assert "010-1111-2222" not in sent and "010-9876-5432" not in sent and "900101-1234568" not in sent
    assert "[휴대전화번호]" in sent and "[주민등록번호]" in sent


def test_block_mode_refuses_without_calling_the_model(tmp_path: Path, fake_ollama: FakeOllama) -> None:
    settings = Settings(data_dir=tmp_path / "d", index_dir=tmp_path / "i", ollama_url=fake_ollama.url,
                        embed={"backend": "none"}, privacy={"action": "block"})
    services = build_services(settings)
    events = list(services.manuals.ask(ALICE, "주민번호 900101-1234568 조회 방법"))
    answer = events[-1].answer
    assert answer is not None and answer.error_code == "pii_blocked" and "개인정보" in answer.notice
    assert not fake_ollama.chat_requests()
    services.usage.flush()
    logged = services.usage.log.query("SELECT query FROM events WHERE action = 'ask'")
    assert logged == [("주민번호 [주민등록번호] 조회 방법",)]


def test_departments_are_isolated_at_the_service_layer(services: Services, tmp_path: Path) -> None:
    finance_admin = Person("f", "재무담당", "서울특별시/재무국/재무과", "dept_admin")
    general_staff = Person("g", "총무직원", "서울특별시/행정국/총무과", "staff")
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "세입지침.md").write_text("# 세입 지침\n\n재무과내부코드 세입 징수 절차.", encoding="utf-8")
    own = services.library.collections(finance_admin)[0][0]
    other = services.library.collections(Person("x", "총무관리", general_staff.department, "dept_admin"))[0][0]
    manual = [IncomingFile("세입지침.md", (folder / "세입지침.md").read_bytes())]
    services.library.upload(finance_admin, own, manual)
    assert any("재무과내부코드" in h.text for h in services.manuals.search(finance_admin, "재무과내부코드 세입 징수"))
    assert services.manuals.search(general_staff, "재무과내부코드 세입 징수") == []
    with pytest.raises(InputError):  # a department admin cannot write into another department's library
        services.library.upload(finance_admin, other, manual)
    with pytest.raises(InputError):  # staff manage no library at all
        services.library.delete(general_staff, other, ["세입지침.md"])
