"""Each keyword-ranking factor on the three statute question sets (fire-safety dev, KoBLEX dev, NTS rulings):
Recall@5 as the factors are added in turn, and the citation prior that is off by default.

Usage: python benchmarks/ranking_ablation.py --corpus DIR/laws-kr/kr [--scope-index D] [--nts-index D]
[--prior 0.01,0.05] [--prior-only]  (the index folders are built when not given or empty; --prior-only prints just
the product and its citation-prior rows, with MRR@10 beside Recall@5).
"""
import argparse
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from retrieval import PLAIN, build, law_files, load_jsonl, nts_questions, scope_files, score, service  # noqa: E402 - after sys.path

from seoulai.retrieval.keyword import Ranking  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.query import analyze_query  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.statute import article_refs_with_titles  # noqa: E402 - after the sys.path set-up

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--shared", default=os.environ.get("SEOULAI_SHARED", str(ROOT.parent / "shared")))
parser.add_argument("--corpus", required=True)
parser.add_argument("--scope-index", type=Path)
parser.add_argument("--nts-index", type=Path)
parser.add_argument("--prior", default="0.1,0.2", help="citation-prior weights added to the product, as rows")
parser.add_argument("--prior-only", action="store_true")
args = parser.parse_args()
shared, corpus = Path(args.shared), Path(args.corpus)
tmp = Path(tempfile.mkdtemp(prefix="seoulai-ablation-"))
scope_index, nts_index = args.scope_index or tmp / "scope", args.nts_index or tmp / "nts"
nts_rows, nts_dirs = nts_questions(shared)
if not (scope_index / "collections").exists():
    build(scope_index, "laws", corpus, scope_files(shared, corpus))
if not (nts_index / "collections").exists():
    build(nts_index, "laws", corpus, law_files(corpus, nts_dirs))
sets = {"fire": (load_jsonl(shared / "eval/firesafety_dev.jsonl"), scope_index),
        "koblex": (load_jsonl(shared / "eval/koblex_dev.jsonl"), scope_index),
        "nts": (nts_rows, nts_index)}
views = {p: service(p).collection("laws").view() for p in {scope_index, nts_index}}
def hits(view, rows, ranking, cleanup, expand, saturate, ask):
    index, store = view
    out = {}
    for row in rows:
        q = analyze_query(row["question"], cleanup, expand, saturate, ask=ask)
        cited = []
        if expand:
            cited = store.cited_positions(article_refs_with_titles(q.text + " " + " ".join(q.named_titles), index.titles))
        top = index.search(q, 10, ranking, cited)
        ch = store.chunks_at([p for p, _ in top])
        out[row["id"]] = [{"source": ch[p].source, "section": ch[p].section, "text": ch[p].text} for p, _ in top]
    return out
C = replace(PLAIN, collapse_articles=True, addenda=0.3)
P = replace(Ranking(), gram=0)
steps = [("Kiwi BM25 over our chunks (b=0.75), no statute factors", PLAIN, False, False, False, False),
         ("+ one passage per article, addenda ×0.3", C, False, False, False, False),
         ("+ petition boilerplate removed, repeated words 1+ln n", C, True, False, True, False),
         ("+ thesaurus and abbreviations", C, True, True, True, False),
         ("+ cited articles first", replace(C, cited_article=1.0), True, True, True, False),
         ("+ law-family score 0.35", replace(C, cited_article=1.0, family=0.35), True, True, True, False),
         ("+ asking sentence ×2 (= product keyword side)", P, True, True, True, True)]
priors = [(f"product + citation prior {w:g}", replace(P, citation_prior=w), True, True, True, True)
          for w in (float(x) for x in args.prior.split(",") if x)]
steps = [("product (citation prior off)", P, True, True, True, True), *priors] if args.prior_only else steps + priors
print("| variant | fire R@5 | KoBLEX R@5 | NTS R@5 |\n|---|---|---|---|")
for label, r, c, e, s, a in steps:
    vals = [score(rows, hits(views[p], rows, r, c, e, s, a)) for rows, p in sets.values()]
    cell = "{0[recall@5]:.4f} / {0[mrr@10]:.4f}" if args.prior_only else "{0[recall@5]:.3f}"
    print(f"| {label} | " + " | ".join(cell.format(v) for v in vals) + " |", flush=True)
