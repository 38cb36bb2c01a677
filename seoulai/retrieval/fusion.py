"""Fusing the keyword and dense rankings."""

from __future__ import annotations

from seoulai.retrieval.hits import Hit

# A keyword lead at this lexical relevance holds every topic word of the question (seoulai/retrieval/floor.py).
SURE = 1.0


def fuse(keyword: list[Hit], dense: list[Hit], k: int, rrf_k: int, dense_weight: float) -> list[Hit]:
    """Reciprocal-rank fusion; the fused score is the RRF sum."""
    scores: dict[tuple[str, str], float] = {}
    hits: dict[tuple[str, str], Hit] = {}
    for weight, ranking in ((1.0, keyword), (dense_weight, dense)):
        for rank, hit in enumerate(ranking, start=1):
            key = (hit.collection, hit.chunk_id)
            scores[key] = scores.get(key, 0.0) + weight / (rrf_k + rank)
            hits.setdefault(key, hit)
    order = sorted(scores, key=lambda key: -scores[key])[:k]
    fused = []
    for key in order:
        hit = hits[key]
        fused.append(Hit(**{**hit.__dict__, "score": scores[key]}))
    return fused


def hybrid(keyword: list[Hit], dense: list[Hit], k: int, rrf_k: int, dense_weight: float) -> list[Hit]:
    """The product's ranking of both sides: RRF, except that a keyword lead holding every topic word of the question
    (its lexical relevance, which ``keyword`` must carry, at ``SURE``) stays first.

    Why: where the words of the question are all in one passage, that passage is the answer more often than what
    the small embedder puts above it (plain RRF lost KorQuAD Hit@1 and KoBLEX Recall@5 to the keyword side alone);
    where they are not (long petitions, legal scenarios), the dense side's recall is what hybrid is for. The rule
    reads only the question's candidates, never the kind of question set, and was chosen on five sets at once
    (BENCHMARKS.md, benchmarks/fusion_rules.py)."""
    if not dense:
        return keyword[:k]
    fused = fuse(keyword, dense, len(keyword) + len(dense), rrf_k, dense_weight)
    if not keyword or keyword[0].relevance < SURE:
        return fused[:k]
    lead = (keyword[0].collection, keyword[0].chunk_id)
    first = [h for h in fused if (h.collection, h.chunk_id) == lead]
    return (first + [h for h in fused if (h.collection, h.chunk_id) != lead])[:k]
