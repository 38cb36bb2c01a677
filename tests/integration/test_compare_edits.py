"""문서 비교 counts changes by edit: a real press release (HWPX) and a copy with three separate edits, two of them
in one paragraph, compare as three changes, each showing its own before and after."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from seoulai.auth.people import Person
from seoulai.auth.roles import Role
from seoulai.config import Settings
from seoulai.files import IncomingFile
from seoulai.services import Services, build_services
from tests.fakes.ollama_server import FakeOllama

ALICE = Person("alice", "김서울", "서울특별시/행정국/총무과", Role.STAFF)
SAMPLE = "samples/hwpx/mcst_press_release_2024-01-02.hwpx"
# (before, after): two edits in one paragraph (unchanged text between them), one in the next paragraph.
EDITS = [("양궁훈련장", "사격훈련장"), ("함께 식사할 계획이다", "함께 오찬을 할 계획이다"), ("200일 남짓", "200여 일")]


@pytest.fixture
def services(tmp_path: Path, fake_ollama: FakeOllama) -> Iterator[Services]:
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "idx", ollama_url=fake_ollama.url,
                        usage={"enabled": False})
    built = build_services(settings)
    yield built
    built.close()


def _edited(original: bytes, tmp_path: Path) -> bytes:
    """The same HWPX with EDITS applied to its body XML (every other part byte for byte)."""
    source, target = tmp_path / "before.hwpx", tmp_path / "after.hwpx"
    source.write_bytes(original)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "Contents/section0.xml":
                text = data.decode("utf-8")
                for before, after in EDITS:
                    assert text.count(before) == 1
                    text = text.replace(before, after)
                data = text.encode("utf-8")
            new.writestr(item, data)
    return target.read_bytes()


def test_three_edits_are_three_changes(services: Services, fake_ollama: FakeOllama, shared_dir: Path,
                                       tmp_path: Path) -> None:
    original = (shared_dir / SAMPLE).read_bytes()
    results = services.documents.upload(ALICE, [IncomingFile("보도자료_초안.hwpx", original),
                                                IncomingFile("보도자료_수정.hwpx", _edited(original, tmp_path))])
    assert all(r.ok for r in results)
    fake_ollama.script("○ 훈련장, 식사, 남은 기간 표현이 바뀌었습니다 [1] [2] [3].")
    result = services.documents.compare(ALICE, "보도자료_초안.hwpx", "보도자료_수정.hwpx")
    assert [c.kind for c in result.changes] == ["changed"] * 3
    for change, (before, after) in zip(result.changes, EDITS):
        assert before in change.before and after in change.after  # each change is its own edit
        others = [b for b, _ in EDITS if b != before]
        assert not any(o in change.before for o in others if o not in change.after)
        assert change.page_after == 1
    assert result.cited == [1, 2, 3]
