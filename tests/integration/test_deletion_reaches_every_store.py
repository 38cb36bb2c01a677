"""Deleted means gone: after a person deletes an upload, or its retention period ends, no file the product keeps
(index generations, the vector cache and shard, conversation history, state.sqlite and its WAL, stored and
staged originals) still holds a byte of its text or its file name.

The check is deliberately blunt: every file under the data and index directories is read as bytes and searched
for a marker that appears only in the deleted document's text and name, while the services are still open (a
running server: SQLite's WAL is not yet checkpointed by a clean close) and again after they are closed.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from seoulai.auth.people import Person
from seoulai.auth.policy import Policy
from seoulai.config import Settings
from seoulai.files import IncomingFile
from seoulai.retrieval.dense import passage_text
from seoulai.services import Services, build_services
from tests.fakes.ollama_server import FakeOllama

ALICE = Person("alice", "김서울", "서울특별시/행정국/총무과", "staff")
MARKER = "삭제표지칸나비7Q"  # in nothing but the deleted document's text and file name
NAME = f"{MARKER} 인사메모.md"
TEXT = (f"# {MARKER} 인사 메모\n\n## 승진\n\n{MARKER} 승진 후보 명단은 대외비이며 인사위원회 심의 전까지 공개하지 않는다.\n\n"
        f"## 전보\n\n{MARKER} 전보 대상자는 부서장 면담을 거쳐 확정한다.")
KEPT = ("업무분장.md", "# 업무분장\n\n## 총무\n\n총무 담당은 청사 관리와 물품 구매를 맡는다.".encode())



def _needles() -> list[bytes]:
    forms = {unicodedata.normalize(form, MARKER) for form in ("NFC", "NFD")}
    return [form.encode("utf-8") for form in forms]


def _holding_marker(roots: list[Path]) -> list[str]:
    """Every file under ``roots`` (hidden ones, WAL and lock files, shard segments included) whose bytes hold the
    marker in NFC or NFD."""
    found = []
    for root in roots:
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if not path.is_file():
                continue
            data = path.read_bytes()
            if any(needle in data for needle in _needles()):
                found.append(f"{root.name}/{relative}")
    return found


@pytest.fixture
def settings(tmp_path: Path, fake_ollama: FakeOllama) -> Settings:
    return Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "idx", ollama_url=fake_ollama.url,
                    embed={"backend": "ollama"}, usage={"flush_interval": 0.05})


def _use_the_document(services: Services, fake_ollama: FakeOllama) -> list[str]:
    """Upload the document (its name as a Mac sends it, NFD), then another one, then ask about the first and
    keep the conversation: the text and name reach every store. Returns the embedded passages."""
    upload = services.documents.upload(ALICE, [IncomingFile(unicodedata.normalize("NFD", NAME), TEXT.encode())])
    assert upload[0].ok, upload[0].message
    assert services.documents.upload(ALICE, [IncomingFile(*KEPT)])[0].ok  # a newer index generation on top
    collection = Policy.private_collection(ALICE)
    passages = [passage_text(c) for c in services.index.collection(collection).chunks_of([NAME])]
    assert passages and services.index.dense is not None
    assert len(services.index.dense.cache.get(passages)) == len(passages)
    fake_ollama.responder = lambda body: "승진 후보 명단은 대외비입니다 [1]."
    answer = next(e.answer for e in services.documents.ask(ALICE, f"{MARKER} 승진 후보 명단은 공개하나요?")
                  if e.kind == "done")
    assert answer is not None and any(p.source == NAME for p in answer.passages)
    services.conversations.add(ALICE, "documents", None, answer)
    other = next(e.answer for e in services.documents.ask(ALICE, "총무 담당은 무엇을 맡나요?", docs=[KEPT[0]])
                 if e.kind == "done")
    assert other is not None and {p.source for p in other.passages} == {KEPT[0]}
    services.conversations.add(ALICE, "documents", None, other)
    return passages


@pytest.mark.parametrize("how", ["delete", "retention"])
def test_a_deleted_upload_leaves_no_byte_of_its_text_or_name(settings: Settings, fake_ollama: FakeOllama,
                                                             how: str) -> None:
    roots = [Path(settings.data_dir), Path(settings.index_dir)]
    services = build_services(settings)
    try:
        passages = _use_the_document(services, fake_ollama)
        before = _holding_marker(roots)
        # The walk sees the stores it must clear (it would pass vacuously otherwise).
        assert any("uploads" in p for p in before) and any("collections" in p for p in before), before
        assert any("state.sqlite" in p for p in before), before
        if how == "delete":
            services.documents.delete(ALICE, [NAME])
            assert [d.doc for d in services.documents.documents(ALICE)] == [KEPT[0]]
            kept = ["총무 담당은 무엇을 맡나요?"]  # quotes only the other upload: it stays
        else:
            later = datetime.now(timezone.utc) + timedelta(days=settings.uploads.retention_days + 1)
            assert services.documents.expire(now=later) == 2
            kept = []  # both uploads expired, and each conversation quoted one of them
        # A conversation that quoted the upload goes with it, long before its own retention period.
        assert [c.title for c in services.conversations.list(ALICE)] == kept
        assert services.index.dense is not None and services.index.dense.cache.get(passages) == {}
        assert _holding_marker(roots) == [], "still held while the server runs"
    finally:
        services.close()
    assert _holding_marker(roots) == [], "still held after a clean close"


def test_a_new_version_leaves_one_generation_and_only_its_own_vectors_cached(settings: Settings,
                                                                               fake_ollama: FakeOllama) -> None:
    services = build_services(settings)
    try:
        first = f"# 메모\n\n## 유지\n\n그대로 남는 문단이다.\n\n## 변경\n\n{MARKER} 옛 판에만 있는 문단이다."
        second = "# 메모\n\n## 유지\n\n그대로 남는 문단이다.\n\n## 변경\n\n새 판의 문단이다."
        collection = services.index.collection(Policy.private_collection(ALICE))
        services.documents.upload(ALICE, [IncomingFile("메모.md", first.encode())])
        old = [passage_text(c) for c in collection.chunks_of(["메모.md"])]
        services.documents.upload(ALICE, [IncomingFile("메모.md", second.encode())])
        new = [passage_text(c) for c in collection.chunks_of(["메모.md"])]
        assert [p.name for p in collection.root.iterdir() if p.name.startswith("gen-")] == [collection.current()]
        cache = services.index.dense.cache  # type: ignore[union-attr]  # this test's settings embed: dense is set
        assert len(cache.get(new)) == len(new)  # the unchanged passage was not forgotten (nor embedded twice)
        assert set(cache.get(old)) == {i for i, text in enumerate(old) if text in new}
        assert _holding_marker([Path(settings.data_dir), Path(settings.index_dir)]) == []
    finally:
        services.close()
