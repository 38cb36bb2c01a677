"""Both upload paths (문서 Q&A, 매뉴얼 관리) against hostile file names, failed re-uploads, zip indexes that are
expensive to read, and files cut short: nothing raises, nothing stored is lost, the person is told."""

from __future__ import annotations

import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from seoulai.auth.people import Person
from seoulai.config import IngestSettings, Settings
from seoulai.files import IncomingFile, clean_filename
from seoulai.ingest.failures import IngestError
from seoulai.services import Services, build_services
from tests.fakes.scripted import scripted_chat

ALICE = Person("alice", "김서울", "서울특별시/행정국/총무과", "staff")
ADMIN = Person("admin", "관리", "서울특별시/행정국/총무과", "dept_admin")
def DOC(token: str) -> bytes:
    return f"# 안내\n\n{token} 내용입니다.\n".encode()

HOSTILE_NAMES = [
    "가" * 100 + ".md",  # 300 bytes: over the file system's 255
    "보고서" * 40 + "_최종_진짜최종.md",
    "a\x00b.md",  # NUL
    "../../etc/passwd.md",
    "..",
    "...",
    "",
    "C:\\Users\\kim\\Desktop\\메모.md",
    "보고서\u202edm.exe",  # a right-to-left override making "exe.md" look like "md.exe"
    "줄\n바꿈\r.md",
    ".숨김.md",
    "탭\t이름.md",
    unicodedata.normalize("NFD", "한글이름.md"),  # decomposed Hangul (macOS)
    "\u200b보이지않는공백.md",
]


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    chat, _ = scripted_chat()
    built = build_services(Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "idx",
                                    embed={"backend": "none"}, uploads={"max_files": 50}), chat=chat)
    yield built
    built.close()


def _paths(services: Services) -> dict[str, Callable[[list[IncomingFile]], list[tuple[str, bool]]]]:
    (collection, _), = services.library.collections(ADMIN)

    def documents(files: list[IncomingFile]) -> list[tuple[str, bool]]:
        return [(r.name, r.ok) for r in services.documents.upload(ALICE, files)]

    def library(files: list[IncomingFile]) -> list[tuple[str, bool]]:
        report = services.library.upload(ADMIN, collection, files)
        return [(name, name not in report.failed) for name in report.changes.added + list(report.failed)]

    return {"documents": documents, "library": library}


@pytest.mark.parametrize("path", ["documents", "library"])
def test_hostile_names_are_cleaned_and_never_stop_the_batch(services: Services, tmp_path: Path, path: str) -> None:
    files = [IncomingFile(name, DOC(token=f"고유어{i}")) for i, name in enumerate(HOSTILE_NAMES)]
    files.append(IncomingFile("마지막.md", DOC(token="마지막파일")))  # after every hostile one
    outcome = dict(_paths(services)[path](files))
    assert len(outcome) == len(files)  # every file has its own result (collisions got distinct names) ...
    assert outcome["마지막.md"]  # ... and a hostile name never stops the files after it
    refused = {name for name, ok in outcome.items() if not ok}
    # "..", "...", "": no name, no type; the bidi trick shows as what it is, an .exe: told, not stored.
    assert refused == {"문서", "문서 (2)", "문서 (3)", "보고서dm.exe"}
    data = tmp_path / "data"
    stored = [p for p in data.rglob("*") if p.is_file() and p.parent.name != "idx" and p.suffix in (".md", "")]
    stored = [p for p in stored if p.name not in ("state.sqlite",) and p.parent.parent.name in ("uploads", "library")]
    assert len(stored) == len(files) - len(refused)
    for file in stored:
        assert file.resolve().is_relative_to(data.resolve())
        assert len(file.name.encode()) <= 255 and unicodedata.is_normalized("NFC", file.name)
        assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in file.name)
        assert not file.name.startswith(".")
    assert clean_filename("보고서\u202edm.exe") == "보고서dm.exe"


@pytest.mark.parametrize("path", ["documents", "library"])
def test_a_failed_new_version_keeps_the_stored_original(services: Services, tmp_path: Path, shared_dir: Path,
                                                        path: str) -> None:
    upload = _paths(services)[path]
    assert upload([IncomingFile("지침.hwp", (shared_dir / "samples/hwp/lists.hwp").read_bytes())]) == [
        ("지침.hwp", True)]
    stored = next((tmp_path / "data").rglob("지침.hwp"))
    original = stored.read_bytes()
    broken = (shared_dir / "samples/broken/password-12345.hwp").read_bytes()
    assert upload([IncomingFile("지침.hwp", broken)]) == [("지침.hwp", False)]
    assert stored.read_bytes() == original  # the file ...
    person = ALICE if path == "documents" else ADMIN
    assert services.manuals.search(person, "글머리표 문단번호")  # ... and its index still serve the old version
    assert not list((tmp_path / "data").rglob(".staging/*/*"))  # nothing left half-way


def test_zip_indexes_are_read_in_the_parser_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from seoulai.ingest import guards
    from seoulai.ingest.pool import ParserPool

    bomb = tmp_path / "목록폭탄.hwpx"
    with zipfile.ZipFile(bomb, "w") as archive:
        archive.writestr("mimetype", "application/hwp+zip")
        for i in range(20_000):
            archive.writestr(f"x/{i}", "")

    def never(*args: object) -> None:
        raise AssertionError("the app process read a zip index")

    monkeypatch.setattr(guards, "check_zip", never)  # this (app) process must not call it
    with ParserPool(IngestSettings(zip_max_entries=10_000)) as pool, pytest.raises(IngestError) as info:
        pool.extract(bomb)
    assert info.value.code == "too_large" and "압축 항목" in info.value.message


def test_a_truncated_hwp_is_partial_and_a_cut_off_one_corrupt(services: Services, shared_dir: Path,
                                                               tmp_path: Path) -> None:
    data = (shared_dir / "samples/hwp/nts_02_010000000000008208.hwp").read_bytes()
    results = services.documents.upload(ALICE, [IncomingFile("잘린문서.hwp", data[: int(len(data) * 0.9)]),
                                                IncomingFile("다잘린문서.hwp", data[: int(len(data) * 0.7)])])
    partial, cut = results
    assert partial.ok and "일부만 읽었습니다" in partial.warning and "%" in partial.warning
    record = next(d for d in services.documents.documents(ALICE) if d.doc == "잘린문서.hwp")
    assert record.metadata.get("partial")  # the document carries the flag
    assert not cut.ok and "손상" in cut.message and "잘렸" in cut.message  # corrupt, not "empty"
    whole = services.documents.upload(ALICE, [IncomingFile("온전한문서.hwp", data)])[0]
    assert whole.ok and not whole.warning
