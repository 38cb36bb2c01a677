"""매뉴얼 관리 uploads: the 시행일 a person gives is used when the file states none (the file's own wins), and a
re-upload of the same name keeps a version record (who, when, what changed, compared by passage text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.files import IncomingFile
from seoulai.services import Services, build_services

ADMIN = Person("admin", "박관리", "서울특별시", "admin")
V1 = ("# 출장 규정\n\n## 제1조 (목적)\n\n출장 절차를 정한다.\n\n## 제2조 (여비)\n\n여비는 실비로 정산한다.\n\n"
      "## 제3조 (보고)\n\n출장 후 보고한다.\n")
V2 = ("# 출장 규정\n\n## 제1조 (목적)\n\n출장 절차를 정한다.\n\n## 제2조 (여비)\n\n여비는 정액으로 정산한다.\n\n"
      "## 제4조 (증빙)\n\n영수증을 붙인다.\n\n## 제5조 (기한)\n\n5일 안에 정산한다.\n")
STATED = "---\n제목: 복무 지침\n시행일자: 2024-03-01\n---\n\n# 복무 지침\n\n## 제1조\n\n근무시간을 지킨다.\n"


@pytest.fixture
def services(tmp_path: Path) -> Services:
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "idx", usage={"enabled": False},
                        llm={"backend": "none"}, embed={"backend": "none"})
    built = build_services(settings)
    yield built
    built.close()


def _collection(services: Services) -> str:
    return services.library.collections(ADMIN)[0][0]


def test_given_effective_date_reaches_documents_and_hits_unless_the_file_states_one(services: Services) -> None:
    collection = _collection(services)
    services.library.upload(ADMIN, collection, [IncomingFile("출장.md", V1.encode()),
                                                IncomingFile("복무.md", STATED.encode())],
                            effective_date="2025-01-01")
    dates = {d.doc: d.effective_date for d in services.library.documents(ADMIN, collection)}
    assert dates == {"출장.md": "2025-01-01", "복무.md": "2024-03-01"}
    hits = services.index.search("여비 실비 정산", [collection], 3)
    assert hits and hits[0].source == "출장.md" and hits[0].enforced_on == "2025-01-01"


def test_reupload_keeps_versions_with_who_when_and_what_changed(services: Services) -> None:
    collection = _collection(services)
    services.library.upload(ADMIN, collection, [IncomingFile("출장.md", V1.encode())])
    editor = Person("editor", "최편집", "서울특별시", "admin")
    services.library.upload(editor, collection, [IncomingFile("출장.md", V2.encode())], effective_date="2025-07-01")
    services.library.upload(editor, collection, [IncomingFile("출장.md", V2.encode())])  # same bytes: no version
    versions = services.library.versions(ADMIN, collection, "출장.md")
    assert [v.who for v in versions] == ["최편집", "박관리"]  # newest first
    newest, first = versions
    assert first.first and first.passages_after == 3
    # 제1조 unchanged, 제2조 changed, 제3조 removed, 제4조 and 제5조 added
    assert (newest.added, newest.removed, newest.changed) == (2, 1, 1)
    assert newest.effective_date == "2025-07-01" and newest.at.endswith("+00:00")
    assert "추가 2" in newest.summary and "삭제 1" in newest.summary and "변경 1" in newest.summary


def test_deleting_a_manual_drops_its_history(services: Services) -> None:
    collection = _collection(services)
    services.library.upload(ADMIN, collection, [IncomingFile("출장.md", V1.encode()), IncomingFile("복무.md",
                                                                                                STATED.encode())])
    services.library.delete(ADMIN, collection, ["출장.md"])
    assert [v.doc for v in services.library.versions(ADMIN, collection)] == ["복무.md"]
    data = Path(services.settings.data_dir)
    assert not any("출장.md" in p.read_text(encoding="utf-8") for p in data.rglob("*.jsonl"))
