"""문서 Q&A: a private collection per person, stored originals, summaries, comparisons, retention.

Everything takes the :class:`Person` and derives the collection and folder from it, so no caller can point
one person's request at another person's documents.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from seoulai.answer.compare import Comparison, compare
from seoulai.answer.engine import AnswerEngine, AnswerEvent, Turn
from seoulai.answer.summary import Summary, summarize
from seoulai.auth.people import Person
from seoulai.auth.policy import USER, Policy
from seoulai.config import Settings
from seoulai.errors import InputError
from seoulai.files import FileStore, IncomingFile, unique_names
from seoulai.ingest.failures import IngestError
from seoulai.limits import ModelQuota
from seoulai.llm import Call, ChatModel
from seoulai.privacy.pii import detect
from seoulai.progress import Progress
from seoulai.retrieval.index import SearchIndex
from seoulai.retrieval.store import DocumentRecord
from seoulai.services.recording import Recorder

log = logging.getLogger(__name__)
FEATURE = "doc_qa"
MB = 1024 * 1024


@dataclass
class UploadResult:
    name: str
    ok: bool
    message: str
    pages: int | None = None
    chars: int | None = None
    pii: int = 0  # personal identifiers in the text, title, headings and file name (masked before any model)
    warning: str = ""  # e.g. a document read only in part
    semantic_pending: bool = False  # searchable by keyword now; its vectors are being made in the background


class DocumentService:
    def __init__(self, settings: Settings, index: SearchIndex, answers: AnswerEngine, chat: ChatModel,
                 policy: Policy, quota: ModelQuota, recorder: Recorder) -> None:
        self.settings = settings
        self.index = index
        self.answers = answers
        self.chat = chat
        self.policy = policy
        self.quota = quota
        self.recorder = recorder
        self.root = Path(settings.data_dir) / "uploads"
        self._last_expiry = -1e9

    def _files(self, person: Person) -> FileStore:
        return FileStore(self.root / person.pseudonym)

    def _collection(self, person: Person) -> str:
        return self.policy.private_collection(person)

    def _call(self, person: Person) -> Call:
        return Call(charge=lambda: self.quota.take(person.pseudonym))

    def check_batch(self, files: Sequence[IncomingFile]) -> None:
        """Refuse, before anything is stored or parsed, an upload over the count or size limits."""
        limits = self.settings.uploads
        if len(files) > limits.max_files:
            raise InputError(f"한 번에 {limits.max_files}개까지 올릴 수 있습니다 ({len(files)}개 선택). 나누어 올려 주세요.",
                             code="too_many_files")
        total = sum(f.length for f in files)
        if total > limits.max_total_mb * MB:
            raise InputError(f"파일 크기 합계가 {total / MB:.0f} MB로 한도({limits.max_total_mb:g} MB)를 넘습니다. "
                             "나누어 올려 주세요.", code="too_large")

    def upload(self, person: Person, files: Sequence[IncomingFile],
               progress: Progress | None = None) -> list[UploadResult]:
        """Store and index the files into the person's private collection, in one keyword-index update; one bad
        file spoils nothing, and a failed new version of a file leaves the stored one (file and index) as it was.
        The files are searchable by keyword when this returns; their vectors follow in the background."""
        self.check_batch(files)
        store = self._files(person)
        collection = self._collection(person)
        per_file = self.settings.ingest.max_file_mb * MB
        refused: dict[str, str] = {}
        staged: dict[Path, str] = {}
        names = unique_names(f.name for f in files)
        for incoming, name in zip(files, names):
            if incoming.length > per_file:
                refused[name] = IngestError("too_large", f"{incoming.length / MB:.1f} MB, "
                                            f"한도 {self.settings.ingest.max_file_mb:g} MB").message
            else:
                staged[store.stage(incoming, name)] = name
        report = None
        if staged:
            try:
                report = self.index.ingest(list(staged), collection, owner=person.pseudonym, sources=staged,
                                           progress=progress)
            except BaseException:
                for path in staged:
                    store.discard(path)
                raise
            for path, name in staged.items():
                if name in report.failed:
                    store.discard(path)
                else:
                    store.commit(path, name)
        results = []
        for name in names:
            if name in refused:
                results.append(UploadResult(name, False, refused[name]))
            elif report is not None and name in report.failed:
                results.append(UploadResult(name, False, report.failed[name].message))
            else:
                pending = report is not None and report.vectors_pending > 0 and name in (
                    report.changes.added + report.changes.replaced)
                results.append(replace(self._result(collection, name), semantic_pending=pending))
        self.recorder.event(person, FEATURE, "upload", sources=sum(r.ok for r in results))
        self.recorder.audit(person, "upload", ", ".join(r.name for r in results if r.ok))
        return results

    def _result(self, collection: str, name: str) -> UploadResult:
        record = next((d for d in self.index.documents(collection) if d.doc == name), None)
        chunks = list(self.index.collection(collection).chunks_of([name]))
        # Everything of the document that can reach a model counts: name, title, headings and text.
        pieces = [name, record.title if record else "", *{c.section for c in chunks}, *(c.text for c in chunks)]
        pii = sum(len(detect(piece)) for piece in pieces if piece)
        partial = record.metadata.get("partial") if record else None
        warning = (f"문서의 일부만 읽었습니다({partial}). 원본에서 파일이 온전히 열리는지 확인하고 다시 저장해 "
                   "올려 주세요." if partial else "")
        return UploadResult(name, True, "읽기 완료", record.pages if record else None,
                            int(record.metadata.get("chars", 0)) if record else None, pii, warning)

    def documents(self, person: Person) -> list[DocumentRecord]:
        return self.index.documents(self._collection(person))

    def delete(self, person: Person, docs: Sequence[str]) -> None:
        self.index.remove_documents(self._collection(person), docs)
        self._files(person).remove(docs)
        self.recorder.event(person, FEATURE, "delete", sources=len(docs))
        self.recorder.audit(person, "upload_delete", ", ".join(docs))

    def ask(self, person: Person, question: str, history: Sequence[Turn] = (),
            docs: Sequence[str] | None = None) -> Iterator[AnswerEvent]:
        """A cited answer from the person's documents (all of them, or only ``docs``)."""
        call = self._call(person)
        for event in self.answers.ask(question, [self._collection(person)], history, call=call,
                                      docs=list(docs) if docs else None):
            if event.kind == "done" and event.answer is not None:
                self.recorder.answer(person, FEATURE, event.answer, call)
            yield event

    def _chunks(self, person: Person, doc: str) -> tuple[str, list]:  # type: ignore[type-arg]
        record = next((d for d in self.documents(person) if d.doc == doc), None)
        if record is None:
            raise InputError("내 문서에서 찾을 수 없습니다. 목록을 새로 고쳐 주세요.", code="not_found")
        return record.title, list(self.index.collection(self._collection(person)).chunks_of([doc]))

    def summarize(self, person: Person, doc: str, progress: Progress | None = None) -> Summary:
        title, chunks = self._chunks(person, doc)
        call = self._call(person)
        result = summarize(title, chunks, self.chat, progress=progress, call=call)
        self.recorder.event(person, FEATURE, "summary", outcome="ok" if result.text else "no_answer",
                            tokens_in=call.tokens_in, tokens_out=call.tokens_out)
        return result

    def compare(self, person: Person, before: str, after: str) -> Comparison:
        title_a, chunks_a = self._chunks(person, before)
        title_b, chunks_b = self._chunks(person, after)
        call = self._call(person)
        result = compare(title_a, chunks_a, title_b, chunks_b, self.chat, call=call)
        self.recorder.event(person, FEATURE, "compare", sources=len(result.changes), tokens_in=call.tokens_in,
                            tokens_out=call.tokens_out)
        return result

    def expire(self, now: datetime | None = None) -> int:
        """Delete every upload older than the retention period: chunks, vectors and stored files.

        The page calls this on every visit; without an explicit ``now`` it runs at most every
        ``uploads.expiry_interval`` seconds per process.
        """
        if now is None:
            if time.monotonic() - self._last_expiry < self.settings.uploads.expiry_interval:
                return 0
            self._last_expiry = time.monotonic()
        now = now or datetime.now(timezone.utc)
        cutoff = now - timedelta(days=self.settings.uploads.retention_days)
        removed = 0
        for collection in self.index.collections():
            if not collection.startswith(USER):
                continue
            old = [d.doc for d in self.index.documents(collection) if _parse(d.ingested_at) < cutoff]
            if not old:
                continue
            self.index.remove_documents(collection, old)
            FileStore(self.root / collection.removeprefix(USER)).remove(old)
            removed += len(old)
        if removed:
            log.info("retention removed %d uploads", removed)
        return removed


def _parse(stamp: str) -> datetime:
    parsed = datetime.fromisoformat(stamp)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
