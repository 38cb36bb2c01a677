"""What a question returns: the :class:`Answer`, built once by :class:`AnswerBuilder` and frozen from then on.

Every layer above the engine reads an answer; none writes one. What the services add (the usage event's id,
the "찾지 못했습니다" notice that names a 담당 부서) they hand to the engine before the answer is built.

One serialiser, :meth:`Answer.to_json`, is what leaves the request: conversation history stores it, the CLI
prints it, and it is masked (personal data) on the way out; :meth:`Answer.from_json` reads it back, including
records stored before the two had one form.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from seoulai.privacy.pii import mask
from seoulai.retrieval.hits import Hit, metadata_from_json
from seoulai.retrieval.references import Reference

Status = Literal["answered", "no_evidence", "no_citation", "retrieval_only", "out_of_scope", "error"]


@dataclass(frozen=True)
class Answer:
    question: str
    status: Status
    text: str = ""
    passages: tuple[Hit, ...] = ()
    cited: tuple[int, ...] = ()  # 1-based numbers into passages
    invalid_citations: tuple[int, ...] = ()
    incomplete: bool = False
    notice: str = ""  # why there is no (complete) generated answer, in Korean
    error_code: str | None = None
    latency_ms: float = 0.0
    ttft_ms: float | None = None
    model: str = ""
    event_id: str = ""  # the usage event of this answer, for feedback
    masked: str = ""  # what personal data was masked before the model saw the question, e.g. "휴대전화번호 1건"
    searched: str = ""  # the standalone question searched for a follow-up (shown to the person)
    terms: tuple[str, ...] = ()  # the question's words (highlighted in the passages)
    missing_laws: tuple[str, ...] = ()  # laws the question names that are not indexed
    nearest: str = ""  # the collection of the closest passage, even when none counted as evidence
    nearest_title: str = ""  # ... and its document's title

    def cited_passages(self) -> list[tuple[int, Hit]]:
        return [(n, self.passages[n - 1]) for n in self.cited]

    def to_json(self) -> dict[str, Any]:
        """The answer as it leaves the request (history, CLI): everything the page shows, personal data masked."""
        passages = [_passage_json(hit) for hit in self.passages]
        return {"question": mask(self.question), "status": self.status, "answer": mask(self.text),
                "incomplete": self.incomplete, "notice": self.notice, "error_code": self.error_code,
                "event_id": self.event_id, "masked": self.masked, "searched": mask(self.searched),
                "terms": list(self.terms), "missing_laws": list(self.missing_laws), "cited": list(self.cited),
                "invalid_citations": list(self.invalid_citations),
                "citations": [{"n": n, **passages[n - 1]} for n in self.cited], "passages": passages}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Answer:
        """An answer :meth:`to_json` wrote (or history stored before: ``text`` and ``invalid`` keys)."""
        passages = tuple(Hit(source=p["source"], title=p["title"], section=p["section"], page=p.get("page"),
                             text=p["text"], score=p.get("score", 0.0), collection=p.get("collection", ""),
                             chunk_id=p.get("chunk_id", ""), effective_date=p.get("effective_date"),
                             metadata=metadata_from_json(p),  # 종류, 담당부서, 출처 … as the cards showed them
                             references=tuple(Reference(r["title"], r["section"], r.get("text", ""),
                                                        r.get("collection", ""), r.get("chunk_id", ""))
                                              for r in p.get("references", [])))
                         for p in data.get("passages", []))
        return cls(question=data["question"], status=data["status"], text=data.get("answer", data.get("text", "")),
                   passages=passages, cited=tuple(data.get("cited", ())),
                   invalid_citations=tuple(data.get("invalid_citations", data.get("invalid", ()))),
                   incomplete=bool(data.get("incomplete")), notice=data.get("notice", ""),
                   error_code=data.get("error_code"), event_id=data.get("event_id", ""),
                   masked=data.get("masked", ""), searched=data.get("searched", ""),
                   terms=tuple(data.get("terms", ())), missing_laws=tuple(data.get("missing_laws", ())))


def _passage_json(hit: Hit) -> dict[str, Any]:
    return {**hit.to_json(), "text": mask(hit.text), "chunk_id": hit.chunk_id,
            "references": [{**asdict(r), "text": mask(r.text)} for r in hit.references]}


@dataclass(frozen=True)
class AnswerEvent:
    kind: Literal["passages", "delta", "done"]
    passages: tuple[Hit, ...] = ()
    text: str = ""
    answer: Answer | None = None


@dataclass
class AnswerBuilder:
    """The one place an answer's fields are set, while the engine works; :meth:`build` freezes them."""

    question: str
    model: str
    event_id: str = ""
    masked: str = ""
    status: Status = "answered"
    text: str = ""
    passages: list[Hit] = field(default_factory=list)
    cited: list[int] = field(default_factory=list)
    invalid_citations: list[int] = field(default_factory=list)
    incomplete: bool = False
    notice: str = ""
    error_code: str | None = None
    ttft_ms: float | None = None
    searched: str = ""
    terms: list[str] = field(default_factory=list)
    missing_laws: list[str] = field(default_factory=list)
    nearest: str = ""
    nearest_title: str = ""

    def add_notice(self, text: str) -> None:
        self.notice = f"{self.notice} {text}" if self.notice else text

    def build(self, latency_ms: float) -> Answer:
        return Answer(question=self.question, status=self.status, text=self.text, passages=tuple(self.passages),
                      cited=tuple(self.cited), invalid_citations=tuple(self.invalid_citations),
                      incomplete=self.incomplete, notice=self.notice, error_code=self.error_code,
                      latency_ms=latency_ms, ttft_ms=self.ttft_ms, model=self.model, event_id=self.event_id,
                      masked=self.masked, searched=self.searched, terms=tuple(self.terms),
                      missing_laws=tuple(self.missing_laws), nearest=self.nearest,
                      nearest_title=self.nearest_title)
