"""Composition root: build every service from settings, once, and hand them to the UI and the CLI.

Access control lives here: the methods that read documents take the :class:`Person` and work out the
collections that person may read; a page never chooses collections itself.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from seoulai.answer.engine import Answer, AnswerEngine, Event, Turn
from seoulai.auth.orgchart import OrgChart
from seoulai.auth.people import Person, readable_collections
from seoulai.config import Settings
from seoulai.errors import InputError
from seoulai.limits import ModelQuota
from seoulai.llm import ChatModel, HealthReport, build_embedder, build_llm, check_health
from seoulai.privacy.pii import mask
from seoulai.retrieval.service import Hit, SearchService
from seoulai.uploads import Uploads
from seoulai.usage.log import Event as UsageEvent
from seoulai.usage.log import UsageLog

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

log = logging.getLogger(__name__)


@dataclass
class Services:
    """The use cases of the product. Shared by all sessions of one process, so every member is thread-safe."""

    settings: Settings
    chat: ChatModel
    embedder: "BaseEmbedding | None"
    search: SearchService
    answers: AnswerEngine
    usage: UsageLog | None
    uploads: Uploads
    org: OrgChart
    quota: ModelQuota

    def health(self) -> HealthReport:
        return check_health(self.settings)

    # -- reading, with access control -------------------------------------------------------------------
    def readable(self, person: Person) -> list[str]:
        return readable_collections(person, self.settings.retrieval.shared_collection)

    def search_manuals(self, person: Person, query: str, k: int | None = None) -> list[Hit]:
        hits = self.search.search(query, self.readable(person), k)
        self.record(person, "manual_search", "search", sources=len(hits), query=mask(query),
                    outcome="ok" if hits else "no_answer")
        return hits

    def ask_manuals(self, person: Person, question: str, history: Sequence[Turn] = (),
                    use_model: bool = True) -> Iterator[Event]:
        """Stream a grounded answer over the manuals this person may read, and log it."""
        if use_model and self.chat.configured:
            self.quota.take(person.pseudonym)
        for event in self.answers.ask(question, self.readable(person), history, use_model):
            if event.kind == "done" and event.answer is not None:
                event.answer.model = self.chat.name
                self._log_answer(person, "manual_search", event.answer)
            yield event

    def feedback(self, person: Person, event_id: str, rating: int, comment: str = "") -> None:
        if rating not in (1, -1):
            raise InputError("평가는 👍 또는 👎 중 하나입니다.", code="bad_rating")
        self.record(person, "manual_search", "feedback", rating=rating, comment=mask(comment.strip()[:1000]) or None,
                    ref_id=event_id)

    # -- 문서 Q&A: only ever the person's own private collection -----------------------------------------
    def ask_documents(self, person: Person, question: str, history: Sequence[Turn] = ()) -> Iterator[Event]:
        if self.chat.configured:
            self.quota.take(person.pseudonym)
        for event in self.uploads.ask(person, question, history):
            if event.kind == "done" and event.answer is not None:
                event.answer.model = self.chat.name
                self._log_answer(person, "doc_qa", event.answer)
            yield event

    def summarize_document(self, person: Person, doc: str, progress=None):  # type: ignore[no-untyped-def]
        if self.chat.configured:
            self.quota.take(person.pseudonym)
        summary = self.uploads.summarize(person, doc, progress)
        self.record(person, "doc_qa", "summary", outcome="ok" if summary.text else "no_answer")
        return summary

    def compare_documents(self, person: Person, before: str, after: str):  # type: ignore[no-untyped-def]
        if self.chat.configured:
            self.quota.take(person.pseudonym)
        result = self.uploads.compare(person, before, after)
        self.record(person, "doc_qa", "compare", sources=len(result.changes))
        return result

    # -- 초안 작성 ----------------------------------------------------------------------------------------------
    def draft_templates(self):  # type: ignore[no-untyped-def]
        from seoulai.drafting.template import load_templates

        return load_templates(self.settings.drafting.templates_dir)

    def stream_draft_section(self, person: Person, draft, section_id: str, revise: str = ""):  # type: ignore[no-untyped-def]
        from seoulai.drafting.draft import DraftEngine

        if self.chat.configured:
            self.quota.take(person.pseudonym)
        yield from DraftEngine(self.chat).stream_section(draft, section_id, revise)
        self.record(person, "drafting", "generate", model=self.chat.name, sources=len(draft.references),
                    minutes_saved=None)

    def draft_exported(self, person: Person, template_name: str, suffix: str) -> None:
        """Log a draft download (the use that saves the time)."""
        saved = self.settings.usage.minutes_saved.get("drafting")
        self.record(person, "drafting", "export", outcome="ok", minutes_saved=saved)
        self.audit(person, "draft_export", f"{template_name}.{suffix}")

    # -- manual library -----------------------------------------------------------------------------------
    def manageable(self, person: Person) -> list[str]:
        shared = self.settings.retrieval.shared_collection
        if person.role == "admin":
            known = [c for c in self.search.collections() if c == shared or c.startswith("dept:")]
            return list(dict.fromkeys([shared, person.department_collection, *known]))
        if person.role == "dept_admin":
            return [person.department_collection]
        return []

    def check_manage(self, person: Person, collection: str) -> None:
        if collection not in self.manageable(person):
            raise InputError("이 문서함을 관리할 권한이 없습니다. 부서 관리자에게 요청하세요.", code="forbidden")

    def ingest_manuals(self, person: Person, collection: str, paths: Sequence[Path],
                       sources: dict[Path, str] | None = None, progress=None):  # type: ignore[no-untyped-def]
        self.check_manage(person, collection)
        report = self.search.ingest(paths, collection, department=person.department, progress=progress,
                                    sources=sources)
        self.record(person, "library", "upload", sources=len(report.changes.added) + len(report.changes.replaced))
        self.audit(person, "library_upload", f"{collection}: {', '.join(report.changes.added + report.changes.replaced)}")
        return report

    def delete_manuals(self, person: Person, collection: str, docs: Sequence[str]):  # type: ignore[no-untyped-def]
        self.check_manage(person, collection)
        report = self.search.remove_documents(collection, docs)
        self.record(person, "library", "delete", sources=len(report.changes.removed))
        self.audit(person, "library_delete", f"{collection}: {', '.join(report.changes.removed)}")
        return report

    def reindex_manuals(self, person: Person, collection: str, progress=None) -> int:  # type: ignore[no-untyped-def]
        self.check_manage(person, collection)
        return self.search.reindex_vectors(collection, progress)

    # -- 이용 현황 ------------------------------------------------------------------------------------------------
    def usage_scope(self, person: Person) -> str | None:
        """The part of the organisation whose usage this person may see (None: not allowed)."""
        root = self.org.units[0].path if self.org.units else "서울특별시"
        if person.role == "admin":
            return root
        if person.role == "manager":
            return person.department
        return None

    def usage_analytics(self, person: Person, filters):  # type: ignore[no-untyped-def]
        """Analytics restricted to the person's scope; a filter outside it is refused."""
        scope = self.usage_scope(person)
        if scope is None:
            raise InputError("이용 현황은 관리자(부서장)와 시스템 관리자만 볼 수 있습니다.", code="forbidden")
        if not (filters.department == scope or filters.department.startswith(scope + "/")):
            raise InputError("담당 조직 밖의 이용 현황은 볼 수 없습니다.", code="forbidden")
        if self.usage is None or not self.usage.enabled:
            raise InputError("이용 기록이 꺼져 있습니다 (SEOULAI_USAGE__ENABLED).", code="usage_disabled")
        return self.usage.analytics()

    # -- sign-in and audit -------------------------------------------------------------------------------------
    def accounts(self):  # type: ignore[no-untyped-def]
        from seoulai.auth.accounts import Accounts

        return Accounts(self.settings.auth.accounts_path or Path(self.settings.data_dir) / "accounts.json")

    def sign_in(self, account_id: str, password: str) -> Person | None:
        person = self.accounts().verify(account_id, password)
        who = person or Person(account_id, "", "", "")
        self.audit(who, "sign_in" if person else "sign_in_failed", "local")
        return person

    def audit(self, person: Person, action: str, target: str = "") -> None:
        """Who did what to which collection: kept with the usage events, shown to administrators."""
        self.record(person, "audit", action, comment=target[:500] or None)

    def audit_log(self, person: Person, limit: int = 500):  # type: ignore[no-untyped-def]
        if person.role != "admin":
            raise InputError("감사 기록은 시스템 관리자만 볼 수 있습니다.", code="forbidden")
        if self.usage is None or not self.usage.enabled:
            raise InputError("이용 기록이 꺼져 있어 감사 기록이 없습니다.", code="usage_disabled")
        analytics = self.usage.analytics()
        return analytics._df(f"SELECT ts, user_id, department, role, action, comment FROM {analytics.source} "  # noqa: S608
                             "WHERE feature = 'audit' ORDER BY ts DESC LIMIT ?", [limit])

    # -- usage ------------------------------------------------------------------------------------------------
    def record(self, person: Person, feature: str, action: str, **fields: object) -> str:
        if self.usage is None:
            return ""
        if not self.settings.usage.log_queries:
            fields.pop("query", None)
        event = UsageEvent(feature=feature, action=action, user_id=person.pseudonym, department=person.department,
                           role=person.role, **fields)  # type: ignore[arg-type]
        return self.usage.record(event)

    def _log_answer(self, person: Person, feature: str, answer: Answer) -> None:
        outcome = {"answered": "ok", "retrieval_only": "ok"}.get(answer.status, "no_answer")
        if answer.error_code and answer.status != "answered":
            outcome = "error"
        saved = self.settings.usage.minutes_saved.get(feature) if outcome == "ok" else None
        answer_id = self.record(person, feature, "ask", model=answer.model, latency_ms=answer.latency_ms,
                                ttft_ms=answer.ttft_ms, sources=len(answer.passages), outcome=outcome,
                                error_code=answer.error_code, query=answer.logged_question or mask(answer.question),
                                minutes_saved=saved)
        answer.event_id = answer_id


def build_services(settings: Settings | None = None) -> Services:
    """Build the services for one process (the UI caches the result with st.cache_resource)."""
    settings = settings or Settings()
    name = settings.llm.model if settings.llm.backend != "none" else ""
    chat = ChatModel(lambda: build_llm(settings), name=name)
    try:
        embedder = build_embedder(settings)
    except ValueError as exc:
        log.error("embedder misconfigured, dense retrieval off: %s", exc)
        embedder = None
    search = SearchService(settings, embedder)
    answers = AnswerEngine(search, chat, settings.answer.passages, settings.answer.min_coverage,
                           settings.answer.history_turns, settings.privacy.action)
    usage = None
    if settings.usage.enabled:
        if settings.usage.mode == "parquet":
            usage = UsageLog(None, parquet_dir=Path(settings.data_dir) / "usage", replica=settings.usage.replica_id,
                             flush_interval=10.0)
        else:
            usage = UsageLog(settings.usage.db_path or Path(settings.data_dir) / "usage.duckdb")
    uploads = Uploads(settings, search, answers, chat)
    return Services(settings=settings, chat=chat, embedder=embedder, search=search, answers=answers, usage=usage,
                    uploads=uploads, org=OrgChart.load(settings.auth.org_chart),
                    quota=ModelQuota(settings.limits.per_minute, settings.limits.per_day))
