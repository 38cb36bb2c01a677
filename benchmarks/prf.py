"""Pseudo-relevance feedback (RM3-style query expansion) on the keyword side, fire-safety and KoBLEX dev sets.

Search once, take the words of the top ``docs`` passages (each weighted by its share of their scores and by its
frequency in the passage), multiply by idf, add the best ``terms`` words the question lacks (light words and
numbers excluded) at ``beta`` x the question's strongest word weight, scaled by rank, and search again. A
``docs:terms:beta`` of ``5:10:0`` is the product as it is.

Usage: python benchmarks/prf.py --scope-index D [--corpus DIR/laws-kr/kr] [5:10:0.3 3:5:0.1 ...]
(the index is built from --corpus when D is empty).
"""
import argparse
import math
import os
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from retrieval import build, load_jsonl, scope_files, score, service  # noqa: E402 - after the sys.path set-up

from seoulai.retrieval.keyword import AnalyzedQuery, Ranking  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.query import analyze_query  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.statute import article_refs_with_titles  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.store import ChunkStore  # noqa: E402 - after the sys.path set-up
from seoulai.text.korean import STOP_WORDS  # noqa: E402 - after the sys.path set-up


def expanded(q: AnalyzedQuery, top: list[tuple[int, float]], store: ChunkStore, idf: Callable[[str], float],
             docs: int, terms: int, beta: float) -> AnalyzedQuery:
    shares = dict(top[:docs])
    total = sum(shares.values()) or 1.0
    weight: Counter[str] = Counter()
    marks = ",".join("?" * len(shares))
    query = f"SELECT pos, tok_body FROM chunks WHERE pos IN ({marks})"  # noqa: S608 - ? marks only
    for pos, tokens in store.db.execute(query, list(shares)):
        counts = Counter(tokens.split())
        length = sum(counts.values()) or 1
        for token, n in counts.items():
            if token not in q.terms and token not in STOP_WORDS and not token.isdigit():
                weight[token] += shares[pos] / total * n / length
    best = sorted(((t, w * idf(t)) for t, w in weight.items()), key=lambda item: -item[1])[:terms]
    if not best:
        return q
    strongest, top_weight = max(q.terms.values()), best[0][1]
    return replace(q, terms={**q.terms, **{t: beta * strongest * w / top_weight for t, w in best}})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=os.environ.get("SEOULAI_SHARED", str(ROOT.parent / "shared")))
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--scope-index", type=Path, required=True)
    parser.add_argument("settings", nargs="*", default=["5:10:0", "5:10:0.3", "3:5:0.1", "5:5:0.15", "10:5:0.1"])
    args = parser.parse_args()
    shared = Path(args.shared)
    if not (args.scope_index / "collections").exists():
        build(args.scope_index, "laws", args.corpus, scope_files(shared, args.corpus))
    index, store = service(args.scope_index).collection("laws").view()
    body = index.models["body"]
    vocab, indptr, size = body.vocab_dict, body.scores["indptr"], index.size

    def idf(token: str) -> float:
        term = vocab.get(token)
        df = int(indptr[term + 1] - indptr[term]) if term is not None else size
        return math.log(1 + (size - df + 0.5) / (df + 0.5))

    ranking = Ranking()
    print("| docs:terms:beta | fire R@5 / MRR@10 | KoBLEX R@5 / MRR@10 |\n|---|---|---|")
    sets = [load_jsonl(shared / "eval" / f) for f in ("firesafety_dev.jsonl", "koblex_dev.jsonl")]
    asked = {}
    for rows in sets:
        for row in rows:
            q = analyze_query(row["question"], True, True, True, ask=True)
            refs = article_refs_with_titles(q.text + " " + " ".join(q.named_titles), index.titles)
            asked[row["id"]] = (q, store.cited_positions(refs))
    for setting in args.settings:
        docs, terms, beta = setting.split(":")
        cells = []
        for rows in sets:
            hits = {}
            for row in rows:
                q, cited = asked[row["id"]]
                top = index.search(q, 10, ranking, cited)
                if float(beta) > 0 and top:
                    top = index.search(expanded(q, top, store, idf, int(docs), int(terms), float(beta)), 10, ranking,
                                       cited)
                chunks = store.chunks_at([p for p, _ in top])
                hits[row["id"]] = [{"source": chunks[p].source, "section": chunks[p].section, "text": chunks[p].text}
                                   for p, _ in top]
            s = score(rows, hits)
            cells.append(f"{s['recall@5']:.4f} / {s['mrr@10']:.4f}")
        print(f"| {setting} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
