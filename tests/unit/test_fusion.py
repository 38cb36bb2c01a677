"""The product's fusion of the keyword and dense rankings (seoulai/retrieval/fusion.py): plain RRF lost to the
keyword side alone where a passage holds every word of the question (KoBLEX Recall@5, KorQuAD Hit@1, BENCHMARKS.md);
a sure keyword lead now stays first, and everything else is fused as before."""

from __future__ import annotations

from seoulai.retrieval.fusion import SURE, fuse, hybrid
from seoulai.retrieval.hits import Hit


def _hit(name: str, relevance: float = 0.0) -> Hit:
    return Hit(source=f"{name}.md", title=name, section="", page=None, text=name, score=1.0, collection="공통",
               chunk_id=name, relevance=relevance)


def _ids(hits: list[Hit]) -> list[str]:
    return [h.chunk_id for h in hits]


# The dense side agrees on B and C, so plain RRF puts them above the keyword side's first passage A.
DENSE = [_hit("B"), _hit("C"), _hit("D")]


def test_a_keyword_lead_holding_every_word_stays_first() -> None:
    keyword = [_hit("A", relevance=SURE), _hit("B", 0.6), _hit("C", 0.5)]
    assert _ids(fuse(keyword, DENSE, 4, 30, 1.0))[0] != "A"  # what plain fusion did
    assert _ids(hybrid(keyword, DENSE, 4, 30, 1.0)) == ["A", *[i for i in _ids(fuse(keyword, DENSE, 4, 30, 1.0))
                                                            if i != "A"]][:4]


def test_an_unsure_lead_is_fused_as_before() -> None:
    keyword = [_hit("A", relevance=0.7), _hit("B", 0.6), _hit("C", 0.5)]
    assert _ids(hybrid(keyword, DENSE, 4, 30, 1.0)) == _ids(fuse(keyword, DENSE, 4, 30, 1.0))


def test_without_a_dense_side_the_keyword_ranking_is_kept() -> None:
    keyword = [_hit("A", relevance=SURE), _hit("B")]
    assert _ids(hybrid(keyword, [], 1, 30, 0.5)) == ["A"]
    assert hybrid([], DENSE, 2, 30, 0.5) == fuse([], DENSE, 2, 30, 0.5)


def test_the_lead_keeps_its_fused_score() -> None:
    keyword = [_hit("A", relevance=SURE), _hit("B", 0.6)]
    lead = hybrid(keyword, DENSE, 3, 30, 1.0)[0]
    assert lead.chunk_id == "A" and lead.score == 1.0 / 31  # the RRF sum, not the keyword side's own score
