"""Two 과 with the same name under different 국 (행정국 총무과, 재무국 총무과) never read each other's manuals,
through every entry point: search, ask, document Q&A, drafting references, usage, audit, the CLI; and
collections keyed by the 과 name alone (the old key) are moved to the full path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.errors import InputError
from seoulai.services import Filters, IncomingFile, Services, build_services, today_in_seoul
from tests.fakes.scripted import ScriptedLLM, scripted_chat

ADMIN_A = Person("a-admin", "행정총무관리", "서울특별시/행정국/총무과", "dept_admin")
STAFF_A = Person("a-staff", "행정총무직원", "서울특별시/행정국/총무과", "staff")
ADMIN_B = Person("b-admin", "재무총무관리", "서울특별시/재무국/총무과", "dept_admin")
STAFF_B = Person("b-staff", "재무총무직원", "서울특별시/재무국/총무과", "staff")
MANAGER_B = Person("b-manager", "재무국장", "서울특별시/재무국", "manager")
TOKEN = "행정총무비밀지침가람"
MANUAL = f"# 총무 지침\n\n## 제1조 (관인 관리)\n\n{TOKEN} 관인 대장은 총무과장이 매일 점검한다.\n".encode()


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "idx", embed={"backend": "none"},
                    usage={"db_path": tmp_path / "data" / "usage.duckdb"})


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Services, ScriptedLLM]]:
    chat, llm = scripted_chat()
    services = build_services(_settings(tmp_path), chat=chat)
    (collection, _), = services.library.collections(ADMIN_A)
    services.library.upload(ADMIN_A, collection, [IncomingFile("총무지침.md", MANUAL)])
    yield services, llm
    services.close()


def test_same_named_departments_have_different_collections(world: tuple[Services, ScriptedLLM]) -> None:
    services, _ = world
    (a, label_a), = services.library.collections(ADMIN_A)
    (b, label_b), = services.library.collections(ADMIN_B)
    assert a != b and label_a == "행정국/총무과" and label_b == "재무국/총무과"
    with pytest.raises(InputError):
        services.library.documents(ADMIN_B, a)
    with pytest.raises(InputError):
        services.library.upload(ADMIN_B, a, [IncomingFile("x.md", b"# x\n\nx")])


def test_search_ask_documents_and_drafting_never_cross(world: tuple[Services, ScriptedLLM]) -> None:
    services, llm = world
    assert any(TOKEN in h.text for h in services.manuals.search(STAFF_A, f"{TOKEN} 관인 대장"))
    assert not any(TOKEN in h.text for h in services.manuals.search(STAFF_B, f"{TOKEN} 관인 대장"))
    events = list(services.manuals.ask(STAFF_B, f"{TOKEN} 관인 대장은 누가 점검하나요?"))
    assert not any(TOKEN in p.text for p in events[-1].answer.passages)  # type: ignore[union-attr]  # the last event has it
    documents = list(services.documents.ask(STAFF_B, f"{TOKEN} 관인 대장"))
    assert not documents[-1].answer.passages  # type: ignore[union-attr]  # the last event carries the answer
    assert not any(TOKEN in h.text for h in services.drafting.references(STAFF_B, f"{TOKEN} 관인 대장"))
    assert all(TOKEN not in m["content"] for request in llm.requests for m in request
               if "질문: " + TOKEN not in m["content"])  # only B's own question, never A's manual


def test_usage_and_audit_stay_in_scope(world: tuple[Services, ScriptedLLM]) -> None:
    services, _ = world
    list(services.manuals.ask(STAFF_A, "관인 대장 점검"))
    services.usage.flush()
    today = today_in_seoul()
    own = services.usage.dashboard(MANAGER_B, Filters(today, today, "서울특별시/재무국"))
    assert own.kpis.queries == 0  # 행정국 총무과's question is not 재무국's
    with pytest.raises(InputError):
        services.usage.dashboard(MANAGER_B, Filters(today, today, "서울특별시/행정국/총무과"))
    with pytest.raises(InputError):
        services.accounts.audit_log(ADMIN_B)


def test_cli_refuses_an_ambiguous_department_name(world: tuple[Services, ScriptedLLM], tmp_path: Path) -> None:
    env = dict(os.environ, SEOULAI_DATA_DIR=str(tmp_path / "data"), SEOULAI_INDEX_DIR=str(tmp_path / "idx"),
               SEOULAI_EMBED__BACKEND="none", SEOULAI_LLM__BACKEND="none", SEOULAI_USAGE__ENABLED="false")

    def search(collection: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "seoulai.cli", "search", f"{TOKEN} 관인", "--collection",
                               collection, "--json"], env=env, capture_output=True, text=True, timeout=120)

    ambiguous = search("dept:총무과")
    assert ambiguous.returncode == 2 and json.loads(ambiguous.stdout)["error"]["code"] == "ambiguous_department"
    found = search("dept:서울특별시/행정국/총무과")
    assert found.returncode == 0 and any(TOKEN in h["text"] for h in json.loads(found.stdout)["hits"])
    other = search("dept:서울특별시/재무국/총무과")
    assert other.returncode == 0 and json.loads(other.stdout)["hits"] == []


def test_old_name_keyed_collections_are_migrated(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first = build_services(settings)
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "총무지침.md").write_bytes(MANUAL)
    # What an earlier version wrote: the collection keyed by the 과 name, the uploader's full path on the record.
    first.index.ingest([folder / "총무지침.md"], "dept:총무과", department=ADMIN_A.department)
    first.index.ingest([folder / "총무지침.md"], "dept:디지털정책과")  # a unique 과 name, no department recorded
    first.close()
    again = build_services(settings)
    try:
        names = again.index.collections()
        assert "dept:총무과" not in names and "dept:디지털정책과" not in names
        assert any(TOKEN in h.text for h in again.manuals.search(STAFF_A, f"{TOKEN} 관인 대장"))
        assert not any(TOKEN in h.text for h in again.manuals.search(STAFF_B, f"{TOKEN} 관인 대장"))
        digital = Person("d", "디지털", "서울특별시/디지털도시국/디지털정책과")
        assert any(TOKEN in h.text for h in again.manuals.search(digital, f"{TOKEN} 관인 대장"))
    finally:
        again.close()


def test_an_ambiguous_old_collection_stays_unreadable(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first = build_services(settings)
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "총무지침.md").write_bytes(MANUAL)
    first.index.ingest([folder / "총무지침.md"], "dept:총무과")  # no department recorded, two units named 총무과
    first.close()
    again = build_services(settings)
    try:
        assert "dept:총무과" in again.index.collections()  # left for an administrator
        for person in (STAFF_A, STAFF_B):
            assert not any(TOKEN in h.text for h in again.manuals.search(person, f"{TOKEN} 관인 대장"))
    finally:
        again.close()
