"""Tokenisation and query-word choices of the keyword side, on all four question sets (keyword only).

Each variant rebuilds the indexes (the stop-list variant applies at index time) and reports fire-safety and KoBLEX Recall@5
/ MRR@10 over the eval scope, NTS rulings Recall@5 / MRR@10 and KorQuAD Hit@1 / Hit@5. A choice stays in the
product only if it does not help one set at another's cost (BENCHMARKS.md).

Variants (comma-separated flags, applied on top of the product as it is):
  joined    Kiwi's multi-word proper nouns kept whole in the question (the defect fixed on 2026-12-02: the index
            always stored their parts)
  no-nums   numbers dropped from the question (the product's rule until 2026-12-02)
  stop      light words (korean.STOP_WORDS: 수, 것, 있다, …) dropped from index and question (the product's rule
            until 2026-12-02)
  k1=X      BM25 term saturation k1 = X in every field (the product's is 1.5)

Usage: python benchmarks/query_variants.py --corpus DIR/laws-kr/kr [--variants product,joined,no-nums,stop]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from retrieval import (build, korquad_docs, korquad_hits, law_files, load_jsonl, nts_questions,  # noqa: E402 - after sys.path
                       scope_files, score, service)

import seoulai.retrieval.query as query_module  # noqa: E402 - after the sys.path set-up
import seoulai.text.korean as korean  # noqa: E402 - after the sys.path set-up


def apply(flags: set[str]) -> None:
    """Switch the module-level choices the flags name (this process only: each variant runs in its own)."""
    if "joined" in flags:
        def joined(text: str) -> list[str]:
            # The old question side: a multi-word form stays one token (the index always stored its parts).
            text = korean.normalize(text)
            out: list[str] = []
            for token in korean.get_kiwi().tokenize(text):
                parts = korean._filter([token])
                out.extend([" ".join(parts)] if len(parts) > 1 else parts)
            return out + korean.article_refs(text)

        query_module.morphs = joined
    if "no-nums" in flags:
        query_module._NOISE = re.compile(r"[\d,.]+|[a-z]")
    for flag in flags:
        if flag.startswith("k1="):
            from seoulai.retrieval.keyword import FieldBuilder

            FieldBuilder.__init__.__defaults__ = (float(flag[3:]), 0.75)
    if "stop" in flags:
        plain = korean._filter

        def stopped(tokens):
            return [t for t in plain(tokens) if t not in korean.STOP_WORDS]

        korean._filter = stopped


def run(flags: set[str], shared: Path, corpus: Path, tmp: Path) -> dict[str, tuple[float, float]]:
    apply(flags)
    out: dict[str, tuple[float, float]] = {}
    build(tmp / "scope", "laws", corpus, scope_files(shared, corpus))
    svc = service(tmp / "scope")
    for name, file in (("fire", "firesafety_dev.jsonl"), ("koblex", "koblex_dev.jsonl")):
        rows = load_jsonl(shared / "eval" / file)
        m = score(rows, {r["id"]: [h.to_json() for h in svc.search(r["question"], ["laws"], 10)] for r in rows})
        out[name] = (m["recall@5"], m["mrr@10"])
    rows, nts_dirs = nts_questions(shared)
    build(tmp / "nts", "laws", corpus, law_files(corpus, nts_dirs))
    svc = service(tmp / "nts")
    m = score(rows, {r["id"]: [h.to_json() for h in svc.search(r["question"], ["laws"], 10)] for r in rows})
    out["nts"] = (m["recall@5"], m["mrr@10"])
    questions, folder, gold = korquad_docs(shared, tmp)
    svc = service(tmp / "korquad_index")
    svc.ingest([folder], "korquad")
    m = korquad_hits(questions, gold, lambda q: svc.search(q, ["korquad"], 5))
    out["korquad"] = (m["hit@1"], m["hit@5"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=os.environ.get("SEOULAI_SHARED", str(ROOT.parent / "shared")))
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--variants", default="product,joined,no-nums,stop")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child process runs one variant
    args = parser.parse_args()
    shared, corpus = Path(args.shared).resolve(), Path(args.corpus)
    if args.one is not None:
        with tempfile.TemporaryDirectory(prefix="seoulai-variants-") as tmp:
            result = run(set(args.one.split("+")) - {"product"}, shared, corpus, Path(tmp))
        print("RESULT", " ".join(f"{a:.4f} {b:.4f}" for a, b in result.values()), flush=True)
        return
    import subprocess

    print("| variant | fire R@5 / MRR@10 | KoBLEX R@5 / MRR@10 | NTS R@5 / MRR@10 | KorQuAD Hit@1 / Hit@5 |")
    print("|---|---|---|---|---|")
    for variant in args.variants.split(","):
        done = subprocess.run([sys.executable, __file__, "--shared", str(shared), "--corpus", str(corpus),
                               "--one", variant], capture_output=True, text=True, check=True)
        values = next(line for line in done.stdout.splitlines() if line.startswith("RESULT")).split()[1:]
        cells = [f"{values[i]} / {values[i + 1]}" for i in range(0, 8, 2)]
        print(f"| {variant} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
