"""The relevance floor: below it a passage is not evidence, and a question nothing answers gets "찾지 못했습니다"
instead of unrelated articles.

A passage's relevance is the larger of two independent readings of "does it hold what was asked":
- lexical: the share of the question's topic words (light words and asking words left out) the passage holds in
  its analysed words, its text as written, or its title and heading path, each word weighted by its rarity in the library (IDF), so a
  passage that shares only "서울시", "공무원" with the question does not count;
- semantic (when the dense side ran): the embedder's cosine between question and passage, rescaled so that the
  cosine an embedder gives unrelated text maps to 0 and a close paraphrase to 1 (``COSINE_RANGE``).
Both are in [0, 1]; the floor (``SEOULAI_RETRIEVAL__RELEVANCE_FLOOR``) was calibrated on the Seoul dev refusals
(BENCHMARKS.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from seoulai.retrieval.hits import Hit
from seoulai.retrieval.keyword import AnalyzedQuery

# multilingual-e5-small: unrelated Korean passages score below about 0.82, the passage that answers 0.82-0.92.
COSINE_RANGE = (0.82, 0.92)
TERMS_SEEN = 8


def lexical(analyzed: AnalyzedQuery, hit: Hit, idf: Mapping[str, float], unknown: frozenset[str] = frozenset()) -> float:
    terms = analyzed.content_terms()
    if not terms:
        return 0.0
    heading = f"{hit.title} {hit.section}"
    weights = {term: weight * idf.get(term, 0.0) for term, weight in terms.items()
               if not (term in unknown and term.endswith("다"))}
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    share = sum(w for term, w in weights.items() if _holds(hit, heading, term) or any(
        _holds(hit, heading, synonym) for synonym in analyzed.synonyms.get(term, ()))) / total
    # A long scenario (a petition, a legal case) names many words no single article holds: past TERMS_SEEN topic
    # words, the share counts as if the question had only that many.
    return min(1.0, share * max(1.0, len(weights) / TERMS_SEEN))


def _holds(hit: Hit, heading: str, term: str) -> bool:
    # A compound the question's analysis kept whole ("신버전문구") is split in the passage's words: as written, it is
    # still there. One-syllable words only count as analysed words ("날" is in every "날짜").
    return term in hit.terms or term in heading or (len(term) > 1 and term in hit.text)


# A question that asks for an amount ("얼마", "몇 퍼센트", "몇 살", "며칠") is answered only by a passage that states
# one of that kind: passages on the same topic without any amount are not its evidence ("육아휴직 수당이 얼마" and
# an article that only allows 육아휴직). (what is asked, what a passage that answers it holds); linear patterns.
_AMOUNTS = [(re.compile(asks), re.compile(holds)) for asks, holds in (
    (r"몇\s*(?:퍼센트|%|프로)", r"\d\s*(?:%|퍼센트)|\d\s*분의\s*\d"),
    (r"몇\s*(?:살|세)|나이가\s*몇", r"\d\s*(?:세|살)|정년"),
    (r"몇\s*명", r"\d\s*(?:명|인)"),
    (r"며칠|몇\s*일", r"\d\s*(?:일|주|개월)|기간|날"),
    (r"몇\s*(?:년|개월|달)", r"\d\s*(?:년|개월|월)|기간|임기"),
    (r"몇\s*시간", r"\d\s*(?:시간|시)"),
    (r"얼마(?!나)|금액|액수|몇\s*원", r"\d\s*(?:원|만원|천원|억)|금액|별표|\d\s*%|분의"),
)]


def states_what_is_asked(question: str, hits: Sequence[Hit]) -> bool:
    """False when the question asks for an amount and no passage states one of that kind."""
    kinds = [holds for asks, holds in _AMOUNTS if asks.search(question)]
    return not kinds or any(holds.search(hit.text) for hit in hits for holds in kinds)


def semantic(cosine: float | None) -> float:
    if cosine is None:
        return 0.0
    low, high = COSINE_RANGE
    return min(max((cosine - low) / (high - low), 0.0), 1.0)


def relevance(analyzed: AnalyzedQuery, hit: Hit, idf: Mapping[str, float], cosine: float | None,
              unknown: frozenset[str] = frozenset()) -> float:
    return max(lexical(analyzed, hit, idf, unknown), semantic(cosine))
