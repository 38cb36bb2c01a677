"""Personal uploads for 문서 Q&A: a private collection per person, stored files, retention.

Everything here takes the :class:`Person` and derives the collection and folder from it, so no caller can
point one person's request at another person's documents.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from seoulai.answer.documents import Comparison, Summary, compare, summarize
from seoulai.answer.engine import AnswerEngine, Event, Turn
from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.errors import InputError
from seoulai.ingest.errors import IngestError
from seoulai.llm import ChatModel
from seoulai.privacy.pii import detect
from seoulai.retrieval.service import SearchService
from seoulai.retrieval.store import DocumentRecord

log = logging.getLogger(__name__)
Progress = Callable[[str, float], None]
MB = 1024 * 1024


@dataclass
class UploadResult:
    name: str
    ok: bool
    message: str
    pages: int | None = None
    chars: int | None = None
    pii: int = 0  # personal identifiers found in the text (masked before any model sees them)


class Uploads:
    def __init__(self, settings: Settings, search: SearchService, answers: AnswerEngine, chat: ChatModel) -> None:
        self.settings = settings
        self.search = search
        self.answers = answers
        self.chat = chat
        self.root = Path(settings.data_dir) / "uploads"
        self._last_expiry = -1e9

    def _folder(self, person: Person) -> Path:
        return self.root / person.pseudonym

    def check_limits(self, files: Sequence[tuple[str, bytes]]) -> None:
        """Refuse, before any parsing, an upload over the count or size limits."""
        limits = self.settings.uploads
        if len(files) > limits.max_files:
            raise InputError(f"한 번에 {limits.max_files}개까지 올릴 수 있습니다 ({len(files)}개 선택). 나누어 올려 주세요.",
                             code="too_many_files")
        total = sum(len(data) for _, data in files)
        if total > limits.max_total_mb * MB:
            raise InputError(f"파일 크기 합계가 {total / MB:.0f} MB로 한도({limits.max_total_mb:g} MB)를 넘습니다. "
                             "나누어 올려 주세요.", code="too_large")

    def upload(self, person: Person, files: Sequence[tuple[str, bytes]],
               progress: Callable[[str, int, float], None] | None = None) -> list[UploadResult]:
        """Store and index each file into the person's private collection; one bad file spoils nothing."""
        self.check_limits(files)
        folder = self._folder(person)
        folder.mkdir(parents=True, exist_ok=True)
        results: list[UploadResult] = []
        per_file = self.settings.ingest.max_file_mb * MB
        for index, (raw_name, data) in enumerate(files):
            name = safe_name(raw_name)
            if len(data) > per_file:
                results.append(UploadResult(name, False, IngestError("too_large", f"{len(data) / MB:.1f} MB, 한도 "
                                            f"{self.settings.ingest.max_file_mb:g} MB").message))
                continue
            path = folder / name
            path.write_bytes(data)

            def step(label: str, fraction: float, index: int = index) -> None:
                if progress:
                    progress(label, index, fraction)

            report = self.search.ingest([path], person.private_collection, owner=person.pseudonym,
                                        sources={path: name}, progress=step)
            if name in report.failed:
                path.unlink(missing_ok=True)
                results.append(UploadResult(name, False, report.failed[name].message))
                continue
            record = next((d for d in self.search.documents(person.private_collection) if d.doc == name), None)
            pages = record.pages if record else None
            chars = int(record.metadata.get("chars", 0)) if record else None
            chunks = self.search.collection(person.private_collection).chunks_of([name])
            pii = sum(len(detect(chunk.text)) for chunk in chunks)
            results.append(UploadResult(name, True, "읽기 완료", pages, chars, pii))
        return results

    def documents(self, person: Person) -> list[DocumentRecord]:
        return self.search.documents(person.private_collection)

    def delete(self, person: Person, docs: Sequence[str]) -> None:
        self.search.remove_documents(person.private_collection, docs)
        for doc in docs:
            (self._folder(person) / safe_name(doc)).unlink(missing_ok=True)

    def ask(self, person: Person, question: str, history: Sequence[Turn] = ()) -> Iterator[Event]:
        return self.answers.ask(question, [person.private_collection], history)

    def _chunks(self, person: Person, doc: str) -> tuple[str, list]:  # type: ignore[type-arg]
        record = next((d for d in self.documents(person) if d.doc == doc), None)
        if record is None:
            raise InputError("내 문서에서 찾을 수 없습니다. 목록을 새로 고쳐 주세요.", code="not_found")
        return record.title, list(self.search.collection(person.private_collection).chunks_of([doc]))

    def summarize(self, person: Person, doc: str, progress: Progress | None = None) -> Summary:
        title, chunks = self._chunks(person, doc)
        return summarize(title, chunks, self.chat, progress=progress)

    def compare(self, person: Person, before: str, after: str) -> Comparison:
        title_a, chunks_a = self._chunks(person, before)
        title_b, chunks_b = self._chunks(person, after)
        return compare(title_a, chunks_a, title_b, chunks_b, self.chat)

    def expire(self, now: datetime | None = None, min_interval: float = 600.0) -> int:
        """Delete every upload older than the retention period: chunks, vectors and stored files.

        The page calls this on every visit; without an explicit ``now`` it runs at most every 10 minutes.
        """
        if now is None:
            if time.monotonic() - self._last_expiry < min_interval:
                return 0
            self._last_expiry = time.monotonic()
        now = now or datetime.now(timezone.utc)
        cutoff = now - timedelta(days=self.settings.uploads.retention_days)
        removed = 0
        for collection in self.search.collections():
            if not collection.startswith("user:"):
                continue
            old = [d.doc for d in self.search.documents(collection) if _parse(d.ingested_at) < cutoff]
            if not old:
                continue
            self.search.remove_documents(collection, old)
            folder = self.root / collection.removeprefix("user:")
            for doc in old:
                (folder / safe_name(doc)).unlink(missing_ok=True)
            removed += len(old)
        if removed:
            log.info("retention removed %d uploads", removed)
        return removed

    def purge(self, person: Person) -> None:
        """Forget everything this person uploaded."""
        self.search.drop_collection(person.private_collection)
        shutil.rmtree(self._folder(person), ignore_errors=True)


def safe_name(name: str) -> str:
    """A file name without folders or control characters (browsers may send either)."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[\x00-\x1f/]", "_", base).strip(". ") or "문서"
    return base[:150]


def _parse(stamp: str) -> datetime:
    parsed = datetime.fromisoformat(stamp)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
