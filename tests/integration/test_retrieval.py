"""Collections, access filters, incremental updates, crash safety and hybrid search on real statutes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from seoulai.config import Settings
from seoulai.llm import build_embedder
from seoulai.retrieval.collection import Collection
from seoulai.retrieval.keyword import FieldBuilder
from seoulai.retrieval.index import SearchIndex
from tests.fakes.ollama_server import FakeOllama

LAWS = ("민원처리에관한법률", "행정절차법")


@pytest.fixture
def laws(tmp_path: Path, shared_dir: Path) -> Path:
    """Two statutes copied to a scratch folder (statutes are public works)."""
    root = tmp_path / "laws"
    for name in LAWS:
        shutil.copytree(shared_dir / "corpus" / "laws-admin" / name, root / name)
    return root


def _service(tmp_path: Path, embedder_url: str | None = None) -> SearchIndex:
    embed = {"backend": "ollama"} if embedder_url else {"backend": "none"}
    settings = Settings(index_dir=tmp_path / "idx", ollama_url=embedder_url or "http://127.0.0.1:9",
                        embed=embed, llm={"backend": "none"})
    return SearchIndex(settings, build_embedder(settings))


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_field_builder_scores_equal_bm25s_native() -> None:
    import random

    import bm25s

    rng = random.Random(7)
    words = [f"낱말{i}" for i in range(300)]
    corpus = [[rng.choice(words) for _ in range(rng.randint(1, 40))] for _ in range(3000)]
    builder = FieldBuilder()
    for tokens in corpus:
        builder.add(tokens)
    arrays = builder.arrays(block=997)  # small blocks: documents straddle block boundaries
    native = bm25s.BM25()
    native.index(corpus, show_progress=False)
    for query in (["낱말1", "낱말2"], ["낱말299"], ["낱말5", "낱말5", "낱말7"]):
        ours = np.zeros(len(corpus))
        for token in query:
            term = builder.vocab[token]
            span = slice(arrays["indptr"][term], arrays["indptr"][term + 1])
            assert np.all(np.diff(arrays["indices"][span]) > 0)  # documents ascending within a term
            np.add.at(ours, arrays["indices"][span], arrays["data"][span])
        assert np.allclose(ours, native.get_scores(query), atol=1e-4)


def test_statute_search_returns_the_contract_hit(tmp_path: Path, laws: Path) -> None:
    svc = _service(tmp_path)
    report = svc.ingest([laws], "공통")
    assert len(report.changes.added) == len(list(laws.rglob("*.md"))) and not report.failed
    hits = svc.search("민원의 처리기간은 어떻게 계산하나요?", ["공통"], 5)
    top = hits[0].to_json()
    assert set(top) >= {"source", "title", "section", "page", "text", "score"}
    assert any(h.source == "민원처리에관한법률/법률.md" and "제19조 (처리기간의 계산)" in h.section for h in hits)
    assert top["section"].count(" > ") >= 1  # chapter path kept


def test_explicit_citation_comes_first(tmp_path: Path, laws: Path) -> None:
    svc = _service(tmp_path)
    svc.ingest([laws], "공통")
    hits = svc.search("행정절차법 제21조에 따른 사전 통지는 언제 하나요", ["공통"], 3)
    assert hits[0].source == "행정절차법/법률.md" and hits[0].section.endswith("제21조 (처분의 사전 통지)")
    hits = svc.search("민원처리법 제19조 내용", ["공통"], 3)  # an abbreviation of the title
    assert hits[0].source == "민원처리에관한법률/법률.md" and "제19조" in hits[0].section


def test_department_collections_never_leak(tmp_path: Path) -> None:
    svc = _service(tmp_path)
    svc.ingest([_write(tmp_path / "a" / "지침A.md", "# 예산 지침\n\n출장비 정산은 알파청렴코드 기준을 따른다.")], "dept:A")
    svc.ingest([_write(tmp_path / "b" / "지침B.md", "# 예산 지침\n\n출장비 정산은 베타보안코드 기준을 따른다.")], "dept:B")
    svc.ingest([_write(tmp_path / "s" / "공통.md", "# 공통 지침\n\n출장비 정산 절차를 안내한다.")], "공통")
    # floor=False: isolation must hold for every candidate, not only those that count as evidence.
    hits = svc.search("출장비 정산 베타보안코드", ["공통", "dept:A"], 10, floor=False)
    assert hits and {h.collection for h in hits} <= {"공통", "dept:A"}
    assert not any("베타보안코드" in h.text for h in hits)
    assert any("베타보안코드" in h.text for h in svc.search("베타보안코드", ["dept:B"], 10))
    assert svc.search("베타보안코드", [], 10) == []


def test_unchanged_reingest_changes_nothing(tmp_path: Path, laws: Path) -> None:
    svc = _service(tmp_path)
    svc.ingest([laws], "공통")
    collection = svc.collection("공통")
    before = collection.current()
    generations = sorted(p.name for p in collection.root.iterdir())
    report = svc.ingest([laws], "공통")
    assert not report.changes.changed and len(report.changes.unchanged) == len(list(laws.rglob("*.md")))
    assert collection.current() == before
    assert sorted(p.name for p in collection.root.iterdir()) == generations


def test_replaced_file_leaves_no_old_chunks(tmp_path: Path) -> None:
    with FakeOllama() as fake:
        svc = _service(tmp_path, fake.url)
        doc = _write(tmp_path / "m" / "매뉴얼.md", "# 민원 매뉴얼\n\n## 접수\n\n구버전문구 접수 절차를 따른다.\n\n## 처리\n\n"
                                                   "처리기간은 7일이다.")
        svc.ingest([doc.parent], "공통")
        old_ids = set(svc.collection("공통").view()[1].chunk_ids("매뉴얼.md"))  # type: ignore[index]  # just ingested
        assert svc.dense is not None and old_ids <= svc.dense.known_ids("공통")
        doc.write_text("# 민원 매뉴얼\n\n## 접수\n\n신버전문구 접수 절차를 따른다.\n\n## 처리\n\n처리기간은 5일이다.",
                       encoding="utf-8")
        report = svc.ingest([doc.parent], "공통")
        assert report.changes.replaced == ["매뉴얼.md"]
        store = svc.collection("공통").view()[1]  # type: ignore[index]  # just ingested
        new_ids = set(store.chunk_ids("매뉴얼.md"))
        assert new_ids and not (old_ids - new_ids) & set(store.positions_of(list(old_ids)))
        assert not any("구버전문구" in h.text for h in svc.search("구버전문구", ["공통"], 10))
        assert any("신버전문구" in h.text for h in svc.search("신버전문구", ["공통"], 10))
        vectors = svc.dense.known_ids("공통")
        assert not (old_ids - new_ids) & vectors and new_ids <= vectors
        svc.remove_documents("공통", ["매뉴얼.md"])
        assert svc.search("신버전문구", ["공통"], 10) == [] and not svc.dense.known_ids("공통")
        svc.dense.close()


def test_dense_retrieval_and_fusion_with_the_fake_embedder(tmp_path: Path) -> None:
    with FakeOllama() as fake:
        svc = _service(tmp_path, fake.url)
        folder = tmp_path / "docs"
        _write(folder / "가.md", "# 주차\n\n공영주차장 요금 감면 대상은 장애인과 국가유공자이다.")
        _write(folder / "나.md", "# 도서관\n\n구립도서관 휴관일은 매주 월요일이다.")
        svc.ingest([folder], "dept:A")
        _write(tmp_path / "other" / "다.md", "# 주차\n\n공영주차장 요금 감면 대상은 다자녀 가구이다.")
        svc.ingest([tmp_path / "other"], "dept:B")
        assert svc.dense is not None
        dense = svc._dense("공영주차장 요금 감면", ["dept:A"], 5)
        assert dense and dense[0].source == "가.md" and {h.collection for h in dense} == {"dept:A"}
        hits = svc.search("공영주차장 요금 감면", ["dept:A"], 2)
        assert hits[0].source == "가.md" and all(h.collection == "dept:A" for h in hits)
        assert any(r.path == "/api/embed" for r in fake.requests)
        svc.dense.close()


def test_embedder_down_keeps_keyword_search(tmp_path: Path, dead_url: str) -> None:
    svc = _service(tmp_path, dead_url)
    report = svc.ingest([_write(tmp_path / "d" / "a.md", "# 지침\n\n계약 보증금은 10%이다.")], "공통")
    assert report.vector_error and "연결할 수 없습니다" in report.vector_error
    assert svc.search("계약 보증금", ["공통"], 3)[0].source == "a.md"


def test_killed_during_index_write_leaves_the_previous_index(tmp_path: Path, shared_dir: Path) -> None:
    index_dir = tmp_path / "idx"
    small = _write(tmp_path / "small" / "first.md", "# 첫 문서\n\n살아남는문구 입니다.")
    env = dict(os.environ, SEOULAI_INDEX_DIR=str(index_dir), SEOULAI_EMBED__BACKEND="none",
               SEOULAI_LLM__BACKEND="none")
    subprocess.run([sys.executable, "-m", "seoulai.cli", "ingest", str(small.parent), "--collection", "공통"],
                   env=env, check=True, capture_output=True, timeout=120)
    collection = Collection(index_dir, "공통")
    first = collection.current()
    big = shared_dir / "corpus" / "laws-admin"
    proc = subprocess.Popen([sys.executable, "-m", "seoulai.cli", "ingest", str(big), "--collection", "공통"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(collection.root.glob("gen-*.tmp")):
        time.sleep(0.05)
    assert list(collection.root.glob("gen-*.tmp")), "the writer never started a new generation"
    time.sleep(1.0)  # well inside the write
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert Collection(index_dir, "공통").current() == first
    svc = SearchIndex(Settings(index_dir=index_dir, embed={"backend": "none"}))
    assert svc.search("살아남는문구", ["공통"], 3)[0].source == "first.md"
    report = svc.ingest([small.parent], "공통")  # the next writer is not blocked by the debris
    assert report.changes.unchanged == ["first.md"]


def test_cli_ingest_search_and_batch(tmp_path: Path, laws: Path) -> None:
    env = dict(os.environ, SEOULAI_INDEX_DIR=str(tmp_path / "idx"), SEOULAI_EMBED__BACKEND="none",
               SEOULAI_LLM__BACKEND="none")
    run = lambda *args: subprocess.run([sys.executable, "-m", "seoulai.cli", *args], env=env,  # noqa: E731 - one-line helper
                                       capture_output=True, text=True, timeout=300)
    ingested = run("ingest", str(laws), "--collection", "공통", "--json")
    assert ingested.returncode == 0, ingested.stderr
    assert len(json.loads(ingested.stdout)["added"]) == len(list(laws.rglob("*.md")))
    single = run("search", "처리기간의 계산", "--collection", "공통", "-k", "3", "--json")
    hits = json.loads(single.stdout)["hits"]
    assert len(hits) == 3 and hits[0]["source"].endswith(".md") and "조" in hits[0]["section"]
    batch_file = _write(tmp_path / "q.jsonl", '{"id": "q1", "question": "처분의 사전 통지"}\n'
                                              '{"id": "q2", "question": "민원의 접수"}\n')
    batch = run("search", "--batch", str(batch_file), "--collection", "공통", "-k", "2")
    lines = [json.loads(line) for line in batch.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["q1", "q2"] and all(len(line["hits"]) == 2 for line in lines)
    # A bad line gets its error row and the batch goes on; the exit code still says some input was bad.
    mixed = _write(tmp_path / "bad.jsonl", 'not json\n{"id": "q3"}\n{"id": "q4", "question": "민원의 접수"}\n'
                                          '{"id": "q5", "question": "' + "가" * 5000 + '"}\n')
    bad = run("search", "--batch", str(mixed), "--collection", "공통", "-k", "2")
    rows = [json.loads(line) for line in bad.stdout.splitlines()]
    assert bad.returncode == 2, bad.stderr
    assert [row.get("id") for row in rows] == [None, "q3", "q4", "q5"]
    assert [row["error"]["code"] for row in rows if "error" in row] == ["bad_batch", "bad_batch", "query_too_long"]
    assert rows[0]["line"] == 1 and "JSON" in rows[0]["error"]["message"] and len(rows[2]["hits"]) == 2
    assert run("search", "질문", "--collection", "../etc", "--json").returncode == 2
    assert run("search", "질문", "--collection", "공통", "-k", "0").returncode == 2


def test_cli_ask_returns_citations_as_json(tmp_path: Path, laws: Path, fake_ollama: FakeOllama) -> None:
    env = dict(os.environ, SEOULAI_INDEX_DIR=str(tmp_path / "idx"), SEOULAI_DATA_DIR=str(tmp_path / "data"),
               SEOULAI_EMBED__BACKEND="none", SEOULAI_OLLAMA_URL=fake_ollama.url)
    subprocess.run([sys.executable, "-m", "seoulai.cli", "ingest", str(laws), "--collection", "공통"], env=env,
                   check=True, capture_output=True, timeout=300)
    fake_ollama.script("처리기간은 일 단위로 계산하고 첫날을 산입합니다 [1]. 또한 [9]를 봅니다.")
    result = subprocess.run([sys.executable, "-m", "seoulai.cli", "ask", "민원 처리기간은 어떻게 계산하나요?",
                             "--collection", "공통", "--json"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["status"] == "answered" and payload["invalid_citations"] == [9]
    assert "[9]" not in payload["answer"] and payload["citations"][0]["n"] == 1
    assert payload["citations"][0]["source"] == "민원처리에관한법률/법률.md"
    assert "제19조" in payload["citations"][0]["section"]


def test_a_collection_built_with_older_ranking_parameters_is_rebuilt(tmp_path: Path, laws: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import seoulai.retrieval.collection as collection_module
    from seoulai.services import build_services

    settings = Settings(index_dir=tmp_path / "idx", data_dir=tmp_path / "data", embed={"backend": "none"},
                        llm={"backend": "none"})
    with monkeypatch.context() as patch:
        patch.setattr(collection_module, "BODY_B", 0.5)  # what an earlier version built
        SearchIndex(settings).ingest([laws], "공통")
    old = Collection(settings.index_dir, "공통")
    before = old.current()
    assert old.outdated()
    services = build_services(settings)
    try:
        assert old.current() != before and not old.outdated()
        assert services.manuals.search_collections(["공통"], "처리기간의 계산")  # the same documents serve
    finally:
        services.close()


def test_a_collection_analysed_by_an_older_version_is_re_tokenised_from_its_stored_text(
        tmp_path: Path, laws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stored tokens of an earlier version lack the light words ("수", "있다") that ranking now uses; at start
    the collection is analysed again from its stored chunk texts (no file is read), with nothing lost."""
    import seoulai.retrieval.collection as collection_module
    from seoulai.services import build_services
    from seoulai.text.korean import STOP_WORDS, morphs_batch

    def old_analysis(texts: list[str]):
        for tokens in morphs_batch(texts):
            yield [t for t in tokens if t not in STOP_WORDS]

    settings = Settings(index_dir=tmp_path / "idx", data_dir=tmp_path / "data", embed={"backend": "none"},
                        llm={"backend": "none"})
    with monkeypatch.context() as patch:
        patch.setattr(collection_module, "ANALYSIS", 1)
        patch.setattr(collection_module, "morphs_batch", old_analysis)
        SearchIndex(settings).ingest([laws], "공통")
    old = Collection(settings.index_dir, "공통")
    view = old.view()
    assert view is not None
    before = {row.chunk.id: row.tok_body.split() for row in view[1].stored()}
    docs = [d.doc for d in old.documents()]
    assert not any("수" in tokens for tokens in before.values()) and old.outdated()
    services = build_services(settings)
    try:
        assert not old.outdated()
        view = old.view()
        assert view is not None
        after = {row.chunk.id: row.tok_body.split() for row in view[1].stored()}
        assert after.keys() == before.keys() and [d.doc for d in old.documents()] == docs
        assert sum("수" in tokens for tokens in after.values()) > 10
        assert all(set(before[cid]) <= set(after[cid]) for cid in after)
        assert services.manuals.search_collections(["공통"], "처리기간의 계산")
    finally:
        services.close()


@pytest.mark.filterwarnings("ignore:Failed to obtain server version:UserWarning")  # qdrant-client's own check
def test_qdrant_server_down_keeps_keyword_search(tmp_path: Path, dead_url: str) -> None:
    """Several app servers share a Qdrant server (SEOULAI_RETRIEVAL__QDRANT_URL); when it cannot be reached
    the manual is still indexed and found by keywords, and the person gets a Korean reason."""
    with FakeOllama() as fake:
        settings = Settings(index_dir=tmp_path / "idx", ollama_url=fake.url, embed={"backend": "ollama"},
                            llm={"backend": "none"}, retrieval={"qdrant_url": dead_url})
        svc = SearchIndex(settings, build_embedder(settings))
        report = svc.ingest([_write(tmp_path / "d" / "a.md", "# 지침\n\n계약 보증금은 10%이다.")], "공통")
        assert report.vector_error and "Qdrant 서버" in report.vector_error and "키워드 검색만" in report.vector_error
        assert svc.search("계약 보증금", ["공통"], 3)[0].source == "a.md"
        assert svc.dense is not None
        svc.dense.close()


def test_a_multi_word_proper_noun_in_the_question_finds_its_document(tmp_path: Path) -> None:
    svc = _service(tmp_path)
    docs = tmp_path / "docs"
    _write(docs / "공항.md", "# 사건 기록\n\n그는 말레이시아 세팡에 위치한 쿠알라룸푸르 국제공항에서 쓰러졌다.")
    for n, city in enumerate(("인천", "김포", "제주", "김해")):  # "국제공항" and "나라" alone point elsewhere
        _write(docs / f"안내{n}.md", f"# 공항 안내 {n}\n\n{city} 국제공항은 이 나라의 국제공항이다. 국제공항 이용 안내.")
    svc.ingest([docs], "공통")
    hits = svc.search("쿠알라룸푸르국제공항은 어느 나라 공항인가?", ["공통"], 3)
    assert hits[0].source == "공항.md"


def test_the_best_passage_brings_the_article_it_cites(tmp_path: Path) -> None:
    """A procedure spread over two articles: the one that matches best cites the other, which the cut would drop."""
    svc = _service(tmp_path)
    fillers = "\n\n".join(f"##### 제{n}조 (신청 서류 {n})\n\n허가 신청 서류 {n}호를 갖춘다. 허가 신청 서류는 보관한다."
                          for n in range(2, 9))
    _write(tmp_path / "r" / "규정.md", "---\n제목: 시험 규정\n---\n\n# 시험 규정\n\n"
           "##### 제1조 (허가 신청)\n\n허가 신청 절차는 제9조에 따른다. 허가 신청은 서면으로 한다.\n\n" + fillers +
           "\n\n##### 제9조 (심사)\n\n접수한 날부터 7일 이내에 허가 여부를 심사한다.")
    svc.ingest([tmp_path / "r"], "공통")
    question = "허가 신청 절차는 어떻게 되나요?"
    plain = [h.section for h in svc.search(question, ["공통"], 20, floor=False)]
    assert plain[0] == "제1조 (허가 신청)" and plain.index("제9조 (심사)") >= 3  # below the cut at 3 on its own
    hits = svc.search(question, ["공통"], 3, floor=False)
    assert [h.section for h in hits][0] == "제1조 (허가 신청)" and hits[2].section == "제9조 (심사)"
    assert hits[0].references and hits[0].references[0].section == "제9조 (심사)"
    assert [h.section for h in svc.search(question, ["공통"], 1, floor=False)] == ["제1조 (허가 신청)"]
