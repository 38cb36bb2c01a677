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
from collections.abc import Callable, Iterator, Sequence

from seoulai.answer.citations import check_citations
from seoulai.answer.followup import Plan, Turn, is_follow_up, previous_question
from seoulai.answer.guard import OutputGuard, generate_guarded
from seoulai.answer.result import Answer, AnswerBuilder, AnswerEvent, Status
from seoulai.answer.scope import josa, missing_laws, named_laws
from seoulai.llm import Call, ChatModel, LLMError, Message, StreamInterrupted
from seoulai.privacy.pii import detect, summary
from seoulai.prompts import boundary, render
from seoulai.retrieval.hits import Hit
from seoulai.retrieval.index import SearchIndex
from seoulai.retrieval.keyword import AnalyzedQuery
from seoulai.retrieval.query import analyze_query

__all__ = ["NO_EVIDENCE", "Answer", "AnswerEngine", "AnswerEvent", "Status", "Turn", "final_answer"]

NO_EVIDENCE = "근거를 찾지 못했습니다"
# What the caller says when nothing answers (매뉴얼 검색 names the likely 담당 부서): given the analysed question.
NothingFound = Callable[[AnalyzedQuery], str]


class AnswerEngine:
    def __init__(self, search: SearchIndex, chat: ChatModel, passages: int = 5, history_turns: int = 4,
                 privacy: str = "mask") -> None:
        self.search = search
        self.chat = chat
        self.passages = passages
        self.history_turns = history_turns
        self.privacy = privacy

    # -- planning and retrieval -----------------------------------------------------------------------------
    def plan(self, question: str, history: Sequence[Turn], use_model: bool = True, call: Call | None = None,
             analyzed: AnalyzedQuery | None = None) -> Plan:
        """A new topic is searched alone; a follow-up with context (rewritten by the model when there is one).
        ``analyzed``: the question's analysis, when the caller has it; a rewritten query is analysed once."""
        analyzed = analyzed or analyze_query(question)
        if not is_follow_up(question, history, analyzed):
            return Plan(query=question, analyzed=analyzed)
        recent = list(history)[-self.history_turns:]
        if use_model and self.chat.configured:
            prompt = [Message("user", render("followup_rewrite.j2", history=recent, question=question,
                                             boundary=boundary()))]
            try:  # shown to the person: the one guard of every model output judges it (an echo is not used)
                verdict = generate_guarded(self.chat, prompt, call, quotable=_said(recent, question))
                rewritten = [] if verdict.broken else verdict.text.strip().splitlines()
            except LLMError:
                rewritten = []
            line = rewritten[0].strip().strip('"“”') if rewritten else ""
            if 4 <= len(line) <= 300:
                return Plan(query=line, analyzed=analyze_query(line), follow_up=True, rewritten=line, history=recent)
        query = f"{previous_question(history)} {question}"
        return Plan(query=query, analyzed=analyze_query(query), follow_up=True, history=recent)

    # -- the answer -----------------------------------------------------------------------------------------------
    def ask(self, question: str, collections: Sequence[str], history: Sequence[Turn] = (),
            use_model: bool = True, call: Call | None = None, docs: Sequence[str] | None = None,
            event_id: str = "", nothing_found: NothingFound | None = None) -> Iterator[AnswerEvent]:
        """``docs`` limits the answer to some documents of the collections (문서 Q&A's chosen documents);
        ``event_id`` is the usage event the caller will record it under (feedback refers to it);
        ``nothing_found`` writes the notice when no passage counts as evidence."""
        started = time.perf_counter()
        self.search.check_question(question)  # before PII detection, planning and analysis
        findings = detect(question)
        answer = AnswerBuilder(question, self.chat.name, event_id=event_id, masked=summary(findings))
        if findings and self.privacy == "block":
            yield AnswerEvent("passages")
            answer.status, answer.error_code = "error", "pii_blocked"
            answer.notice = (f"질문에 개인정보({answer.masked})가 있어 처리하지 않았습니다. 개인정보를 지우고 다시 "
                             "질문해 주세요.")
            yield self._done(answer, started)
            return
        plan = self.plan(question, history, use_model, call)
        answer.searched, answer.terms = plan.rewritten, list(plan.analyzed.content_terms())
        named = named_laws(plan.query)
        answer.missing_laws = missing_laws(named, self.search.titles(collections)) if named else []
        if named and len(answer.missing_laws) == len(named):
            yield AnswerEvent("passages")
            answer.status = "out_of_scope"
            answer.notice = _missing_notice(answer.missing_laws)
            yield self._done(answer, started)
            return
        hits = self.search.search(plan.analyzed, collections, self.passages, docs, floor=False)
        answer.nearest = hits[0].collection if hits else ""
        answer.nearest_title = hits[0].title if hits else ""
        answer.passages = self.search.evidence(plan.query, hits, self.passages)
        yield AnswerEvent("passages", passages=tuple(answer.passages))
        if not answer.passages:
            answer.status = "no_evidence"
            answer.notice = nothing_found(plan.analyzed) if nothing_found else _nothing_found()
        elif not use_model or not self.chat.configured:
            answer.status = "retrieval_only"
            answer.notice = ("검색만 보기입니다." if not use_model else
                             "언어 모델이 연결되지 않아 답변을 만들 수 없습니다. 아래 근거 문단을 확인하세요.")
        else:
            yield from self._generate(answer, question, plan, started, call)
        if answer.missing_laws and answer.status != "out_of_scope":
            answer.add_notice(_missing_notice(answer.missing_laws))
        yield self._done(answer, started)

    def _generate(self, answer: AnswerBuilder, question: str, plan: Plan, started: float,
                  call: Call | None) -> Iterator[AnswerEvent]:
        messages = self.messages(question, answer.passages, plan.history)
        passages = "\n".join(f"{p.title}\n{p.section}\n{p.text}" for p in answer.passages)
        guard = OutputGuard(messages[0].content + "\n" + messages[1].content,
                            passages + "\n" + _said(plan.history, question))
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
    def _done(answer: AnswerBuilder, started: float) -> AnswerEvent:
        return AnswerEvent("done", answer=answer.build((time.perf_counter() - started) * 1000))

    def answer(self, question: str, collections: Sequence[str], history: Sequence[Turn] = (),
               call: Call | None = None, event_id: str = "") -> Answer:
        """The whole answer at once (CLI)."""
        return final_answer(self.ask(question, collections, history, call=call, event_id=event_id))


def final_answer(events: Iterator[AnswerEvent]) -> Answer:
    """The answer an event stream ends with (the stream is run to its end)."""
    final: Answer | None = None
    for event in events:
        if event.kind == "done":
            final = event.answer
    if final is None:  # ask always ends with one "done": a stream without one is a programming error
        raise RuntimeError("answer stream ended without a final answer")
    return final


def _said(history: Sequence[Turn], question: str) -> str:
    """The conversation's own text, as every prompt that carries it may be echoed: the turns the person saw (an
    earlier answer repeated in the next one is not an echo of instructions) and the question."""
    return "\n".join([*(t.text for t in history), question])


def _nothing_found() -> str:
    """What a person reads when no passage reaches the relevance floor (no article is shown as evidence)."""
    return (f"{NO_EVIDENCE}. 읽을 수 있는 문서함의 규정·매뉴얼에서 이 질문에 답하는 조문을 찾지 못했습니다. 규정에 없는 "
            "내용일 수 있으니 담당 부서에 확인하거나, 다른 낱말로 다시 물어보세요.")


def _missing_notice(titles: list[str]) -> str:
    names = ", ".join(f"「{t}」" for t in titles)
    return (f"문서함에 {names}{josa(titles[-1], '이', '가')} 없습니다. 필요하면 매뉴얼 관리에서 올리거나 부서 관리자에게 "
            "등록을 요청하세요.")
