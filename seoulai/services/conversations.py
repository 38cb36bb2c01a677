"""Conversation history: each person's conversations (매뉴얼 검색, 문서 Q&A) kept server-side, listed, reopened,
renamed and deleted. Stored masked like every log, and swept after ``history.retention_days``.

A conversation never outlives an upload it quotes: when a person's upload is deleted or expires, every
conversation of theirs that cites a passage of it (or shows one as a referenced article) is deleted with it,
whole, since its questions and answers retell what the passage said. Every deletion then scrubs the state
store's files (SQLite: zeroed pages, emptied WAL)."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from seoulai.answer.result import Answer
from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.errors import InputError
from seoulai.limits import LIMITS, bounded
from seoulai.privacy.pii import mask
from seoulai.services.recording import Recorder
from seoulai.state.turns import ConversationStore

log = logging.getLogger(__name__)
KINDS = {"manual": "매뉴얼 검색", "documents": "문서 Q&A"}
TITLE_CHARS = 40


@dataclass(frozen=True)
class Conversation:
    id: str
    kind: str
    title: str
    updated_at: float
    answers: list[Answer] = field(default_factory=list)


class ConversationService:
    def __init__(self, settings: Settings, store: ConversationStore, recorder: Recorder) -> None:
        self.settings = settings
        self.store = store
        self.recorder = recorder

    def list(self, person: Person, kind: str | None = None, limit: int = 30) -> list[Conversation]:
        """The person's conversations, newest first. Only reads: retention is the schedule's (``expire``)."""
        return [Conversation(r.id, r.kind, r.title, r.updated_at) for r in self.store.list(person.pseudonym, limit * 2)
                if kind is None or r.kind == kind][:limit]

    def open(self, person: Person, conversation_id: str) -> Conversation | None:
        record = self.store.get(person.pseudonym, conversation_id)
        if record is None:
            return None
        return Conversation(record.id, record.kind, record.title, record.updated_at,
                            [Answer.from_json(turn) for turn in record.body])

    def add(self, person: Person, kind: str, conversation_id: str | None, answer: Answer) -> str:
        """Append one answered question (only that turn is written); a new conversation is titled by its first
        question. An id the person does not own, or no id, starts a new conversation."""
        if kind not in KINDS:
            raise InputError(f"알 수 없는 대화 종류입니다: {kind}", code="bad_kind")
        current = self.store.head(person.pseudonym, conversation_id) if conversation_id else None
        turn = answer.to_json()  # masked: the store boundary
        record_id = current.id if current else uuid.uuid4().hex
        title = current.title if current else _title(turn["question"])
        self.store.append(person.pseudonym, record_id, kind, title, turn)
        return record_id

    def rename(self, person: Person, conversation_id: str, title: str) -> None:
        title = mask(" ".join(bounded(title, LIMITS.title, "대화 이름").split()))
        if not title:
            raise InputError("대화 이름을 입력해 주세요.", code="empty_title")
        if not self.store.rename(person.pseudonym, conversation_id, title):
            raise InputError("대화를 찾을 수 없습니다. 목록을 새로 고쳐 주세요.", code="not_found")

    def delete(self, person: Person, conversation_id: str) -> None:
        if self.store.delete(person.pseudonym, conversation_id):
            self.store.db.scrub()
            self.recorder.audit(person, "conversation_delete", conversation_id)

    def forget_documents(self, owner: str, collection: str, docs: Iterable[str], chunk_ids: Iterable[str]) -> int:
        """Delete ``owner``'s conversations that quote the removed documents ``docs`` of ``collection`` (a passage
        of theirs, or one of ``chunk_ids`` shown as a referenced article); returns how many went."""
        docs, chunk_ids = set(docs), set(chunk_ids)
        removed = 0
        for listed in self.store.list(owner, limit=1_000_000):
            record = self.store.get(owner, listed.id)
            if record is not None and _quotes(record.body, collection, docs, chunk_ids):
                removed += self.store.delete(owner, listed.id)
        if removed:
            self.store.db.scrub()
            log.info("removed %d conversations that quoted deleted uploads", removed)
        return removed

    def expire(self, now: float | None = None) -> int:
        """Forget conversations untouched for ``history.retention_days``, then scrub the store's files. The app
        server's retention schedule calls it (seoulai.services.retention), not a page visit; idempotent, so several
        servers may sweep at once."""
        removed = self.store.expire((time.time() if now is None else now) - self.settings.history.retention_days * 86400)
        if removed:
            self.store.db.scrub()
        return removed


def _quotes(turns: list[dict[str, Any]], collection: str, docs: set[str], chunk_ids: set[str]) -> bool:
    """Whether a stored conversation shows a passage of the removed documents (as evidence or as a reference; a
    manual's passage may refer to an article of the person's upload)."""
    for turn in turns:
        for passage in turn.get("passages", []):
            for shown in (passage, *passage.get("references", [])):
                if shown.get("collection") == collection and (
                        shown.get("source") in docs or shown.get("chunk_id") in chunk_ids):
                    return True
    return False


def _title(question: str) -> str:
    text = " ".join(question.split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1] + "…"
