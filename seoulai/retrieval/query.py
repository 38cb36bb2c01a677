"""Query analysis: petition boilerplate removed, morphemes weighted, everyday words mapped to statute
terms, law-name abbreviations expanded, explicit citations ("소방시설법 제37조") recognised."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from seoulai.retrieval.keyword import AnalyzedQuery, KeywordIndex
from seoulai.text.abbreviations import expand_abbreviations
from seoulai.text.korean import bigrams, clean_query, morphs, morphs_batch
from seoulai.text.thesaurus import legal_pairs

THESAURUS_WEIGHT = 0.5
ASK_WEIGHT = 2.0
# The sentence that asks (a long scenario ends with it): "…해지할 수 있는가?", "…인가요?", "…나요".
# Both linear: a sentence is consumed once, and each is searched once for its asking endings (one pattern
# "[^.!?]*(?:까요|…)" backtracked over the whole run for every start: minutes on a 200,000-character question).
_SENTENCE = re.compile(r"[^.!?\n]+[.!?\n]?")
_ASK_END = re.compile(r"(?:\?|까요|나요|습니까|인가요|는지요|는가)\s*[?.]?")
# Unit letters ("m" from ㎡) mean nothing alone. Numbers stay: a year picks the paragraph in prose, and idf already
# makes a number common in statutes weigh little (dropping them cost KorQuAD 0.013 Hit@1 and NTS 0.001 for one
# KoBLEX item: BENCHMARKS.md).
_NOISE = re.compile(r"[a-z]")
# Article references ("제24조") are matched as explicit citations, not as words: as words they hit every
# law's 제24조.
_ARTICLE_TOKEN = re.compile(r"제\d+조(?:의\d+)?")
_QUOTED_TITLE = re.compile(r"「([^」]{2,80})」")
# "어느 과에서 해요?", "어디 소관이에요?", "담당 부서가 어디예요?", "누구한테 물어봐야": the person wants the unit that
# handles something, which the 사무분장 of the 행정기구 설치 조례 시행규칙 names. Alternatives only, no nested
# quantifiers: linear on any input. "과" is a word of its own, bare or with a particle ("어느 과에서", "어느 과예요"),
# never the first syllable of another ("어느 과목", "담당 과정", "과태료"); "어느 학과" (a university's department)
# never matches, since "어느" must come right before "과".
_GWA = r"과(?:에서|에게|[가는를로에랑와의도만]|예요|인가|인지|일까|이죠|죠|요|야)?(?![가-힣])"
_DEPARTMENT = re.compile(
    rf"어느\s*(?:{_GWA}|부서|부처|팀|곳)|어디\s*(?:{_GWA}|부서|소관|담당)|어디\s*(?:에서|서)\s*(?:맡|담당|관리|처리|해|하)"
    rf"|담당\s*(?:부서|{_GWA}|팀|자|이에요|인가요|예요|이죠)|소관|주무\s*부서|총괄\s*(?:부서|하는\s*곳)|부서가\s*어디"
    r"|(?:누가|어디가)\s*(?:맡|담당|총괄)|(?:누구|어디)(?:한테|에게|에|로)\s*(?:물어|문의|연락|여쭤)|맡고\s*있")


def asking_sentences(text: str) -> list[str]:
    """Each sentence that asks, up to its last asking ending ("…해지할 수 있는가?", "…인가요")."""
    found = []
    for sentence in _SENTENCE.finditer(text):
        ends = [m.end() for m in _ASK_END.finditer(sentence.group(0))]
        if ends:
            found.append(sentence.group(0)[: ends[-1]])
    return found


def asks_department(text: str) -> bool:
    """Does the question ask which unit (과/담당관) handles something?"""
    return _DEPARTMENT.search(text) is not None


def department_mode(query: AnalyzedQuery, docs: Sequence[str] | None, indexes: Iterable[KeywordIndex]) -> bool:
    """Search a "어느 과에서 해요?" question on the keyword side alone (the units' 사무분장 first, no embedder)?

    Only where a 사무분장 can answer: some searched collection holds one (``has_duty``: the shared library's
    행정기구 설치 조례 시행규칙), and the search is not limited to chosen documents (``docs``: 문서 Q&A's picked
    uploads, the department service's own look-up). Elsewhere, a person's uploads above all, the same words
    ("어느 과로 재입학하나요?" in a university's 학칙) are an ordinary question and get both sides."""
    return query.department and docs is None and any(index.has_duty for index in indexes)


def _saturated(terms: dict[str, float]) -> dict[str, float]:
    return {token: 1.0 + math.log(weight) if weight >= 1.0 else weight for token, weight in terms.items()}


def analyze_query(text: str, cleanup: bool = True, expand: bool = True, saturate: bool = True,
                  ask: bool = True) -> AnalyzedQuery:
    """The flags exist for the ablation in benchmarks/retrieval.py; the product uses all four.

    ``saturate``: a word's weight grows with the log of its count (1 + ln n), so a petition that repeats
    "소방안전관리자" five times does not let that one word pick the articles alone.
    ``ask``: the words of the sentence that asks count ``ASK_WEIGHT`` times, so a long background scenario does
    not drown the question it ends with.
    """
    cleaned = (clean_query(text) or text) if cleanup else text
    terms: dict[str, float] = {}
    for token in morphs(cleaned):
        if not _NOISE.fullmatch(token) and not _ARTICLE_TOKEN.fullmatch(token):
            terms[token] = terms.get(token, 0.0) + 1.0
    titles: list[str] = []
    synonyms: dict[str, frozenset[str]] = {}
    if expand:
        pairs = legal_pairs(cleaned)
        phrases = list(dict.fromkeys(value for _, value in pairs))
        # One Kiwi call for every phrase and every everyday word found.
        analysed = dict(zip(phrases + [key for key, _ in pairs],
                            morphs_batch(phrases + [key for key, _ in pairs]))) if pairs else {}
        for phrase in phrases:
            for token in analysed[phrase]:
                terms[token] = terms.get(token, 0.0) + THESAURUS_WEIGHT
        for key, value in pairs:  # "군대" is held by a passage that says "입영" (the evidence check)
            for token in analysed[key]:
                synonyms[token] = synonyms.get(token, frozenset()) | frozenset(analysed[value])
        titles = expand_abbreviations(cleaned) + _QUOTED_TITLE.findall(cleaned)
    if saturate:
        terms = _saturated(terms)
    asks = [sentence for sentence in asking_sentences(text) if len(sentence.strip()) > 5] if ask else []
    if asks:
        extra = analyze_query(" ".join(asks), cleanup, expand, saturate, ask=False).terms
        for token, weight in extra.items():
            terms[token] = terms.get(token, 0.0) + (ASK_WEIGHT - 1.0) * weight
    return AnalyzedQuery(terms=terms, grams=bigrams(cleaned), text=cleaned, named_titles=titles, raw=text,
                         department=asks_department(cleaned), synonyms=synonyms)
