"""매뉴얼 검색: cited answers over the manuals a person may read, search only, feedback."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from seoulai.answer.engine import Answer, AnswerEngine, AnswerEvent, Turn
from seoulai.auth.people import Person
from seoulai.auth.policy import Policy
from seoulai.errors import InputError
from seoulai.limits import ModelQuota
from seoulai.llm import Call, ChatModel
from seoulai.privacy.pii import mask
from seoulai.retrieval.hits import Hit
from seoulai.retrieval.index import SearchIndex
from seoulai.services.recording import Recorder

FEATURE = "manual_search"


class ManualService:
    def __init__(self, index: SearchIndex, answers: AnswerEngine, chat: ChatModel, policy: Policy,
                 quota: ModelQuota, recorder: Recorder) -> None:
        self.index = index
        self.answers = answers
        self.chat = chat
        self.policy = policy
        self.quota = quota
        self.recorder = recorder

    def scope(self, person: Person) -> dict[str, list[str]]:
        """The libraries this person's questions are searched in, and the titles of their manuals (the page shows
        them, so nobody mistakes a missing manual for a missing rule)."""
        existing = set(self.index.collections())
        return {self.policy.collection_label(c): sorted({d.title for d in self.index.documents(c)})
                for c in self.policy.readable_manuals(person) if c in existing}

    def search(self, person: Person, query: str, k: int | None = None) -> list[Hit]:
        hits = self.index.search(query, self.policy.readable(person), k)
        self.recorder.event(person, FEATURE, "search", sources=len(hits), query=mask(query),
                            outcome="ok" if hits else "no_answer")
        return hits

    def ask(self, person: Person, question: str, history: Sequence[Turn] = (),
            use_model: bool = True) -> Iterator[AnswerEvent]:
        """Stream a grounded answer over the manuals this person may read, and log it."""
        call = Call(charge=lambda: self.quota.take(person.pseudonym))
        for event in self.answers.ask(question, self.policy.readable(person), history, use_model, call):
            if event.kind == "done" and event.answer is not None:
                owner = self.policy.collection_owner(event.answer.nearest) if event.answer.nearest else "공통"
                self.recorder.answer(person, FEATURE, event.answer, call, owner)
            yield event

    def feedback(self, person: Person, event_id: str, rating: int, comment: str = "") -> None:
        if rating not in (1, -1):
            raise InputError("평가는 👍 또는 👎 중 하나입니다.", code="bad_rating")
        self.recorder.event(person, FEATURE, "feedback", rating=rating, comment=comment.strip()[:1000] or None,
                            ref_id=event_id)

    # -- the operator's command line: collections named explicitly ----------------------------------------
    def search_collections(self, collections: Sequence[str], query: str, k: int | None = None) -> list[Hit]:
        return self.index.search(query, [self.policy.resolve(c) for c in collections], k)

    def answer_collections(self, operator: Person, collections: Sequence[str], question: str) -> Answer:
        names = [self.policy.resolve(c) for c in collections]
        for name in names:
            self.index.collection(name)  # validates the name (exit 2 on a bad one)
        final: Answer | None = None
        for event in self.answers.ask(question, names):
            if event.kind == "done":
                final = event.answer
        assert final is not None
        self.recorder.answer(operator, FEATURE, final)
        return final
