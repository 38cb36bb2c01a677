"""What every service records: usage events (for 이용 현황) and audit events (for administrators).

Usage events go to the usage log; audit events to the state store, synchronously, before the call returns.
Both pass the PII masker on the way in: this is the log boundary.
"""

from __future__ import annotations

import uuid

from seoulai.answer.result import Answer
from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.llm import Call
from seoulai.privacy.pii import mask
from seoulai.state.stores import AuditStore
from seoulai.usage.log import UsageEvent, UsageLog


class Recorder:
    def __init__(self, settings: Settings, usage: UsageLog | None, audit: AuditStore) -> None:
        self.settings = settings
        self.usage = usage
        self.audit_store = audit

    def new_event_id(self) -> str:
        """The id an answer's usage event will have (the answer carries it for feedback); none without a log."""
        return uuid.uuid4().hex if self.usage is not None else ""

    def event(self, person: Person, feature: str, action: str, **fields: object) -> str:
        if self.usage is None:
            return ""
        if not fields.get("event_id"):
            fields.pop("event_id", None)
        if not self.settings.usage.log_queries or feature == "doc_qa":
            # A 문서 Q&A question is about the person's own upload: its text must not outlive the upload (deleted
            # on request or after 30 days), so usage keeps only that it was asked (README, 보관 기간).
            fields.pop("query", None)
        for name in ("query", "comment", "error_code"):
            if isinstance(fields.get(name), str):
                fields[name] = mask(str(fields[name]))
        event = UsageEvent(feature=feature, action=action, user_id=person.pseudonym, department=person.department,
                           role=person.role.value, **fields)  # type: ignore[arg-type]  # UsageEvent's own keywords
        return self.usage.record(event)

    def answer(self, person: Person, feature: str, answer: Answer, call: Call | None = None,
               owner: str | None = None) -> str:
        """The answer's usage event; a question nothing answered names whose manual (``owner``) and which document
        (the answer's ``nearest_title``) came closest."""
        outcome = {"answered": "ok", "retrieval_only": "ok"}.get(answer.status, "no_answer")
        if answer.error_code and answer.status != "answered":
            outcome = "error"
        saved = self.settings.usage.minutes_saved.get(feature) if outcome == "ok" else None
        return self.event(person, feature, "ask", event_id=answer.event_id, model=answer.model,
                          latency_ms=answer.latency_ms, ttft_ms=answer.ttft_ms, sources=len(answer.passages),
                          outcome=outcome, error_code=answer.error_code, query=answer.question,
                          minutes_saved=saved, tokens_in=call.tokens_in if call else None,
                          tokens_out=call.tokens_out if call else None,
                          owner=owner if outcome == "no_answer" else None,
                          rule=(answer.nearest_title or None) if outcome == "no_answer" else None)

    def audit(self, person: Person, action: str, target: str = "") -> None:
        """Who did what to which collection; file names and targets are masked like everything logged."""
        self.audit_store.append(person.pseudonym, person.department, person.role.value, action, mask(target)[:500])
