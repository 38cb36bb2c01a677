"""Keyword, dense and hybrid retrieval in one run, against plain Kiwi BM25, on five question sets (issues 15, 30).

Sets: fire-safety petitions (firesafety_dev, 72) and legal scenarios (koblex_dev, 111) over the eval scope
(228 law files); a new employee's questions on the 71 Seoul rules (seoul_dev, answerable rows); KorQuAD 1.0 dev
(5,774 questions, 964 paragraphs: general Korean); NTS tax rulings (titles as questions, the article their
related_law line names as gold, over those laws). Rows:

- plain Kiwi BM25: ``shared/eval/retrieval_baseline.py --tokenizers kiwi`` on the same files (its own chunks);
- keyword: the product's keyword side (``SearchIndex`` with no embedder);
- dense: the product's dense side alone (the default embedder: multilingual-e5-small in int8 onnxruntime, in the
  Qdrant Edge shard);
- hybrid: the product default (RRF of both: ``retrieval.dense_weight``, ``retrieval.rrf_k``), and the pairs of
  --fusion.

Each question is searched once on each side; every row is cut or fused from those two lists, exactly as
``SearchIndex.search`` would (checked on the first questions of each set, in the notes).

Vectors come from the content-hash cache (--vector-cache) where an earlier run made them; a set with more than
--max-embed chunks missing from the cache gets its keyword rows only, and the notes say how many chunks are missing
(2 cores embed about 40 law chunks a second; benchmarks/fill_vectors.py fills the cache ahead of the run).
Embedding throughput is measured on --throughput passages that are not in the cache.

Usage: python benchmarks/hybrid.py --corpus DIR/laws-kr/kr [--vector-cache F] [--fusion 1:60,0.5:60] [--nts]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from dataclasses import replace
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from retrieval import (build, korquad_docs, korquad_hits, law_files, load_jsonl, nts_questions,  # noqa: E402 - after sys.path
                       passage_texts, scope_files, score)

from seoulai.config import Settings  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.backfill import VectorFiller  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.fusion import fuse, hybrid  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.hits import Hit  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.index import SearchIndex  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.query import analyze_query, department_mode  # noqa: E402 - after the sys.path set-up


def searcher(index_dir: Path, cache: Path | None, dense: bool) -> SearchIndex:
    from seoulai.llm import build_embedder

    settings = Settings(index_dir=index_dir, llm={"backend": "none"},
                        embed={"backend": "embedded" if dense else "none"},
                        retrieval={"vector_cache": cache})
    return SearchIndex(settings, build_embedder(settings) if dense else None)


def dense_side(svc: SearchIndex, name: str, max_embed: int, label: str, notes: list[str],
               questions: list[str]) -> SearchIndex | None:
    """Put every chunk's vector in Qdrant (the app's background filler) and return the searcher, or None with a
    note when more than ``max_embed`` chunks are missing from the cache (the set then has keyword rows only)."""
    assert svc.dense is not None
    texts = passage_texts(svc.collection(name))
    missing = len(texts) - len(svc.dense.cache.get(texts))
    if missing > max_embed:
        notes.append(f"{label}: dense and hybrid not measured, {missing:,} of {len(texts):,} chunks are not in the "
                     f"vector cache (about {missing / 40 / 60:.0f} min of embedding at 40 passages/s; fill the "
                     "cache with benchmarks/fill_vectors.py, then rerun)")
        return None
    started = time.perf_counter()
    VectorFiller(svc).fill_once()
    notes.append(f"{label}: vectors of {len(texts):,} chunks into the Qdrant Edge shard in "
                 f"{time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    remember_queries(svc, questions)
    notes.append(f"{label}: {len(questions):,} questions embedded in {time.perf_counter() - started:.0f} s")
    return svc


def as_json(hits: list) -> list[dict]:
    return [h.to_json() for h in hits]


DEFAULT = Settings().retrieval
# --dump: every set's two candidate lists and what scores them, for trying fusion rules offline.
DUMP: dict[str, dict] = {}
DUMPING = False


def _slim(hit: Hit) -> Hit:
    return replace(hit, text=hit.text[:120], terms=frozenset(), references=(), metadata={})


def both_sides(svc: SearchIndex, questions: list[str], name: str, notes: list[str], label: str,
               check: int = 30) -> dict[str, tuple[list, list]]:
    """Each question's keyword and dense candidates, searched once (``retrieval.candidates`` from each side, as
    ``SearchIndex.search`` takes them). ``search`` only fuses the two after that, so every hybrid row is ``fuse``
    of these lists, the keyword row their keyword head (``search`` without an embedder) and the dense row the dense
    head: one pass per set instead of one per row. The first ``check`` questions are also searched the slow way
    and the note says whether they matched."""
    cand = max(svc.settings.retrieval.candidates, 10)
    started = time.perf_counter()
    sides = {}
    indexes = [view[0] for view in [svc.collection(name).view()] if view]
    for q in dict.fromkeys(questions):
        analyzed = analyze_query(q)
        keyword = svc._keyword(analyzed, [name], cand)
        dense = [] if department_mode(analyzed, None, indexes) else svc._dense(q, [name], cand)  # as search does
        # each passage carries its lexical relevance (floor.py): the product's rule reads the keyword lead's
        sides[q] = (svc._scored(analyzed, keyword, {}), svc._scored(analyzed, dense, {}))
    seconds = time.perf_counter() - started
    retrieval, same = svc.settings.retrieval, 0
    sample = list(sides)[:check]
    for q in sample:
        keyword, dense = sides[q]
        # search itself then puts an article the best passage cites among the first 10 (_follow_references)
        ours = svc._follow_references(hybrid(keyword, dense, cand, retrieval.rrf_k, retrieval.dense_weight),
                                      [name], 10)[:10]
        same += ([h.chunk_id for h in ours] == [h.chunk_id for h in svc.search(q, [name], 10, floor=False)]
                 and [h.chunk_id for h in dense[:10]] == [h.chunk_id for h in svc._dense(q, [name], 10)])
    if DUMPING:  # slim copies: what the scorers and fusion rules read (a full KorQuAD + NTS dump took 21 GB)
        DUMP.setdefault(label, {})["sides"] = {q: tuple([_slim(h) for h in side] for side in pair)
                                               for q, pair in sides.items()}
    notes.append(f"{label}: {len(sides):,} questions searched on both sides in {seconds:.0f} s "
                 f"({len(sides) / seconds:.1f}/s); of the first {len(sample)}, {same} gave the same top 10 as "
                 "SearchIndex.search and the dense search itself")
    return sides


def row_searches(sides: dict[str, tuple[list, list]], weights: list[tuple[float, int]],
                 k: int) -> dict[str, Callable[[str], list]]:
    """Each row's search over the lists of ``both_sides``: the keyword and dense heads, the product's ``hybrid``, then
    plain ``fuse`` at the product's weights and at each pair of --fusion."""
    out: dict[str, Callable[[str], list]] = {"keyword": lambda q: sides[q][0][:k],
                                             "dense": lambda q: sides[q][1][:k]}
    default = (DEFAULT.dense_weight, DEFAULT.rrf_k)
    out[f"hybrid (product: RRF w={default[0]:g} k={default[1]}, a sure keyword lead stays first)"] = \
        lambda q: hybrid(*sides[q], k, default[1], default[0])
    for w, rrf_k in [default] + [p for p in weights if p != default]:
        out[f"plain RRF w={w:g} k={rrf_k}"] = lambda q, w=w, rrf_k=rrf_k: fuse(*sides[q], k, rrf_k, w)
    return out


def statute_rows(svc_kw: SearchIndex, svc_d: SearchIndex | None, rows: list[dict], weights: list[tuple[float, int]],
                 notes: list[str], label: str, name: str = "laws") -> dict[str, dict[str, float]]:
    if svc_d is None:
        return {"keyword": score(rows, {r["id"]: as_json(svc_kw.search(r["question"], [name], 10)) for r in rows})}
    sides = both_sides(svc_d, [r["question"] for r in rows], name, notes, label)
    if DUMPING:
        DUMP[label]["rows"] = rows
    return {row: score(rows, {r["id"]: as_json(search(r["question"])) for r in rows})
            for row, search in row_searches(sides, weights, 10).items()}


def kiwi_bm25(shared: Path, args: list[str], tmp: Path) -> dict[str, dict[str, float]]:
    out = tmp / f"baseline-{len(list(tmp.iterdir()))}.json"
    subprocess.run([sys.executable, str(shared / "eval" / "retrieval_baseline.py"), *args, "--tokenizers", "kiwi",
                    "--json-out", str(out)], check=True, capture_output=True, text=True)
    return json.loads(out.read_text())


def _pick(result: object, metric: str) -> float:
    """The metric from retrieval_baseline.py's JSON, whatever nesting it uses."""
    if isinstance(result, dict):
        if metric in result:
            return float(result[metric])
        for value in result.values():
            found = _pick(value, metric)
            if found >= 0:
                return found
    return -1.0


def remember_queries(svc: SearchIndex, questions: list[str], batch: int = 64) -> None:
    """Embed every question once, up front, for all the rows: the product's embedder (``OnnxE5``) in batches on
    every core (a text's vector does not depend on the texts beside it: the same vectors as one call per question);
    other embedders one by one, on first use."""
    from seoulai.llm.e5_onnx import OnnxE5

    assert svc.dense is not None
    embedder = svc.dense.embedder
    embed, known = embedder.get_query_embedding, {}
    unique = list(dict.fromkeys(questions))
    if isinstance(embedder, OnnxE5):
        engine = embedder._engine()
        for start in range(0, len(unique), batch):
            part = unique[start:start + batch]
            known.update(zip(part, engine.embed(part, True, embedder.max_tokens, embedder.windows,
                                                embedder.batch_tokens, parallel=True).tolist()))

    def cached(query: str) -> list[float]:
        if query not in known:
            known[query] = embed(query)
        return known[query]

    object.__setattr__(embedder, "get_query_embedding", cached)


def korquad(shared: Path, tmp: Path, cache: Path | None, weights: list[tuple[float, int]], max_embed: int,
            limit: int, notes: list[str]) -> tuple[dict, Path]:
    questions, folder, gold = korquad_docs(shared, tmp)
    questions = questions[:limit]
    sample = tmp / "korquad_questions.jsonl"
    sample.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in questions), encoding="utf-8")
    index_dir = tmp / "idx_korquad"
    searcher(index_dir, cache, False).ingest([folder], "korquad")
    svc_kw, svc_d = searcher(index_dir, cache, False), searcher(index_dir, cache, True)
    dense = dense_side(svc_d, "korquad", max_embed, "KorQuAD", notes, [q["question"] for q in questions])

    def hits(search) -> dict[str, float]:
        return korquad_hits(questions, gold, search)

    if dense is None:
        out = {"keyword": hits(lambda q: svc_kw.search(q, ["korquad"], 5))}
    else:
        sides = both_sides(dense, [q["question"] for q in questions], "korquad", notes, "KorQuAD")
        if DUMPING:
            DUMP["KorQuAD"]["gold"] = [(q["question"], sorted(gold(q))) for q in questions]
        out = {row: hits(search) for row, search in row_searches(sides, weights, 5).items()}
    assert svc_d.dense is not None
    svc_d.dense.close()
    return out, sample


def seoul(shared: Path, tmp: Path, cache: Path | None, weights: list[tuple[float, int]], max_embed: int,
          notes: list[str]) -> dict[str, dict[str, float]]:
    """A new employee's questions on the 71 본청 rules (benchmarks/seoul.py's "overall": answerable rows only)."""
    from seoul import baseline as seoul_baseline

    rows = load_jsonl(shared / "eval" / "seoul_dev.jsonl")
    answerable = [r for r in rows if r["gold"]]
    root, index_dir = shared / "corpus" / "seoul", tmp / "idx_seoul"
    files = [f for f in sorted(root.rglob("*.md")) if f.name != "README.md"]
    searcher(index_dir, cache, False).ingest(files, "공통", sources={f: f.relative_to(root).as_posix() for f in files},
                                            vectors=False)
    svc_kw, svc_d = searcher(index_dir, cache, False), searcher(index_dir, cache, True)
    out = {"plain Kiwi BM25": {m: seoul_baseline(shared, rows, tmp)["overall"][m] for m in ("recall@5", "mrr@10")}}
    dense = dense_side(svc_d, "공통", max_embed, "Seoul dev", notes, [r["question"] for r in answerable])
    out.update(statute_rows(svc_kw, dense, answerable, weights, notes, "Seoul dev", name="공통"))
    assert svc_d.dense is not None
    svc_d.dense.close()
    return out


def throughput(n: int) -> float:
    from seoulai.llm import build_embedder

    texts = [f"제{i}조 (시험 조문 {i}) 이 조문은 처리량 측정을 위한 문단으로, 민원 처리기간과 통지 절차를 정한다. " * 4
             for i in range(n)]
    model = build_embedder(Settings(embed={"backend": "embedded"}))
    assert model is not None
    started = time.perf_counter()
    model.get_text_embedding_batch(texts)
    return n / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=os.environ.get("SEOULAI_SHARED", str(ROOT.parent / "shared")))
    parser.add_argument("--corpus", required=True, help="an extracted laws-kr/kr folder")
    parser.add_argument("--vector-cache", type=Path, help="content-hash vector cache kept between runs")
    parser.add_argument("--fusion", default="1:60,0.5:60,1:30",
                        help="more hybrid rows: dense_weight:rrf_k pairs (the product default is always the first)")
    parser.add_argument("--max-embed", type=int, default=10000)
    parser.add_argument("--throughput", type=int, default=128)
    parser.add_argument("--nts", action="store_true", help="also the NTS rulings (20,901 chunks to embed)")
    parser.add_argument("--korquad", type=int, default=5774, help="KorQuAD questions taken (in file order; 0: none)")
    parser.add_argument("--dump", type=Path, help="pickle each set's candidate lists here (benchmarks/fusion_rules.py)")
    parser.add_argument("--skip-seoul", action="store_true", help="without the Seoul dev set")
    parser.add_argument("--skip-statutes", action="store_true", help="only KorQuAD (and NTS)")
    args = parser.parse_args()
    from seoulai.llm import e5_onnx
    from seoulai.retrieval import backfill

    # a benchmark waits for its vectors: the app's background priority (nice 15) would put it below everything else
    e5_onnx.BACKGROUND_NICE = backfill.NICE = os.getpriority(os.PRIO_PROCESS, 0)
    global DUMPING
    DUMPING = bool(args.dump)
    shared, corpus = Path(args.shared).resolve(), Path(args.corpus)
    weights = [(float(p.split(":")[0]), int(p.split(":")[1])) for p in args.fusion.split(",") if p]
    table: dict[str, dict[str, dict[str, float]]] = {}
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="seoulai-hybrid-") as name:
        tmp = Path(name)
        scope_file = shared / "eval" / "scope_dirs.txt"
        chunks = 0
        if not args.skip_statutes:
            stats = build(tmp / "idx_scope", "laws", corpus, scope_files(shared, corpus))
            chunks = int(stats["chunks"])
            notes.append(f"eval scope: {stats['files']} files, {stats['chunks']:,} chunks; keyword index built in "
                         f"{stats['seconds']:.0f} s")
            svc_kw, svc_d = searcher(tmp / "idx_scope", args.vector_cache, False), searcher(tmp / "idx_scope",
                                                                                              args.vector_cache, True)
            sets = {file: load_jsonl(shared / "eval" / file) for file in ("firesafety_dev.jsonl", "koblex_dev.jsonl")}
            dense = dense_side(svc_d, "laws", args.max_embed, "fire-safety and KoBLEX (eval scope)", notes,
                               [r["question"] for rows in sets.values() for r in rows])
            for label, file in (("fire-safety dev (72)", "firesafety_dev.jsonl"), ("KoBLEX dev (111)", "koblex_dev.jsonl")):
                rows = sets[file]
                base = kiwi_bm25(shared, [str(corpus), str(shared / "eval" / file), "--scope-dirs", str(scope_file)], tmp)
                table[label] = {"plain Kiwi BM25": {m: _pick(base, m) for m in ("recall@5", "mrr@10")}}
                table[label].update(statute_rows(svc_kw, dense, rows, weights, notes, label))
                print(label, json.dumps(table[label]), flush=True)
            assert svc_d.dense is not None
            svc_d.dense.close()
        if not args.skip_seoul:
            label = f"Seoul dev ({sum(1 for r in load_jsonl(shared / 'eval' / 'seoul_dev.jsonl') if r['gold'])} answerable)"
            table[label] = seoul(shared, tmp, args.vector_cache, weights, args.max_embed, notes)
            print(label, json.dumps(table[label]), flush=True)
        if args.korquad > 0:
            ours, sample = korquad(shared, tmp, args.vector_cache, weights, args.max_embed, args.korquad, notes)
            base = kiwi_bm25(shared, ["--paragraphs", str(shared / "eval" / "korquad_paragraphs.jsonl"), str(sample)], tmp)
            label = f"KorQuAD dev (first {min(args.korquad, 5774):,} of 5,774 questions, 964 paragraphs)"
            table[label] = {"plain Kiwi BM25": {m: _pick(base, m) for m in ("hit@1", "hit@5")}, **ours}
            print("korquad", json.dumps(table[label]), flush=True)
        if args.nts:
            rows, nts_dirs = nts_questions(shared)
            stats_n = build(tmp / "idx_nts", "laws", corpus, law_files(corpus, nts_dirs))
            notes.append(f"NTS laws: {stats_n['files']} files, {stats_n['chunks']:,} chunks; keyword index built in "
                         f"{stats_n['seconds']:.0f} s")
            (tmp / "nts_dirs.txt").write_text("\n".join(sorted(nts_dirs)), encoding="utf-8")
            (tmp / "nts.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
            base = kiwi_bm25(shared, [str(corpus), str(tmp / "nts.jsonl"), "--scope-dirs", str(tmp / "nts_dirs.txt")],
                             tmp)
            svc_kw_n, svc_d_n = searcher(tmp / "idx_nts", args.vector_cache, False), searcher(tmp / "idx_nts",
                                                                                               args.vector_cache, True)
            dense_n = dense_side(svc_d_n, "laws", args.max_embed, "NTS rulings", notes, [r["question"] for r in rows])
            label = f"NTS rulings ({len(rows):,})"
            table[label] = {"plain Kiwi BM25": {m: _pick(base, m) for m in ("recall@5", "mrr@10")}}
            table[label].update(statute_rows(svc_kw_n, dense_n, rows, weights, notes, label))
        if args.dump:
            args.dump.write_bytes(pickle.dumps(DUMP))
        rate = throughput(args.throughput)
        notes.append(f"embedding throughput (embedded e5-small, int8 onnxruntime): {rate:.1f} passages/s on "
                     f"{os.cpu_count()} cores" + (f"; the eval scope's {chunks:,} chunks take {chunks / rate / 60:.0f} min "
                                                  "to embed once (then cached by content hash)" if chunks else ""))
    print(f"\n{time.strftime('%Y-%m-%d')} · {platform.machine()} · {os.cpu_count()} cores · Python "
          f"{platform.python_version()}\n")
    for label, rows_of in table.items():
        metrics = list(next(iter(rows_of.values())))
        print(f"| {label} | " + " | ".join(metrics) + " |")
        print("|---|" + "---|" * len(metrics))
        for row, values in rows_of.items():
            print(f"| {row} | " + " | ".join(f"{values.get(m, float('nan')):.3f}" for m in metrics) + " |")
        print()
    print("\n".join(f"- {n}" for n in notes))


if __name__ == "__main__":
    main()
