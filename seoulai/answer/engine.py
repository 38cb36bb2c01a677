"""Grounded answers: retrieve passages the person may read, ask the model to answer only from them,
check every citation, and fall back to the passages alone when there is no model or no evidence.

``ask`` yields events so the page can stream: ``passages`` first, then ``delta`` pieces of the answer,
then exactly one ``done`` carrying the final, checked :class:`Answer`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from seoulai.answer.citations import check_citations
from seoulai.prompts import boundary, render
from seoulai.llm import Call, ChatModel, LLMError, Message, StreamInterrupted
from seoulai.privacy.pii import detect, mask, summary
from seoulai.retrieval.query import analyze_query
from seoulai.retrieval.hits import Hit
from seoulai.retrieval.index import SearchIndex
from seoulai.text.korean import morphs

NO_EVIDENCE = "근거를 찾지 못했습니다"
Status = Literal["answered", "no_evidence", "no_citation", "retrieval_only", "error"]


@dataclass
class Turn:
    role: Literal["user", "assistant"]
    text: str

    @property
    def role_label(self) -> str:
        return "질문" if self.role == "user" else "답변"


@dataclass
class Answer:
    question: str
    status: Status
    text: str = ""
    passages: list[Hit] = field(default_factory=list)
    cited: list[int] = field(default_factory=list)  # 1-based numbers into passages
    invalid_citations: list[int] = field(default_factory=list)
    incomplete: bool = False
    notice: str = ""  # why there is no (complete) generated answer, in Korean
    error_code: str | None = None
    latency_ms: float = 0.0
    ttft_ms: float | None = None
    model: str = ""
    event_id: str = ""  # the usage event of this answer, for feedback
    masked: str = ""  # what personal data was masked before the model saw the question, e.g. "휴대전화번호 1건"
    logged_question: str = ""  # the question as it may be logged (masked)

    def cited_passages(self) -> list[tuple[int, Hit]]:
        return [(n, self.passages[n - 1]) for n in self.cited]

    def to_json(self) -> dict[str, object]:
        return {"question": self.question, "status": self.status, "answer": self.text,
                "incomplete": self.incomplete, "notice": self.notice,
                "citations": [{"n": n, **hit.to_json()} for n, hit in self.cited_passages()],
                "invalid_citations": self.invalid_citations,
                "passages": [hit.to_json() for hit in self.passages]}


@dataclass
class AnswerEvent:
    kind: Literal["passages", "delta", "done"]
    passages: list[Hit] = field(default_factory=list)
    text: str = ""
    answer: Answer | None = None


class AnswerEngine:
    def __init__(self, search: SearchIndex, chat: ChatModel, passages: int = 5, min_coverage: float = 0.34,
                 history_turns: int = 4, privacy: str = "mask") -> None:
        self.search = search
        self.chat = chat
        self.passages = passages
        self.min_coverage = min_coverage
        self.history_turns = history_turns
        self.privacy = privacy

    def retrieve(self, question: str, collections: Sequence[str], history: Sequence[Turn] = ()) -> list[Hit]:
        """Passages for the question; a follow-up also searches with the previous question's words."""
        previous = [t.text for t in history if t.role == "user"][-1:]
        query = " ".join(previous + [question])
        hits = self.search.search(query, collections, self.passages)
        return [h for h in hits if coverage(question if not previous else query, h) >= self.min_coverage] or []

    def ask(self, question: str, collections: Sequence[str], history: Sequence[Turn] = (),
            use_model: bool = True, call: Call | None = None) -> Iterator[AnswerEvent]:
        started = time.perf_counter()
        findings = detect(question)
        if findings and self.privacy == "block":
            yield AnswerEvent("passages", passages=[])
            answer = Answer(question=question, status="error", error_code="pii_blocked", logged_question=mask(question),
                            notice=f"질문에 개인정보({summary(findings)})가 있어 처리하지 않았습니다. 개인정보를 지우고 "
                                   "다시 질문해 주세요.", masked=summary(findings))
            yield self._done(answer, started)
            return
        passages = self.retrieve(question, collections, history)
        yield AnswerEvent("passages", passages=passages)
        answer = Answer(question=question, status="answered", passages=passages, model=self.chat.name,
                        masked=summary(findings), logged_question=mask(question, findings))
        if not passages:
            answer.status, answer.notice = "no_evidence", f"{NO_EVIDENCE}. 질문을 바꾸거나 다른 낱말로 검색해 보세요."
            yield self._done(answer, started)
            return
        if not use_model or not self.chat.configured:
            answer.status = "retrieval_only"
            answer.notice = ("검색만 보기입니다." if not use_model else
                             "언어 모델이 연결되지 않아 답변을 만들 수 없습니다. 아래 근거 문단을 확인하세요.")
            yield self._done(answer, started)
            return
        messages = self.messages(question, passages, history)
        received: list[str] = []
        try:
            for delta in self.chat.stream(messages, call):
                if answer.ttft_ms is None:
                    answer.ttft_ms = (time.perf_counter() - started) * 1000
                received.append(delta)
                yield AnswerEvent("delta", text=delta)
        except StreamInterrupted as error:
            answer.incomplete = True
            answer.notice, answer.error_code = error.message, error.code
        except LLMError as error:
            answer.status, answer.notice, answer.error_code = "retrieval_only", error.message, error.code
            yield self._done(answer, started)
            return
        check = check_citations("".join(received), len(passages))
        answer.text, answer.cited, answer.invalid_citations = check.text, check.cited, check.invalid
        if not check.grounded:
            answer.status = "no_citation"
            answer.notice = f"{NO_EVIDENCE}. 생성된 답변에 유효한 근거 표시가 없어 가장 가까운 문단만 보여 드립니다."
        elif answer.incomplete:
            answer.status = "answered"
        yield self._done(answer, started)

    def messages(self, question: str, passages: Sequence[Hit], history: Sequence[Turn]) -> list[Message]:
        """The prompt (personal data is masked by the chat gateway, for every message at once)."""
        recent = list(history)[-self.history_turns:]
        shown = [{"title": p.title, "section": p.section, "page": p.page, "text": p.text} for p in passages]
        marker = boundary()
        system = render("answer_system.j2", passage_count=len(passages), boundary=marker)
        user = render("answer_user.j2", question=question, passages=shown, history=recent, boundary=marker)
        return [Message("system", system), Message("user", user)]

    @staticmethod
    def _done(answer: Answer, started: float) -> AnswerEvent:
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return AnswerEvent("done", answer=answer)

    def answer(self, question: str, collections: Sequence[str], history: Sequence[Turn] = ()) -> Answer:
        """The whole answer at once (CLI)."""
        final: Answer | None = None
        for event in self.ask(question, collections, history):
            if event.kind == "done":
                final = event.answer
        assert final is not None
        return final


def coverage(question: str, hit: Hit) -> float:
    """Share of the question's content words (by weight) that the passage contains."""
    terms = analyze_query(question).terms
    if not terms:
        return 0.0
    present = set(morphs(f"{hit.title} {hit.section} {hit.text}"))
    total = sum(terms.values())
    return sum(w for t, w in terms.items() if t in present) / total
