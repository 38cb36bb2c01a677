"""Fusion rules tried on the candidate lists of a hybrid.py run (``--dump``), every set at once (issue 30).

Each question's keyword and dense candidates were searched once by hybrid.py; here every rule fuses those same
lists, so rows differ only by the rule. A rule may read what search has at that point: the two rankings, each
passage's lexical relevance (seoulai/retrieval/floor.py, stored by hybrid.py beside it) and the dense cosine. It may
not read the set's name or the question's kind: a rule is kept only if it generalises (the same rule on every set).

Usage: python benchmarks/fusion_rules.py DUMP.pkl
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from retrieval import score  # noqa: E402 - after the sys.path set-up

from seoulai.retrieval.floor import COSINE_RANGE  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.fusion import fuse, hybrid  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.hits import Hit  # noqa: E402 - after the sys.path set-up

Rule = Callable[[list[Hit], list[Hit], int], list[Hit]]


def rrf(w: float, rrf_k: int = 30) -> Rule:
    return lambda kw, dn, k: fuse(kw, dn, k, rrf_k, w)


def dense_above(cosine: float, w: float = 0.5) -> Rule:
    """Dense candidates the embedder itself scores as unrelated (cosine below ``cosine``) do not vote."""
    return lambda kw, dn, k: fuse(kw, [h for h in dn if h.score >= cosine], k, 30, w)


def keyword_sure(level: float, w_sure: float, w: float = 0.5) -> Rule:
    """When the keyword side's best passage holds the question's topic words (lexical relevance >= level), the dense
    side votes with ``w_sure`` instead of ``w``."""
    return lambda kw, dn, k: fuse(kw, dn, k, 30, w_sure if kw and kw[0].relevance >= level else w)


def keyword_head(n: int, w: float = 0.5) -> Rule:
    """The keyword side's first ``n`` stay first; fusion orders the rest."""
    def rule(kw: list[Hit], dn: list[Hit], k: int) -> list[Hit]:
        head = kw[:n]
        seen = {(h.collection, h.chunk_id) for h in head}
        rest = [h for h in fuse(kw, dn, k + n, 30, w) if (h.collection, h.chunk_id) not in seen]
        return (head + rest)[:k]
    return rule


def lead_stays_if_sure(level: float = 1.0, w: float = 0.5) -> Rule:
    """When the keyword side's best passage holds the question's topic words (lexical relevance >= level), it stays
    first; fusion orders everything else (and everything, when it does not)."""
    head, plain = keyword_head(1, w), rrf(w)
    return lambda kw, dn, k: head(kw, dn, k) if kw and kw[0].relevance >= level else plain(kw, dn, k)


def agreement(w: float = 0.5, top: int = 10) -> Rule:
    """The dense weight scaled by how much the two sides' top ``top`` agree (no agreement: dense does not vote)."""
    def rule(kw: list[Hit], dn: list[Hit], k: int) -> list[Hit]:
        a = {h.chunk_id for h in kw[:top]}
        b = {h.chunk_id for h in dn[:top]}
        share = len(a & b) / top if a and b else 0.0
        return fuse(kw, dn, k, 30, w * min(1.0, 2 * share))
    return rule


RULES: dict[str, Rule] = {
    "keyword": lambda kw, dn, k: kw[:k],
    "dense": lambda kw, dn, k: dn[:k],
    "RRF w=0.5 k=30 (default)": rrf(0.5),
    "RRF w=0.3 k=30": rrf(0.3),
    "RRF w=0.2 k=30": rrf(0.2),
    f"dense votes above cosine {COSINE_RANGE[0]}": dense_above(COSINE_RANGE[0]),
    "dense votes above cosine 0.84": dense_above(0.84),
    "dense votes above cosine 0.86": dense_above(0.86),
    "keyword sure (rel 1.0) -> w 0.2": keyword_sure(1.0, 0.2),
    "keyword sure (rel 1.0) -> w 0": keyword_sure(1.0, 0.0),
    "keyword sure (rel 0.8) -> w 0.2": keyword_sure(0.8, 0.2),
    "keyword first 1 stays": keyword_head(1),
    "keyword first 2 stay": keyword_head(2),
    "agreement-weighted": agreement(),
    "product: fusion.hybrid (RRF w=0.5 k=30, a sure keyword lead stays first)": lambda kw, dn, k: hybrid(kw, dn, k,
                                                                                                        30, 0.5),
    "keyword lead stays if sure (rel 1.0), as written here": lead_stays_if_sure(1.0),
    "keyword lead stays if sure (rel 0.8)": lead_stays_if_sure(0.8),
    "keyword first 1 stays, w 0.3": keyword_head(1, 0.3),
}


def evaluate(entry: dict, rule: Rule) -> dict[str, float]:
    sides = entry["sides"]
    if "gold" in entry:  # KorQuAD: the paragraph ids as file names
        h1 = h5 = 0
        for question, gold in entry["gold"]:
            got = [h.source.removesuffix(".txt") for h in rule(*sides[question], 5)]
            h1 += bool(got[:1] and got[0] in gold)
            h5 += any(g in gold for g in got[:5])
        n = len(entry["gold"])
        return {"hit@1": h1 / n, "hit@5": h5 / n}
    rows = entry["rows"]
    hits = {r["id"]: [h.to_json() for h in rule(*sides[r["question"]], 10)] for r in rows}
    out = score(rows, hits)
    return {"recall@5": out["recall@5"], "mrr@10": out["mrr@10"]}


def main() -> None:
    dump = pickle.loads(Path(sys.argv[1]).read_bytes())
    sets = [label for label, entry in dump.items() if "sides" in entry]
    results = {name: {label: evaluate(dump[label], rule) for label in sets} for name, rule in RULES.items()}
    header = [f"{label.split(' (')[0]} {m}" for label in sets for m in results["keyword"][label]]
    print("| rule | " + " | ".join(header) + " | sets >= keyword |")
    print("|---|" + "---|" * (len(header) + 1))
    for name, by_set in results.items():
        cells, holds = [], 0
        for label in sets:
            base = results["keyword"][label]
            holds += all(by_set[label][m] >= base[m] - 1e-9 for m in base)
            cells += [f"{v:.3f}" for v in by_set[label].values()]
        print(f"| {name} | " + " | ".join(cells) + f" | {holds}/{len(sets)} |")


if __name__ == "__main__":
    main()
