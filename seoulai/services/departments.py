"""담당 부서 찾기: which 과/담당관 handles a matter, read from the 사무분장 of the organisation rule in the library.

The chunker gives every unit's duty paragraph ("③ 총무과장은 다음 사항을 분장한다." + items) its own chunk with
metadata {"unit", "unit_parent"}. Every unit is scored by its single best duty line against the question (so the
card can quote the one line that answers), blended with its chunk's search score.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from seoulai.auth.people import Person
from seoulai.auth.policy import Policy
from seoulai.errors import InputError, SeoulAIError
from seoulai.ingest.types import Chunk
from seoulai.retrieval.index import SearchIndex
from seoulai.retrieval.keyword import AnalyzedQuery
from seoulai.retrieval.query import analyze_query, asks_department
from seoulai.services.recording import Recorder
from seoulai.text.korean import morphs

FEATURE = "manual_search"
MAX_RESULTS = 20
# How much of a unit's score is its chunk's search score (the rest: its best duty line's match); measured on the
# department questions of the Seoul dev set: 14/14 here, 13/14 at either neighbour (benchmarks/departments.py).
SEARCH_WEIGHT = 0.25
# How much a line's precision (share of its words the question has) tempers its recall; measured likewise.
PRECISION_WEIGHT = 0.3
# A unit is an answer only when one duty line holds this share of the question's topic (idf-weighted): below
# it, "양자역학 방정식" finds "양자산업 육성" by one word. 0.3 keeps every dev question (the lowest holds 0.40) and
# turns away 5 of the benchmark's 8 off-topic questions (0.5 turns away all 8 but loses a dev question).
MIN_COVERAGE = 0.3
CARD_UNITS = 3
CARD_RATIO = 0.75  # a runner-up shown on the card scores at least three quarters of the best unit's score
_CANDIDATES = 100  # unit chunks taken from the search before the duty lines decide

# Words of the asking, not of the matter: "어느 과랑 협의해야", "어디 소관", "누구한테 물어봐야". Left in, they
# match duty lines that merely mention 업무 or 협의.
FRAME_WORDS = frozenset("부서 과 팀 담당 담당과 소관 주관 어디 어느 누구 문의 연락 연락처 묻다 물어보다 맡다 하다 업무 협의 "
                        "곳 거 시청 서울시 알다 되다 있다".split())

_ARTICLE_REF = re.compile(r"제\s*\d+\s*조(?:\s*의\s*\d+)?")
_ITEM = re.compile(r"^\s*\d{1,3}\.\s*(.+)$")


@dataclass(frozen=True)
class DepartmentMatch:
    """One unit that handles the matter: "행정국 총무과", the duty line that says so, and where it is written."""

    name: str  # "총무과"
    parent: str  # "행정국"
    duty: str  # "서울광장 사용 및 관리에 관한 사항"
    source: str  # the rule's path relative to the ingested root
    section: str  # "제2장 본청 > 제17조의5 (행정국) > 총무과"
    title: str  # "서울특별시 행정기구 설치 조례 시행규칙"
    score: float

    @property
    def label(self) -> str:
        """ "행정국 총무과" (the unit alone when it has no parent of another name)."""
        return f"{self.parent} {self.name}" if self.parent and self.parent != self.name else self.name

    @property
    def article(self) -> str:
        """The article that holds the unit's duties ("제17조의5"), for the citation."""
        match = _ARTICLE_REF.search(self.section)
        return re.sub(r"\s+", "", match.group(0)) if match else ""

    @property
    def citation(self) -> str:
        """ "서울특별시 행정기구 설치 조례 시행규칙 제17조의5" """
        return f"{self.title} {self.article}".strip()

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "parent": self.parent, "duty": self.duty, "source": self.source,
                "section": self.section}


@dataclass(frozen=True)
class _Unit:
    """One unit's duty paragraph (all pieces of it), as stored in the index, with each line's words."""

    name: str
    parent: str
    source: str
    section: str
    title: str
    lines: tuple[str, ...]
    tokens: tuple[frozenset[str], ...]  # each line's content morphemes
    compact: tuple[str, ...]  # each line without spaces, for words Kiwi cuts differently ("생활임금제")


class DepartmentService:
    def __init__(self, index: SearchIndex, policy: Policy, recorder: Recorder, max_chars: int) -> None:
        self.index = index
        self.policy = policy
        self.recorder = recorder
        self.max_chars = max_chars
        self.search_weight = SEARCH_WEIGHT
        self.precision_weight = PRECISION_WEIGHT
        self.min_coverage = MIN_COVERAGE
        self._units: dict[tuple[str, str, str], list[_Unit]] = {}  # (collection, doc, sha256) -> its units
        self._lock = threading.Lock()

    def find(self, person: Person, question: str, k: int = 5) -> list[DepartmentMatch]:
        """The units that handle the question's matter, best first, from the manuals this person may read."""
        matches = self._find(self.policy.readable_manuals(person), question, k)
        self.recorder.event(person, FEATURE, "department", sources=len(matches), query=question,
                            outcome="ok" if matches else "no_answer")
        return matches

    def for_question(self, person: Person, question: str) -> list[DepartmentMatch]:
        """The 담당 부서 card of 매뉴얼 검색: nothing unless the question asks which department handles something;
        then the best unit and up to two more that score nearly as well."""
        if not asks_department(question):
            return []
        try:
            matches = self.find(person, question, CARD_UNITS)
        except SeoulAIError:  # the card is an extra: the answer below reports a bad question itself
            return []
        if not matches:
            return []
        return [m for m in matches if m.score >= CARD_RATIO * matches[0].score]

    def suggest(self, person: Person, question: str | AnalyzedQuery) -> list[DepartmentMatch]:
        """The unit most likely responsible for a question the manuals do not answer (no usage event: the answer
        that carries it is logged)."""
        try:
            return self._find(self.policy.readable_manuals(person), question, 1)
        except SeoulAIError:
            return []

    def find_shared(self, question: str, k: int = 5) -> list[DepartmentMatch]:
        """The operator's command line: the shared manuals (every department's rules)."""
        return self._find([self.policy.shared], question, k)

    # -- ranking ---------------------------------------------------------------------------------------------
    def _find(self, collections: Sequence[str], question: str | AnalyzedQuery, k: int) -> list[DepartmentMatch]:
        """``question`` already analysed (the answer engine's, when nothing answered) is not analysed again."""
        self._check(question if isinstance(question, str) else question.raw, k)
        collections = self._existing(collections)
        documents = [(doc, units) for c in collections for doc, units in self._documents(c) if units]
        if not documents:
            return []
        analyzed = analyze_query(question) if isinstance(question, str) else question
        topic = {t: w for t, w in analyzed.content_terms().items() if t not in FRAME_WORDS}
        if not topic:
            return []
        query = AnalyzedQuery(terms={t: w for t, w in analyzed.terms.items() if t not in FRAME_WORDS},
                              grams=analyzed.grams, text=analyzed.text, named_titles=analyzed.named_titles,
                              raw=analyzed.raw)
        docs = sorted({doc for doc, _ in documents})
        searched: dict[tuple[str, str], float] = {}
        # No relevance floor: the duty lines judge relevance here, the search score only ranks.
        for hit in self.index.search(query, collections, _CANDIDATES, docs=docs, floor=False):
            if hit.metadata.get("unit"):  # a long unit comes in pieces: its best piece counts
                key = (hit.source, hit.section)
                searched[key] = max(searched.get(key, 0.0), hit.score)
        units = [unit for _, found in documents for unit in found]
        return self._rank(units, topic, searched)[:k]

    def _rank(self, units: list[_Unit], topic: dict[str, float],
              searched: dict[tuple[str, str], float]) -> list[DepartmentMatch]:
        """Every unit scored by its best duty line against the question, plus its chunk's search score."""
        idf, unseen = _idf(topic, units)
        total = sum(topic[t] * idf[t] for t in idf) or 1.0
        # The share of the whole question (a word no duty line has weighs as much as the rarest) a line must hold.
        floor = self.min_coverage * (total + sum(topic[t] * unseen for t in topic if t not in idf)) / total
        best_search = max(searched.values(), default=0.0) or 1.0
        ranked: dict[tuple[str, str], DepartmentMatch] = {}
        for unit in units:
            line, match = "", 0.0
            for text, tokens, compact in zip(unit.lines, unit.tokens, unit.compact):
                hits = [t for t in idf if _matches(t, tokens, compact)]
                recall = sum(topic[t] * idf[t] for t in hits) / total
                if not hits or recall < floor:
                    continue
                # Of two lines with the question's words, the one that is about little else says it best
                # ("인사위원회 운영 및 공무원 징계" over a long line that also names them).
                precision = len(hits) / max(len(tokens), len(hits))
                value = recall * (1.0 - self.precision_weight + self.precision_weight * precision)
                if value > match:
                    line, match = text, value
            if match <= 0.0:
                continue
            search = searched.get((unit.source, unit.section), 0.0) / best_search
            score = self.search_weight * search + (1.0 - self.search_weight) * match
            key = (unit.title, unit.section)  # the same rule in the shared and a department's library: once
            if key not in ranked or ranked[key].score < score:
                ranked[key] = DepartmentMatch(name=unit.name, parent=unit.parent, duty=line, source=unit.source,
                                              section=unit.section, title=unit.title, score=score)
        return sorted(ranked.values(), key=lambda m: -m.score)

    # -- the units, read once per document version ----------------------------------------------------------
    def _documents(self, collection: str) -> list[tuple[str, list[_Unit]]]:
        records = self.index.documents(collection)
        found: list[tuple[str, list[_Unit]]] = []
        with self._lock:  # sessions share the service; a document is read once, by whoever asks first
            current = {(collection, r.doc, r.sha256) for r in records}
            for stale in [k for k in self._units if k[0] == collection and k not in current]:
                del self._units[stale]  # replaced or removed documents
            for record in records:
                key = (collection, record.doc, record.sha256)
                if key not in self._units:
                    self._units[key] = _read_units(self.index.collection(collection).chunks_of([record.doc]))
                found.append((record.doc, self._units[key]))
        return found

    def _existing(self, collections: Iterable[str]) -> list[str]:
        present = set(self.index.collections())
        return [c for c in dict.fromkeys(collections) if c in present]

    def _check(self, question: str, k: int) -> None:
        if not question.strip():
            raise InputError("질문을 입력해 주세요. 예: 서울광장 사용은 어느 과에 문의하나요?", code="empty_query")
        if len(question) > self.max_chars:
            raise InputError(f"질문이 너무 깁니다 ({self.max_chars:,}자 이하). 핵심만 남겨 다시 입력해 주세요.",
                             code="query_too_long")
        if not 1 <= k <= MAX_RESULTS:
            raise InputError(f"결과 수(-k)는 1부터 {MAX_RESULTS} 사이로 지정하세요.", code="bad_k")


def duty_lines(text: str) -> list[str]:
    """The numbered duty items of a unit chunk, without their numbers."""
    return [m.group(1).strip() for m in map(_ITEM.match, text.split("\n")) if m]


def _read_units(chunks: Iterable[Chunk]) -> list[_Unit]:
    pieces: dict[tuple[str, str], list[Chunk]] = {}
    for chunk in chunks:
        if chunk.metadata.get("unit"):
            pieces.setdefault((chunk.source, chunk.section), []).append(chunk)
    units = []
    for (source, section), parts in pieces.items():
        lines = tuple(line for part in parts for line in duty_lines(part.text))
        if lines:
            meta = parts[0].metadata
            units.append(_Unit(name=str(meta["unit"]), parent=str(meta.get("unit_parent", "")), source=source,
                               section=section, title=parts[0].title, lines=lines,
                               tokens=tuple(_tokens(line) for line in lines),
                               compact=tuple(re.sub(r"\s+", "", line) for line in lines)))
    return units


def _tokens(line: str) -> frozenset[str]:
    # The rules join items with "ㆍ", which Unicode normalisation turns into a letter that glues words together.
    return frozenset(morphs(line.replace("ㆍ", " ")))


def _matches(term: str, tokens: frozenset[str], compact: str) -> bool:
    """A word of the question is in a line as a morpheme, or (two syllables or more) inside a longer word."""
    return term in tokens or (len(term) >= 2 and term in compact)


def _idf(topic: dict[str, float], units: Iterable[_Unit]) -> tuple[dict[str, float], float]:
    """Inverse line frequency of the question's words among all duty lines (a word no line has is left out), and
    the weight such a word would have."""
    counts = dict.fromkeys(topic, 0)
    total = 0
    for unit in units:
        for tokens, compact in zip(unit.tokens, unit.compact):
            total += 1
            for term in topic:
                if _matches(term, tokens, compact):
                    counts[term] += 1
    return {t: math.log(1.0 + total / n) for t, n in counts.items() if n}, math.log(1.0 + total)
