"""Conversation history: each person's conversations (매뉴얼 검색, 문서 Q&A) kept server-side, listed, reopened,
renamed and deleted. Stored masked like every log, and swept after ``history.retention_days``."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from seoulai.answer.engine import Answer, Turn
from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.errors import InputError
from seoulai.privacy.pii import mask
from seoulai.services.recording import Recorder
from seoulai.state.stores import RecordStore

KINDS = {"manual": "매뉴얼 검색", "documents": "문서 Q&A"}
TITLE_CHARS = 40


@dataclass
class Conversation:
    id: str
    kind: str
    title: str
    updated_at: float
    answers: list[Answer] = field(default_factory=list)

    def history(self) -> list[Turn]:
        """The turns as the next question sees them."""
        turns: list[Turn] = []
        for answer in self.answers:
            turns.append(Turn("user", answer.logged_question or answer.question))
            if answer.text:
                turns.append(Turn("assistant", answer.text))
        return turns


class ConversationService:
    def __init__(self, settings: Settings, store: RecordStore, recorder: Recorder) -> None:
        self.settings = settings
        self.store = store
        self.recorder = recorder
        self._last_expiry = -1e9

    def list(self, person: Person, kind: str | None = None, limit: int = 30) -> list[Conversation]:
        self.expire()
        return [Conversation(r.id, r.kind, r.title, r.updated_at) for r in self.store.list(person.pseudonym, limit * 2)
                if kind is None or r.kind == kind][:limit]

    def open(self, person: Person, conversation_id: str) -> Conversation | None:
        record = self.store.get(person.pseudonym, conversation_id)
        if record is None:
            return None
        return Conversation(record.id, record.kind, record.title, record.updated_at,
                            [Answer.from_store(turn) for turn in record.body])

    def add(self, person: Person, kind: str, conversation_id: str | None, answer: Answer) -> str:
        """Append one answered question; a new conversation is titled by its first question."""
        if kind not in KINDS:
            raise InputError(f"알 수 없는 대화 종류입니다: {kind}", code="bad_kind")
        current = self.open(person, conversation_id) if conversation_id else None
        turns = [a.to_store() for a in current.answers] if current else []
        turns.append(answer.to_store())
        record_id = current.id if current else uuid.uuid4().hex
        title = current.title if current else _title(answer.logged_question or answer.question)
        self.store.put(person.pseudonym, record_id, kind, title, turns)
        return record_id

    def rename(self, person: Person, conversation_id: str, title: str) -> None:
        title = mask(" ".join(title.split()))[:80]
        if not title:
            raise InputError("대화 이름을 입력해 주세요.", code="empty_title")
        if not self.store.rename(person.pseudonym, conversation_id, title):
            raise InputError("대화를 찾을 수 없습니다. 목록을 새로 고쳐 주세요.", code="not_found")

    def delete(self, person: Person, conversation_id: str) -> None:
        if self.store.delete(person.pseudonym, conversation_id):
            self.recorder.audit(person, "conversation_delete", conversation_id)

    def expire(self, now: float | None = None) -> int:
        """Forget conversations older than the retention period (at most every ``uploads.expiry_interval``)."""
        if now is None:
            if time.monotonic() - self._last_expiry < self.settings.uploads.expiry_interval:
                return 0
            self._last_expiry = time.monotonic()
        return self.store.expire((now or time.time()) - self.settings.history.retention_days * 86400)


def _title(question: str) -> str:
    text = " ".join(question.split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1] + "…"
