"""The embedded vector store under use: searches beside a writer, crash recovery, migration, every failure kept
from a person (keyword search answers with the Korean notice)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from seoulai.config import Settings
from seoulai.ingest.types import Chunk
from seoulai.llm import build_embedder
from seoulai.retrieval.backfill import VectorFiller
from seoulai.retrieval.dense import DenseIndex, point_id
from seoulai.retrieval.index import SearchIndex
from seoulai.retrieval.vector_store import VectorStoreError
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.protocol import fake_embedding

QUESTIONS = ["공영주차장 요금 감면", "구립도서관 휴관일", "계약 보증금", "민원 처리 기간", "출장 여비 정산",
             "보도자료 배포", "당직 근무", "개인정보 보호", "예산 전용", "청사 출입"]


def _settings(tmp_path: Path, url: str) -> Settings:
    return Settings(index_dir=tmp_path / "idx", ollama_url=url, embed={"backend": "ollama"}, llm={"backend": "none"})


def _chunks(n: int, collection: str = "공통", offset: int = 0) -> list[Chunk]:
    return [Chunk(id=f"{collection}/doc{i % 50}.md#{i}", collection=collection, source=f"doc{i % 50}.md",
                  title=f"문서 {i % 50}", section=f"제{i}조", text=f"{QUESTIONS[i % len(QUESTIONS)]} 규정 {i}번 조항입니다.",
                  page=None, position=i)
            for i in range(offset, offset + n)]


def test_searches_from_threads_while_the_filler_upserts(tmp_path: Path) -> None:
    """Four people search while the background filler writes vectors: no search ever fails (qdrant-client's local
    mode raised IndexError from its payload mask here)."""
    with FakeOllama() as fake:
        settings = _settings(tmp_path, fake.url)
        folder = tmp_path / "docs"
        folder.mkdir()
        for i in range(40):
            (folder / f"규정{i}.md").write_text(
                "\n\n".join(f"## 제{j}조(조항)\n\n{QUESTIONS[(i + j) % len(QUESTIONS)]}에 관한 사항 {i}-{j}"
                            for j in range(1, 16)), encoding="utf-8")
        index = SearchIndex(settings, build_embedder(settings))
        index.ingest([folder], "공통", vectors=False)
        assert index.dense is not None
        filler = VectorFiller(index, interval=0.05)
        errors: list[BaseException] = []
        found = [0]
        stop = threading.Event()

        def search(seed: int) -> None:
            i = seed
            while not stop.is_set():
                try:
                    hits = index.dense.search(QUESTIONS[i % len(QUESTIONS)], ["공통"], 10)  # type: ignore[union-attr]  # dense is on
                    found[0] += bool(hits)
                except BaseException as exc:  # noqa: BLE001 - every failure counts
                    errors.append(exc)
                i += 1

        readers = [threading.Thread(target=search, args=(n,)) for n in range(4)]
        for thread in readers:
            thread.start()
        filler.start()
        deadline = time.monotonic() + 60
        seen = 0
        while time.monotonic() < deadline and (seen == 0 or filler.status.busy):
            seen = max(seen, filler.status.total)
            time.sleep(0.01)
        # writes beside the readers after the fill too: one document replaced again and again
        for round_ in range(5):
            (folder / "규정0.md").write_text(f"## 제1조(조항)\n\n당직 근무 {round_}", encoding="utf-8")
            report = index.ingest([folder / "규정0.md"], "공통")
            assert report.vectors_pending == 1 and report.vectors == 0  # the filler embeds it, not the uploader
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(index.dense.known_ids("공통")) != 39 * 15 + 1:
            time.sleep(0.05)
        stop.set()
        for thread in readers:
            thread.join(timeout=30)
        filler.stop()
        assert not errors, errors[:3]
        assert seen == 600
        assert found[0] > 0
        assert len(index.dense.known_ids("공통")) == 39 * 15 + 1  # 규정0.md now holds one article
        index.dense.close()


def test_a_killed_writer_leaves_a_store_that_opens_and_answers(tmp_path: Path) -> None:
    with FakeOllama() as fake:
        settings = _settings(tmp_path, fake.url)
        script = textwrap.dedent(f"""
            import sys
            sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
            from seoulai.config import Settings
            from seoulai.llm import build_embedder
            from seoulai.retrieval.dense import DenseIndex
            from tests.integration.test_vector_store import _chunks
            settings = Settings(index_dir={str(tmp_path / "idx")!r}, ollama_url={fake.url!r},
                                embed={{"backend": "ollama"}}, llm={{"backend": "none"}})
            dense = DenseIndex(settings, build_embedder(settings))
            i = 0
            while True:
                dense.upsert("공통", _chunks(64, offset=i))
                i += 64
                print(i, flush=True)
        """)
        child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        written = 0
        while written < 640:
            line = child.stdout.readline()
            assert line, "the writer died on its own"
            written = int(line)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        dense = DenseIndex(settings, build_embedder(settings))
        known = dense.known_ids("공통")
        assert len(known) >= written  # every batch whose upsert returned survived the kill
        assert dense.search("당직 근무", ["공통"], 5)
        dense.upsert("공통", _chunks(10, offset=100_000))
        assert len(dense.known_ids("공통")) == len(known) + 10
        dense.close()


def test_vectors_of_the_earlier_engine_move_over_on_first_open(tmp_path: Path) -> None:
    from qdrant_client import QdrantClient, models

    with FakeOllama() as fake:
        settings = _settings(tmp_path, fake.url)
        dense = DenseIndex(settings, build_embedder(settings))
        legacy = tmp_path / "idx" / "qdrant"
        client = QdrantClient(path=str(legacy))
        vectors = [fake_embedding(f"본문 {i}") for i in range(30)]
        client.create_collection(dense.name, vectors_config=models.VectorParams(size=len(vectors[0]),
                                                                                distance=models.Distance.COSINE))
        client.upsert(dense.name, points=[
            models.PointStruct(id=point_id(f"공통/a.md#{i}"), vector=v,
                               payload={"collection": "공통", "chunk_id": f"공통/a.md#{i}", "source": "a.md"})
            for i, v in enumerate(vectors)])
        client.close()
        assert dense.known_ids("공통") == {f"공통/a.md#{i}" for i in range(30)}
        assert not legacy.exists()
        assert not [r for r in fake.requests if r.path == "/api/embed"]  # moved, not embedded again
        dense.close()


def test_a_store_held_by_another_process_or_broken_answers_from_keywords(tmp_path: Path) -> None:
    with FakeOllama() as fake:
        settings = _settings(tmp_path, fake.url)
        index = SearchIndex(settings, build_embedder(settings))
        doc = tmp_path / "d" / "a.md"
        doc.parent.mkdir()
        doc.write_text("# 지침\n\n계약 보증금은 계약금액의 10%이다.", encoding="utf-8")
        index.ingest([doc], "공통")
        assert index.dense is not None and index.dense.known_ids("공통")
        other = DenseIndex(settings, build_embedder(settings))  # a second holder of the same folder
        with pytest.raises(VectorStoreError) as held:
            other.search("계약 보증금", ["공통"], 3)
        assert "다른 프로그램" in held.value.message
        other.close()
        index.dense.close()

        shard = tmp_path / "idx" / "vectors" / index.dense.name
        (shard / "edge_config.json").write_text("{ not json", encoding="utf-8")
        broken = SearchIndex(settings, build_embedder(settings))
        with pytest.raises(VectorStoreError) as bad:
            broken.dense.search("계약 보증금", ["공통"], 3)  # type: ignore[union-attr]  # dense is on
        assert "키워드" in bad.value.message
        hits = broken.search("계약 보증금", ["공통"], 3)  # the person still gets the keyword answer
        assert hits and hits[0].source == "a.md"
        broken.dense.close()  # type: ignore[union-attr]  # this test's settings embed: dense is set


def test_several_folders_with_the_same_file_names_are_indexed_apart(tmp_path: Path) -> None:
    """`seoulai ingest 지방공무원법 행정절차법`: both folders hold 법률.md; they crashed the index with a UNIQUE
    constraint error (a traceback). Several folders are named with their folder; a true clash is a Korean refusal."""
    from seoulai.errors import InputError

    index = SearchIndex(Settings(index_dir=tmp_path / "idx", embed={"backend": "none"}, llm={"backend": "none"}))
    for name, text in (("지방공무원법", "공무원의 휴직 기간"), ("행정절차법", "처분의 사전 통지")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "법률.md").write_text(f"# {name}\n\n## 제1조(목적)\n\n{text}", encoding="utf-8")
    report = index.ingest([tmp_path / "지방공무원법", tmp_path / "행정절차법"], "공통")
    assert sorted(report.changes.added) == ["지방공무원법/법률.md", "행정절차법/법률.md"]
    assert index.search("사전 통지", ["공통"], 1)[0].source == "행정절차법/법률.md"
    other = tmp_path / "b" / "지방공무원법"
    other.mkdir(parents=True)
    (other / "법률.md").write_text("# 다른 판\n\n본문", encoding="utf-8")
    with pytest.raises(InputError) as clash:
        index.ingest([tmp_path / "지방공무원법", other], "공통")
    assert "같은 이름" in clash.value.message and "지방공무원법/법률.md" in clash.value.message
