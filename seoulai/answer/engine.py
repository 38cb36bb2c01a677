"""Grounded answers: retrieve passages the person may read, ask the model to answer only from them,
check every citation, and fall back to the passages alone when there is no model, no evidence, or no
usable model output.

One pass through the pipeline: personal data detected once (the notice and the log use it), the question
planned once (a follow-up or a new topic), analysed once (search and the evidence check share it), the model
charged only when it is actually called.

``ask`` yields events so the page can stream: ``passages`` first, then ``delta`` pieces of the answer,
then exactly one ``done`` carrying the final, checked :class:`Answer`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

from seoulai.answer.citations import check_citations
from seoulai.answer.followup import Plan, is_follow_up, previous_question
from seoulai.answer.guard import OutputGuard, generate_guarded
from seoulai.answer.scope import josa, missing_laws, named_laws
from seoulai.llm import Call, ChatModel, LLMError, Message, StreamInterrupted
from seoulai.privacy.pii import detect, mask, summary
from seoulai.prompts import boundary, render
from seoulai.retrieval.hits import Hit, metadata_from_json
from seoulai.retrieval.index import SearchIndex
from seoulai.retrieval.references import Reference
from seoulai.retrieval.query import analyze_query

NO_EVIDENCE = "근거를 찾지 못했습니다"
Status = Literal["answered", "no_evidence", "no_citation", "retrieval_only", "out_of_scope", "error"]


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
    searched: str = ""  # the standalone question searched for a follow-up (shown to the person)
    terms: list[str] = field(default_factory=list)  # the question's words (highlighted in the passages)
    missing_laws: list[str] = field(default_factory=list)  # laws the question names that are not indexed
    nearest: str = ""  # the collection of the closest passage, even when none counted as evidence

    def cited_passages(self) -> list[tuple[int, Hit]]:
        return [(n, self.passages[n - 1]) for n in self.cited]

    def to_store(self) -> dict[str, object]:
        """What conversation history keeps: everything the page shows, personal data masked."""
        return {"question": self.logged_question or mask(self.question), "status": self.status,
                "text": mask(self.text), "cited": self.cited, "invalid": self.invalid_citations,
                "incomplete": self.incomplete, "notice": self.notice, "error_code": self.error_code,
                "event_id": self.event_id, "masked": self.masked, "searched": mask(self.searched),
                "terms": self.terms, "missing_laws": self.missing_laws,
                "passages": [{**h.to_json(), "text": mask(h.text), "chunk_id": h.chunk_id,
                              "references": [{**asdict(r), "text": mask(r.text)} for r in h.references]}
                             for h in self.passages]}

    @classmethod
    def from_store(cls, data: dict) -> "Answer":  # type: ignore[type-arg]
        passages = [Hit(source=p["source"], title=p["title"], section=p["section"], page=p.get("page"),
                        text=p["text"], score=p.get("score", 0.0), collection=p.get("collection", ""),
                        chunk_id=p.get("chunk_id", ""), effective_date=p.get("effective_date"),
                        metadata=metadata_from_json(p),  # 종류, 담당부서, 출처 … as the cards showed them
                        references=tuple(Reference(r["title"], r["section"], r.get("text", ""),
                                                   r.get("collection", ""), r.get("chunk_id", ""))
                                         for r in p.get("references", [])))
                    for p in data.get("passages", [])]
        return cls(question=data["question"], status=data["status"], text=data.get("text", ""), passages=passages,
                   cited=list(data.get("cited", [])), invalid_citations=list(data.get("invalid", [])),
                   incomplete=bool(data.get("incomplete")), notice=data.get("notice", ""),
                   error_code=data.get("error_code"), event_id=data.get("event_id", ""),
                   masked=data.get("masked", ""), logged_question=data["question"],
                   searched=data.get("searched", ""), terms=list(data.get("terms", [])),
                   missing_laws=list(data.get("missing_laws", [])))

    def to_json(self) -> dict[str, object]:
        return {"question": self.question, "status": self.status, "answer": self.text,
                "incomplete": self.incomplete, "notice": self.notice, "searched": self.searched,
                "missing_laws": self.missing_laws,
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
    def __init__(self, search: SearchIndex, chat: ChatModel, passages: int = 5, history_turns: int = 4,
                 privacy: str = "mask") -> None:
        self.search = search
        self.chat = chat
        self.passages = passages
        self.history_turns = history_turns
        self.privacy = privacy

    # -- planning and retrieval -----------------------------------------------------------------------------
    def plan(self, question: str, history: Sequence[Turn], use_model: bool = True, call: Call | None = None) -> Plan:
        """A new topic is searched alone; a follow-up with context (rewritten by the model when there is one)."""
        if not is_follow_up(question, history):
            return Plan(query=question)
        recent = list(history)[-self.history_turns:]
        if use_model and self.chat.configured:
            prompt = [Message("user", render("followup_rewrite.j2", history=recent, question=question,
                                             boundary=boundary()))]
            try:  # shown to the person: the one guard of every model output judges it (an echo is not used)
                verdict = generate_guarded(self.chat, prompt, call,
                                           quotable="\n".join([*(t.text for t in recent), question]))
                rewritten = [] if verdict.broken else verdict.text.strip().splitlines()
            except LLMError:
                rewritten = []
            line = rewritten[0].strip().strip('"“”') if rewritten else ""
            if 4 <= len(line) <= 300:
                return Plan(query=line, follow_up=True, rewritten=line, history=recent)
        return Plan(query=f"{previous_question(history)} {question}", follow_up=True, history=recent)

    # -- the answer -----------------------------------------------------------------------------------------------
    def ask(self, question: str, collections: Sequence[str], history: Sequence[Turn] = (),
            use_model: bool = True, call: Call | None = None,
            docs: Sequence[str] | None = None) -> Iterator[AnswerEvent]:
        """``docs`` limits the answer to some documents of the collections (문서 Q&A's chosen documents)."""
        started = time.perf_counter()
        self.search.check_question(question)  # before PII detection, planning and analysis
        findings = detect(question)
        answer = Answer(question=question, status="answered", model=self.chat.name, masked=summary(findings),
                        logged_question=mask(question, findings))
        if findings and self.privacy == "block":
            yield AnswerEvent("passages", passages=[])
            answer.status, answer.error_code = "error", "pii_blocked"
            answer.notice = (f"질문에 개인정보({answer.masked})가 있어 처리하지 않았습니다. 개인정보를 지우고 다시 "
                             "질문해 주세요.")
            yield self._done(answer, started)
            return
        plan = self.plan(question, history, use_model, call)
        analyzed = analyze_query(plan.query)
        answer.searched, answer.terms = plan.rewritten, list(analyzed.content_terms())
        named = named_laws(plan.query)
        answer.missing_laws = missing_laws(named, self.search.titles(collections)) if named else []
        if named and len(answer.missing_laws) == len(named):
            yield AnswerEvent("passages", passages=[])
            answer.status = "out_of_scope"
            answer.notice = _missing_notice(answer.missing_laws)
            yield self._done(answer, started)
            return
        hits = self.search.search(analyzed, collections, self.passages, docs, floor=False)
        answer.nearest = hits[0].collection if hits else ""
        answer.passages = self.search.evidence(plan.query, hits, self.passages)
        yield AnswerEvent("passages", passages=answer.passages)
        if not answer.passages:
            answer.status, answer.notice = "no_evidence", _nothing_found()
        elif not use_model or not self.chat.configured:
            answer.status = "retrieval_only"
            answer.notice = ("검색만 보기입니다." if not use_model else
                             "언어 모델이 연결되지 않아 답변을 만들 수 없습니다. 아래 근거 문단을 확인하세요.")
        else:
            yield from self._generate(answer, question, plan, started, call)
        if answer.missing_laws and answer.status != "out_of_scope":
            answer.notice = (answer.notice + " " if answer.notice else "") + _missing_notice(answer.missing_laws)
        yield self._done(answer, started)

    def _generate(self, answer: Answer, question: str, plan: Plan, started: float,
                  call: Call | None) -> Iterator[AnswerEvent]:
        messages = self.messages(question, answer.passages, plan.history)
        guard = OutputGuard(messages[0].content + "\n" + messages[1].content,
                            "\n".join(f"{p.title}\n{p.section}\n{p.text}" for p in answer.passages))
        received = ""
        stopped: str | None = None
        stream = self.chat.stream(messages, call)
        try:
            for delta in stream:
                if answer.ttft_ms is None:
                    answer.ttft_ms = (time.perf_counter() - started) * 1000
                received += delta
                yield AnswerEvent("delta", text=delta)
                stopped = guard.check_stream(received)
                if stopped:
                    break
        except StreamInterrupted as error:
            answer.incomplete = True
            answer.notice, answer.error_code = error.message, error.code
        except LLMError as error:
            answer.status, answer.notice, answer.error_code = "retrieval_only", error.message, error.code
            return
        finally:
            stream.close()  # an early stop closes the model's stream too
        verdict = guard.verdict(received, stopped)
        check = check_citations(verdict.text, len(answer.passages))
        answer.text, answer.cited, answer.invalid_citations = check.text, check.cited, check.invalid
        if verdict.broken:
            answer.incomplete = True
            answer.error_code = answer.error_code or ("model_loop" if verdict.looped else "model_echo")
            answer.notice = ("모델이 같은 내용을 되풀이해 생성을 멈췄습니다." if verdict.looped else
                             "모델이 답변 대신 지시문을 옮겨 적었습니다.") + " 아래 근거 문단을 직접 확인하세요."
        if not check.grounded:
            answer.status = "no_citation"
            answer.notice = answer.notice or (f"{NO_EVIDENCE}. 생성된 답변에 유효한 근거 표시가 없어 가장 가까운 문단만 "
                                              "보여 드립니다.")

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


def _nothing_found() -> str:
    """What a person reads when no passage reaches the relevance floor (no article is shown as evidence)."""
    return (f"{NO_EVIDENCE}. 읽을 수 있는 문서함의 규정·매뉴얼에서 이 질문에 답하는 조문을 찾지 못했습니다. 규정에 없는 "
            "내용일 수 있으니 담당 부서에 확인하거나, 다른 낱말로 다시 물어보세요.")


def _missing_notice(titles: list[str]) -> str:
    names = ", ".join(f"「{t}」" for t in titles)
    return (f"문서함에 {names}{josa(titles[-1], '이', '가')} 없습니다. 필요하면 매뉴얼 관리에서 올리거나 부서 관리자에게 "
            "등록을 요청하세요.")
