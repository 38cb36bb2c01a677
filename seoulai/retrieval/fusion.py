"""Fusing the keyword and dense rankings."""

from __future__ import annotations

from seoulai.retrieval.hits import Hit


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
