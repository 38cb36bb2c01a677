"""문서 Q&A: a private collection per person, stored originals, summaries, comparisons, retention.

Everything takes the :class:`Person` and derives the collection and folder from it, so no caller can point
one person's request at another person's documents.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from seoulai.answer.compare import Change, Comparison, compare, word_diff
from seoulai.answer.engine import AnswerEngine, AnswerEvent, Turn
from seoulai.answer.summary import Summary, summarize
from seoulai.auth.people import Person
from seoulai.auth.policy import USER, Policy
from seoulai.config import Settings
from seoulai.drafting.export import report_pieces, write_docx, write_hwpx
from seoulai.errors import InputError
from seoulai.files import FileStore, IncomingFile, sweep, unique_names
from seoulai.ingest.failures import IngestError
from seoulai.ingest.types import Chunk
from seoulai.limits import ModelQuota, TextLimits, bounded
from seoulai.llm import Call, ChatModel
from seoulai.privacy.pii import detect
from seoulai.progress import Progress
from seoulai.retrieval.index import SearchIndex
from seoulai.retrieval.sources import indexed_files
from seoulai.retrieval.store import DocumentRecord
from seoulai.services.recording import Recorder

log = logging.getLogger(__name__)
FEATURE = "doc_qa"
MB = 1024 * 1024
# What the 문서 Q&A page reads: upload results, the comparison and its changes, a changed paragraph word by word.
__all__ = ["Change", "Comparison", "DocumentService", "UploadResult", "audit_names", "word_changes"]


@dataclass(frozen=True)
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
                 policy: Policy, quota: ModelQuota, recorder: Recorder,
                 forget_quotes: Callable[[str, str, Sequence[str], Sequence[str]], int] | None = None) -> None:
        self.settings = settings
        self.index = index
        self.answers = answers
        self.chat = chat
        self.policy = policy
        self.quota = quota
        self.recorder = recorder
        self.forget_quotes = forget_quotes  # (owner, collection, docs, chunk ids): conversations quoting them go
        self.root = Path(settings.data_dir) / "uploads"
        self.clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)  # tests move time forward
        self._last_expiry = -1e9
        self._stop = threading.Event()
        self.scheduled = False  # a retention schedule (seoulai.services.retention) sweeps this process's uploads

    def _files(self, person: Person) -> FileStore:
        return FileStore(self.root / person.pseudonym)

    def _holds(self, collection: str, staged: dict[Path, str]) -> set[Path]:
        return indexed_files(self.index.documents(collection), staged)

    def recover(self) -> int:
        """Finish the uploads a killed process left half-done and remove stray staged copies (at start-up)."""
        return sweep(self.root, self._holds)

    def _collection(self, person: Person) -> str:
        return self.policy.private_collection(person)

    def _call(self, person: Person) -> Call:
        return Call(charge=self.quota.charger(person.pseudonym))  # every request of the use is charged

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
        accepted: list[tuple[IncomingFile, str]] = []
        names = unique_names(f.name for f in files)
        for incoming, name in zip(files, names):
            if incoming.length > per_file:
                refused[name] = IngestError("too_large", f"{incoming.length / MB:.1f} MB, "
                                            f"한도 {self.settings.ingest.max_file_mb:g} MB").message
            else:
                accepted.append((incoming, name))
        report = None
        if accepted:  # crash-safe: the stored originals follow the index whatever happens (seoulai.files)
            report = store.put(collection, accepted, lambda staged: self.index.ingest(
                list(staged), collection, owner=person.pseudonym, sources=staged, progress=progress), self._holds)
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
        self.recorder.audit(person, "upload", audit_names([r.name for r in results if r.ok]))
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
        self._remove(person.pseudonym, self._collection(person), docs)
        self.recorder.event(person, FEATURE, "delete", sources=len(docs))
        self.recorder.audit(person, "upload_delete", audit_names(docs))

    def _remove(self, owner: str, collection: str, docs: Sequence[str]) -> None:
        """Uploads gone from every store at once (README, 무엇이 어디에 얼마나 남는가): the owner's conversations
        quoting them, the stored original, then the index with its vectors and cached vectors (SearchIndex). The
        index goes last: a crash part-way leaves the upload listed (and due), and the next deletion or retention
        sweep finishes it."""
        if self.forget_quotes is not None:
            ids = [c.id for c in self.index.collection(collection).chunks_of(docs)]
            self.forget_quotes(owner, collection, docs, ids)
        FileStore(self.root / owner).remove(docs)
        self.index.remove_documents(collection, docs)

    def ask(self, person: Person, question: str, history: Sequence[Turn] = (),
            docs: Sequence[str] | None = None) -> Iterator[AnswerEvent]:
        """A cited answer from the person's documents (all of them, or only ``docs``)."""
        bounded(question, TextLimits.of(self.settings).question, "질문", code="query_too_long")
        call = self._call(person)
        for event in self.answers.ask(question, [self._collection(person)], history, call=call,
                                      docs=list(docs) if docs else None, event_id=self.recorder.new_event_id()):
            if event.kind == "done" and event.answer is not None:
                self.recorder.answer(person, FEATURE, event.answer, call)
            yield event

    def _chunks(self, person: Person, doc: str) -> tuple[str, list[Chunk]]:
        record = next((d for d in self.documents(person) if d.doc == doc), None)
        if record is None:
            raise InputError("내 문서에서 찾을 수 없습니다. 목록을 새로 고쳐 주세요.", code="not_found")
        return record.title, list(self.index.collection(self._collection(person)).chunks_of([doc]))

    def summarize(self, person: Person, doc: str, progress: Progress | None = None) -> Summary:
        title, chunks = self._chunks(person, doc)
        call = self._call(person)
        result = summarize(title, chunks, self.chat, progress=progress, call=call)
        self.recorder.event(person, FEATURE, "summary", outcome="error" if result.incomplete else
                            "ok" if result.text else "no_answer", error_code=result.error_code,
                            tokens_in=call.tokens_in, tokens_out=call.tokens_out)
        return result

    def compare(self, person: Person, before: str, after: str) -> Comparison:
        title_a, chunks_a = self._chunks(person, before)
        title_b, chunks_b = self._chunks(person, after)
        call = self._call(person)
        result = compare(title_a, chunks_a, title_b, chunks_b, self.chat, call=call)
        self.recorder.event(person, FEATURE, "compare", sources=len(result.changes), tokens_in=call.tokens_in,
                            tokens_out=call.tokens_out, error_code=result.error_code)
        return result

    def expire(self, now: datetime | None = None) -> int:
        """Delete every upload older than the retention period: chunks, vectors, stored files and the conversations
        quoting them. Idempotent, so several servers may sweep at once: what another removed first is skipped.

        The retention schedule (seoulai.services.retention) calls it with ``now``. Without ``now`` (the 문서 Q&A
        page, on every visit) it does nothing in a process whose schedule runs (``scheduled``), and elsewhere runs
        at most every ``uploads.expiry_interval`` seconds per process.
        """
        if now is None:
            if self.scheduled or time.monotonic() - self._last_expiry < self.settings.uploads.expiry_interval:
                return 0
            self._last_expiry = time.monotonic()
        now = now or self.clock()
        cutoff = now - timedelta(days=self.settings.uploads.retention_days)
        removed = 0
        for collection in self.index.collections():
            if self._stop.is_set():  # closing: the next sweep (this server's next start, or another's) finishes
                break
            if not collection.startswith(USER):
                continue
            old = [d.doc for d in self.index.documents(collection) if _parse(d.ingested_at) < cutoff]
            if not old:
                continue
            self._remove(collection.removeprefix(USER), collection, old)
            removed += len(old)
        return removed

    # -- exports: a summary or a comparison as a file a 과 can file (HWPX for 한글, DOCX for Word) ---------------
    def export_summary(self, person: Person, summary: Summary, fmt: str) -> bytes:
        """The summary in the drafts' layout: its text without [n] markers, its passages under "참고"."""
        sources = [_source(summary.passages[n - 1]) for n in summary.cited if 0 < n <= len(summary.passages)]
        return self._export(person, "summary", f"{summary.title} 요약", summary.text, sources, (), fmt)

    def export_comparison(self, person: Person, comparison: Comparison, fmt: str) -> bytes:
        """The comparison: its explanation, then each change (이전/이후) numbered under "변경 내용"."""
        lines = []
        for number, change in enumerate(comparison.changes, start=1):
            lines.append(f"{number}. {change.kind_label} · {change.section}")
            lines += [f"이전: {change.before}"] if change.before else []
            lines += [f"이후: {change.after}"] if change.after else []
        sections = [(f"변경 내용 {len(comparison.changes)}건", lines)] if lines else []
        sources = [f"이전 문서: {comparison.title_a}", f"이후 문서: {comparison.title_b}"]
        return self._export(person, "compare", f"{comparison.title_a} → {comparison.title_b} 비교",
                            comparison.explanation, sources, sections, fmt)

    def _export(self, person: Person, what: str, title: str, text: str, sources: Sequence[str],
                sections: Sequence[tuple[str, Sequence[str]]], fmt: str) -> bytes:
        if fmt not in ("hwpx", "docx"):
            raise InputError("내보내기 파일은 .docx 또는 .hwpx로 끝나야 합니다.", code="bad_export")
        pieces = report_pieces(title, text, sources, sections)
        data = write_hwpx(pieces) if fmt == "hwpx" else write_docx(title, pieces)
        self.recorder.event(person, FEATURE, f"{what}_export", outcome="ok")
        return data

    def close(self) -> None:
        """Stop a sweep under way after the collection it is in (the schedule's thread is joined by its owner)."""
        self._stop.set()


def word_changes(before: str, after: str) -> list[tuple[str, str]]:
    """What changed inside one changed paragraph of a comparison, word by word: ("equal" | "delete" | "insert",
    text) pieces, for the 비교 tab to strike through and bold."""
    return word_diff(before, after)


def audit_names(names: Sequence[str]) -> str:
    """Uploads as the audit log names them: by count and a digest of each name, never the name, which may itself
    be personal and must not outlive the upload (the audit log is kept for good)."""
    digests = ", ".join("#" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:12] for name in names)
    return f"문서 {len(names)}개 ({digests})"


def _source(chunk: Chunk) -> str:
    page = f" {chunk.page}쪽" if chunk.page else ""
    return " ".join(part for part in (chunk.title.strip(), chunk.section.strip()) if part) + page


def _parse(stamp: str) -> datetime:
    parsed = datetime.fromisoformat(stamp)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
