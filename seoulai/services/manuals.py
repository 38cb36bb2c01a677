"""매뉴얼 검색: cited answers over the manuals a person may read, search only, feedback."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from seoulai.answer.engine import Answer, AnswerEngine, AnswerEvent, Turn, final_answer
from seoulai.auth.people import Person
from seoulai.auth.policy import Policy
from seoulai.errors import InputError
from seoulai.limits import ModelQuota, TextLimits, bounded
from seoulai.llm import Call
from seoulai.retrieval.hits import Hit
from seoulai.retrieval.index import SearchIndex
from seoulai.retrieval.keyword import AnalyzedQuery
from seoulai.services.recording import Recorder

if TYPE_CHECKING:
    from seoulai.services.departments import DepartmentService

FEATURE = "manual_search"


class ManualService:
    def __init__(self, index: SearchIndex, answers: AnswerEngine, policy: Policy,
                 quota: ModelQuota, recorder: Recorder, departments: "DepartmentService | None" = None) -> None:
        self.index = index
        self.departments = departments
        self.answers = answers
        self.policy = policy
        self.quota = quota
        self.recorder = recorder
        self.limits = TextLimits.of(index.settings)  # the page gives the same numbers to its inputs

    def _question(self, text: str) -> str:
        """A question or follow-up, refused over its limit before PII detection, planning or analysis."""
        return bounded(text, self.limits.question, "질문", code="query_too_long")

    def scope(self, person: Person) -> dict[str, list[str]]:
        """The libraries this person's questions are searched in, and the titles of their manuals (the page shows
        them, so nobody mistakes a missing manual for a missing rule)."""
        existing = set(self.index.collections())
        return {self.policy.collection_label(c): sorted({d.title for d in self.index.documents(c)})
                for c in self.policy.readable_manuals(person) if c in existing}

    def search(self, person: Person, query: str, k: int | None = None) -> list[Hit]:
        hits = self.index.search(self._question(query), self.policy.readable(person), k)
        self.recorder.event(person, FEATURE, "search", sources=len(hits), query=query,
                            outcome="ok" if hits else "no_answer")
        return hits

    def ask(self, person: Person, question: str, history: Sequence[Turn] = (),
            use_model: bool = True) -> Iterator[AnswerEvent]:
        """Stream a grounded answer over the manuals this person may read, and log it."""
        call = Call(charge=self.quota.charger(person.pseudonym))
        for event in self.answers.ask(self._question(question), self.policy.readable(person), history, use_model, call,
                                      event_id=self.recorder.new_event_id(),
                                      nothing_found=lambda analyzed: self._nothing_found(person, analyzed)):
            if event.kind == "done" and event.answer is not None:
                owner = self.policy.collection_owner(event.answer.nearest) if event.answer.nearest else "공통"
                self.recorder.answer(person, FEATURE, event.answer, call, owner)
            yield event

    def _nothing_found(self, person: Person, question: AnalyzedQuery) -> str:
        """찾지 못했습니다: where it looked, and the unit most likely to know (from the 사무분장), never an article."""
        scope = self.scope(person)
        where = ", ".join(f"{label} {len(titles)}건" for label, titles in scope.items() if titles) or "문서함"
        notice = (f"근거를 찾지 못했습니다. 읽을 수 있는 규정·매뉴얼({where})에서 이 질문에 답하는 조문이 없습니다. "
                  "규정에 없는 내용일 수 있습니다.")
        units = self.departments.suggest(person, question) if self.departments is not None else []
        if units:
            best = units[0]
            notice += f" 담당 부서로 보이는 곳: {best.label} ({best.duty} — {best.citation}). 이 부서에 확인해 보세요."
        else:
            notice += " 다른 낱말로 다시 물어보거나 담당 부서에 확인해 보세요."
        return notice

    def feedback(self, person: Person, event_id: str, rating: int, comment: str = "") -> None:
        if rating not in (1, -1):
            raise InputError("평가는 👍 또는 👎 중 하나입니다.", code="bad_rating")
        comment = bounded(comment, self.limits.comment, "의견")
        self.recorder.event(person, FEATURE, "feedback", rating=rating, comment=comment.strip() or None,
                            ref_id=event_id)

    # -- the operator's command line: collections named explicitly ----------------------------------------
    def search_collections(self, collections: Sequence[str], query: str, k: int | None = None,
                           floor: bool = True) -> list[Hit]:
        """``floor=False`` (``search --all``) also returns the hits below the relevance floor."""
        return self.index.search(self._question(query), [self.policy.resolve(c) for c in collections], k, floor=floor)

    def answer_collections(self, operator: Person, collections: Sequence[str], question: str) -> Answer:
        self._question(question)
        names = [self.policy.resolve(c) for c in collections]
        for name in names:
            self.index.collection(name)  # validates the name (exit 2 on a bad one)
        call = Call(charge=self.quota.charger(operator.pseudonym))  # the command line is charged like a page
        final = final_answer(self.answers.ask(question, names, call=call, event_id=self.recorder.new_event_id()))
        self.recorder.answer(operator, FEATURE, final, call)
        return final
