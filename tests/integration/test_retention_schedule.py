"""Retention runs by itself, and nothing deleted comes back.

Uploads expire in a background thread of the app server (at start-up, then every ``uploads.expiry_interval``),
whether or not anyone opens 문서 Q&A; several servers may expire the same upload at once. The background vector
filler, embedding a document at the moment it is deleted, never puts its vectors back (README, 무엇이 어디에 얼마나
남는가).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any


from seoulai.auth.people import Person
from seoulai.auth.policy import Policy
from seoulai.config import Settings
from seoulai.files import IncomingFile
from seoulai.retrieval.backfill import VectorFiller
from seoulai.retrieval.dense import passage_text
from seoulai.services import build_services
from seoulai.services.retention import THREAD  # the schedule thread's name
from tests.fakes.ollama_server import FakeOllama
from tests.servers import eventually, live_threads

ALICE = Person("alice", "김서울", "서울특별시/행정국/총무과", "staff")
NAME = "보관시험.md"
TEXT = "# 보관 시험\n\n## 첫째\n\n보관 기간이 지나면 지워져야 하는 문단이다.\n\n## 둘째\n\n화면을 아무도 열지 않아도 지워진다."
KEPT = ("업무분장.md", "# 업무분장\n\n## 총무\n\n총무 담당은 청사 관리와 물품 구매를 맡는다.")


def _settings(tmp_path: Path, state_url: str | None = None, **uploads: float) -> Settings:
    return Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "idx", embed={"backend": "none"},
                    llm={"backend": "none"}, usage={"enabled": False}, uploads=uploads, state={"url": state_url})


def _stored(settings: Settings) -> Path:
    return Path(settings.data_dir) / "uploads" / ALICE.pseudonym / NAME


def test_an_expired_upload_goes_with_nobody_on_the_page(tmp_path: Path) -> None:
    settings = _settings(tmp_path, expiry_interval=0.2)
    services = build_services(settings, background=True)
    try:
        assert services.documents.upload(ALICE, [IncomingFile(NAME, TEXT.encode())])[0].ok
        time.sleep(0.5)  # two sweeps of the schedule: nothing is due yet
        assert [d.doc for d in services.documents.documents(ALICE)] == [NAME] and _stored(settings).exists()
        later = datetime.now(timezone.utc) + timedelta(days=settings.uploads.retention_days + 1)
        services.documents.clock = lambda: later  # the retention period has passed; nobody opens 문서 Q&A
        assert eventually(lambda: not services.documents.documents(ALICE)), "expired upload still indexed"
        assert not _stored(settings).exists()
    finally:
        services.close()
    assert not live_threads(THREAD), "the expiry thread outlived close()"


def test_start_up_expires_what_came_due_while_no_server_ran(tmp_path: Path) -> None:
    # A one-second retention and an hour between sweeps: only the sweep at start-up can remove the upload in time.
    settings = _settings(tmp_path, retention_days=1 / 86400, expiry_interval=3600)
    first = build_services(settings)
    try:
        assert first.documents.upload(ALICE, [IncomingFile(NAME, TEXT.encode())])[0].ok
    finally:
        first.close()
    time.sleep(1.1)  # stamps are kept to the second: due one second (at most) after the upload
    services = build_services(settings, background=True)
    try:
        assert eventually(lambda: not services.documents.documents(ALICE)), "not expired at start-up"
        assert not _stored(settings).exists()
    finally:
        services.close()
    assert not live_threads(THREAD)


def test_two_servers_expiring_the_same_upload_at_once_both_succeed(tmp_path: Path, state_url: str | None) -> None:
    settings = _settings(tmp_path, state_url)
    one, two = build_services(settings), build_services(settings)
    try:
        assert one.documents.upload(ALICE, [IncomingFile(NAME, TEXT.encode())])[0].ok
        later = datetime.now(timezone.utc) + timedelta(days=settings.uploads.retention_days + 1)
        removing = one.documents.forget_quotes
        assert removing is not None
        raced: list[int] = []

        def the_other_server_first(owner: str, collection: str, docs: Sequence[str], ids: Sequence[str]) -> int:
            # Server one has found the upload due; server two removes it completely before one goes on.
            if not raced:
                raced.append(two.documents.expire(now=later))
            return removing(owner, collection, docs, ids)

        one.documents.forget_quotes = the_other_server_first
        assert one.documents.expire(now=later) == 1 and raced == [1]
        assert one.documents.documents(ALICE) == [] and two.documents.documents(ALICE) == []
        assert not _stored(settings).exists()
        assert one.documents.expire(now=later) == 0 and two.documents.expire(now=later) == 0
    finally:
        one.close()
        two.close()


class _DeletesAfterEmbedding:
    """The embedder, with ``during`` run once right after a batch is embedded and before the caller caches it:
    the moment a person deletes the document the filler is working on."""

    def __init__(self, inner: Any, during: Callable[[], None]) -> None:
        self.inner = inner
        self.during: Callable[[], None] | None = during

    def get_text_embedding_batch(self, texts: list[str], **kwargs: Any) -> list[list[float]]:
        vectors = self.inner.get_text_embedding_batch(texts, **kwargs)
        if self.during is not None:
            during, self.during = self.during, None
            during()
        return vectors

    def get_query_embedding(self, query: str) -> list[float]:
        return self.inner.get_query_embedding(query)


def test_a_document_deleted_while_the_filler_embeds_it_keeps_no_vector(tmp_path: Path,
                                                                       fake_ollama: FakeOllama) -> None:
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "idx", ollama_url=fake_ollama.url,
                        embed={"backend": "ollama"}, usage={"enabled": False})
    services = build_services(settings)
    dense = services.index.dense
    assert dense is not None
    original = dense.embedder
    try:
        services.index.defer_vectors(lambda: None)  # as in the app server: uploads leave embedding to the filler
        results = services.documents.upload(ALICE, [IncomingFile(NAME, TEXT.encode()),
                                                     IncomingFile(KEPT[0], KEPT[1].encode())])
        assert all(r.ok and r.semantic_pending for r in results), results
        name = Policy.private_collection(ALICE)
        collection = services.index.collection(name)
        deleted = list(collection.chunks_of([NAME]))
        kept = list(collection.chunks_of([KEPT[0]]))
        assert deleted and kept and not dense.known_ids(name)
        assert dense.cache.get([passage_text(c) for c in deleted]) == {}
        dense.embedder = _DeletesAfterEmbedding(original, lambda: services.documents.delete(ALICE, [NAME]))
        VectorFiller(services.index).fill_once()
        assert dense.embedder.during is None, "the filler did not embed"
        assert [d.doc for d in services.documents.documents(ALICE)] == [KEPT[0]]
        assert dense.cache.get([passage_text(c) for c in deleted]) == {}, "deleted passages cached again"
        assert not {c.id for c in deleted} & dense.known_ids(name), "deleted passages stored again"
        # The live document was filled as usual, in the same pass.
        assert len(dense.cache.get([passage_text(c) for c in kept])) == len(kept)
        assert {c.id for c in kept} <= dense.known_ids(name)
    finally:
        dense.embedder = original
        services.close()
