"""Semantic search that never makes a question wait, and a sidebar figure that tells the truth about it.

- While the embedded model is built on first use (~15 s on a fresh machine), a question is answered from keywords
  at once; the dense side joins as soon as the model is ready (issue #30: questions never wait behind indexing).
- The figures the sidebar shows only grow while nothing is deleted, even when an upload makes the filler start its
  pass over, and a person's own uploads have their own line while their passages wait for vectors.

The embedded model's build is replaced by a stand-in that waits for the test (the real build takes ~15 s and the
real model is tested in tests/unit/test_e5_onnx.py); everything else is the product's own code."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.files import IncomingFile
from seoulai.llm import e5_onnx
from seoulai.llm.e5_onnx import OnnxE5
from seoulai.retrieval.backfill import VectorFiller
from seoulai.retrieval.index import SearchIndex
from seoulai.services import Services, build_services
from tests.fakes.protocol import fake_embedding

ALICE = Person("alice", "김서울", "서울특별시/행정국/총무과", "staff")
TOPICS = ["공영주차장 요금 감면", "구립도서관 휴관일", "계약 보증금", "민원 처리 기간", "출장 여비 정산"]


class _SlowBuild:
    """Stands in for e5_onnx._Runtime: its construction (the first-use build) waits until ``built`` is set."""

    built = threading.Event()
    queries = 0

    def __init__(self, cache_dir: Path, workers: int) -> None:
        assert _SlowBuild.built.wait(60), "the test never let the build finish"
        self.closed = False

    def close(self) -> None:
        self.closed = True

    def embed(self, texts: list[str], is_query: bool, *_: object, **__: object) -> np.ndarray:
        if is_query:
            _SlowBuild.queries += 1
        return np.asarray([fake_embedding(t, 384) for t in texts], np.float32)


@pytest.fixture
def slow_build(monkeypatch: pytest.MonkeyPatch) -> type[_SlowBuild]:
    monkeypatch.setattr(e5_onnx, "_Runtime", _SlowBuild)
    _SlowBuild.built = threading.Event()
    _SlowBuild.queries = 0
    yield _SlowBuild
    _SlowBuild.built.set()  # whatever happened, nothing stays blocked


def _library(folder: Path, files: int, articles: int) -> Path:
    folder.mkdir(parents=True)
    for i in range(files):
        (folder / f"규정{i}.md").write_text(
            "\n\n".join(f"## 제{j}조(조항)\n\n{TOPICS[(i + j) % len(TOPICS)]}에 관한 사항 {i}-{j}"
                        for j in range(1, articles + 1)), encoding="utf-8")
    return folder


def _index(tmp_path: Path) -> SearchIndex:
    settings = Settings(index_dir=tmp_path / "idx", llm={"backend": "none"})
    return SearchIndex(settings, OnnxE5(model_name=e5_onnx.MODEL, cache_dir=str(tmp_path / "model")))


def test_a_question_never_waits_for_the_model_build(tmp_path: Path, slow_build: type[_SlowBuild]) -> None:
    index = _index(tmp_path)
    filler = VectorFiller(index, interval=0.05).start()  # the app server: the build starts in the background
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        index.ingest([_library(tmp_path / "docs", 5, 6)], "공통")
        started = time.monotonic()
        hits = pool.submit(index.search, "공영주차장 요금 감면", ["공통"], 5).result(timeout=5)
        assert time.monotonic() - started < 5
        assert hits and "공영주차장" in hits[0].text  # from keywords
        assert not slow_build.built.is_set() and slow_build.queries == 0  # the build still blocked, dense skipped
        assert index.dense is not None and not index.dense.ready()

        slow_build.built.set()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (index.dense.ready() and filler.status.total
                                                   and not filler.status.busy):
            time.sleep(0.02)
        assert filler.status.done == filler.status.total == 30
        assert index.search("공영주차장 요금 감면", ["공통"], 5)
        assert slow_build.queries == 1  # the dense side answers once the model is ready
    finally:
        slow_build.built.set()
        pool.shutdown(wait=True)
        filler.stop()
        if index.dense is not None:
            index.dense.close()


def test_without_a_filler_a_search_waits_for_the_model(tmp_path: Path, slow_build: type[_SlowBuild]) -> None:
    """The command line and the benchmarks run no filler: their first search builds the model and uses it."""
    index = _index(tmp_path)
    try:
        slow_build.built.set()
        index.ingest([_library(tmp_path / "docs", 2, 3)], "공통")
        assert index.search("계약 보증금", ["공통"], 5)
        assert slow_build.queries == 1
    finally:
        if index.dense is not None:
            index.dense.close()


class _PacedEmbedder(BaseEmbedding):
    """A served embedder (always ready) that takes ``pause`` seconds per batch, so a fill can be watched."""

    pause: float = 0.03
    _calls: int = PrivateAttr(default=0)

    def _get_query_embedding(self, query: str) -> list[float]:
        return fake_embedding(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return fake_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return fake_embedding(text)

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        time.sleep(self.pause)
        return [fake_embedding(t) for t in texts]


@pytest.fixture
def served(tmp_path: Path) -> Services:
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "idx", llm={"backend": "none"},
                        usage={"enabled": False}, embed={"backend": "ollama"})
    built = build_services(settings, embedder=_PacedEmbedder(model_name="paced"), usage_log=None, background=True)
    yield built
    built.close()


def _watch(services: Services, until: threading.Event, seen: list[tuple[int, int]],
           mine: list[tuple[int, int, int, int]]) -> None:
    assert services.filler is not None
    while not until.is_set():
        status = services.filler.status
        seen.append((status.done, status.total))
        view = services.semantic_status(ALICE)
        assert view is not None
        mine.append((view.done, view.total, view.own_done, view.own_total))
        time.sleep(0.002)


def test_the_sidebar_figures_never_go_back_across_an_upload(served: Services, tmp_path: Path) -> None:
    shared = served.settings.retrieval.shared_collection
    served.index.ingest([_library(tmp_path / "docs", 20, 20)], shared)  # 400 passages for the filler
    assert served.filler is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and served.filler.status.done < 100:
        time.sleep(0.005)
    stop, seen, mine = threading.Event(), [], []  # type: ignore[var-annotated]  # lists the watcher thread fills
    watcher = threading.Thread(target=_watch, args=(served, stop, seen, mine))
    watcher.start()
    try:
        # The person's upload wakes the filler, which starts over with the smallest collection: theirs.
        text = "\n\n".join(f"## 제{j}조(조항)\n\n출장 여비 정산 기준 {j}" for j in range(1, 41))
        assert served.documents.upload(ALICE, [IncomingFile("여비.md", text.encode("utf-8"))])[0].ok
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (served.filler.status.busy or served.filler.status.total < 440):
            time.sleep(0.01)
    finally:
        stop.set()
        watcher.join(timeout=30)
    done = [d for d, _ in seen]
    total = [t for _, t in seen]
    assert done == sorted(done) and total == sorted(total), "the figures went backwards"
    assert (served.filler.status.done, served.filler.status.total) == (440, 440)
    assert all(list(d) == sorted(d) for d in zip(*mine)), "the person's figures went backwards"
    assert any(0 < own_total and own_done < own_total for _, _, own_done, own_total in mine)  # their line appears
    final = served.semantic_status(ALICE)
    assert final is not None and (final.done, final.total, final.own_done, final.own_total) == (440, 440, 40, 40)
    assert not final.busy and not final.own_busy and not final.preparing  # and goes
