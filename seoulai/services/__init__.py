"""Composition root: every use case of the product as one service, built once from settings.

Pages, the CLI and tests call only these services. Ready components (a chat model, an embedder, a usage log)
can be handed in, so tests bind an in-process scripted model without an HTTP server.
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seoulai.answer.engine import Answer, AnswerEngine, AnswerEvent, Turn
from seoulai.auth.oidc import oidc_problems
from seoulai.auth.org_rule import OrgSource, collection_follower
from seoulai.auth.people import Person
from seoulai.auth.policy import Policy
from seoulai.auth.sessions import COOKIE
from seoulai.config import Settings
from seoulai.drafting.draft import Draft
from seoulai.errors import InputError, SeoulAIError
from seoulai.limits import ModelQuota
from seoulai.llm import ChatModel, build_embedder, build_llm
from seoulai.llm.health import check_health
from seoulai.privacy.pii import mask_log_records
from seoulai.retrieval.backfill import VectorFiller
from seoulai.retrieval.index import SearchIndex
from seoulai.retrieval.query import asks_department
from seoulai.services.accounts import AccountService
from seoulai.services.conversations import ConversationService
from seoulai.services.departments import DepartmentMatch, DepartmentService
from seoulai.services.documents import DocumentService, UploadResult
from seoulai.services.drafting import DraftingService, DraftTemplate, TemplateSection
from seoulai.services.library import LibraryService
from seoulai.services.manuals import ManualService
from seoulai.services.recording import Recorder
from seoulai.services.results import (UPLOAD_FORMATS, ComponentStatus, HealthReport, Hit, IncomingFile,
                                      SemanticProgress, StreamSanitiser, escape_markdown, safe_markdown)
from seoulai.services.retention import RetentionSchedule
from seoulai.services.review import ReviewService
from seoulai.services.rollout import Access, Announcement, RolloutService, Wave
from seoulai.services.usage import UsageService
from seoulai.state import StateStore, open_state
from seoulai.text.times import seoul_time, today_in_seoul
from seoulai.usage.log import UsageLog
from seoulai.usage.queries import FEATURE_LABELS, Filters

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

log = logging.getLogger(__name__)
_DEFAULT: Any = object()

# The value types pages and the CLI pass to the services, and those the services return to them (the screens import
# nothing else of seoulai but errors, config and ui: tests/unit/test_layers.py).
__all__ = ["COOKIE", "FEATURE_LABELS", "UPLOAD_FORMATS", "AccountService", "Answer", "AnswerEvent", "ComponentStatus",
           "InputError", "SeoulAIError", "DocumentService", "Draft", "DraftTemplate", "DraftingService", "Filters",
           "HealthReport", "Hit", "IncomingFile", "LibraryService", "ManualService", "Person", "SemanticProgress",
           "Services", "StreamSanitiser", "TemplateSection", "Turn", "UploadResult", "UsageService", "DepartmentMatch",
           "DepartmentService", "asks_department", "build_services", "escape_markdown", "oidc_problems",
           "safe_markdown", "seoul_time", "today_in_seoul", "Access", "Announcement", "RolloutService", "Wave"]


@dataclass(frozen=True)
class Services:
    """The use cases, shared by all sessions of one process (every member is thread-safe)."""

    settings: Settings
    manuals: ManualService
    documents: DocumentService
    drafting: DraftingService
    library: LibraryService
    usage: UsageService
    accounts: AccountService
    conversations: ConversationService
    departments: DepartmentService
    review: ReviewService  # 시범 운영 결과 on 이용 현황
    rollout: RolloutService
    chat: ChatModel
    index: SearchIndex
    state: StateStore
    filler: VectorFiller | None = None
    retention: RetentionSchedule | None = None  # the app server's: uploads, conversations and drafts expire

    def health(self) -> HealthReport:
        """The model backends' state, probed now (a few cheap requests bounded by ``health_timeout``): the sidebar
        and the home page show it (the app keeps it for ``health_ttl`` seconds)."""
        return check_health(self.settings)

    def semantic_status(self, person: Person) -> SemanticProgress | None:
        """How far the dense side is over what this person reads, and over their own uploads (the sidebar); None
        where no background filler runs (the CLI, tests)."""
        if self.filler is None:
            return None
        policy = self.manuals.policy
        return self.filler.status.seen_by(policy.readable(person), policy.private_collection(person))

    def close(self) -> None:
        """Release what the process holds (vector store, usage writer, state store); tests and the CLI call it."""
        self.documents.close()  # stops an upload sweep under way, then the schedule: it uses the index and state
        if self.retention is not None:
            self.retention.close()
        if self.filler is not None:
            self.filler.stop()
        if self.index.dense is not None:
            self.index.dense.close()
        self.chat.close()
        if self.usage.log is not None:
            self.usage.log.close()
        self.state.close()


def build_services(settings: Settings | None = None, *, chat: ChatModel | None = None,
                   embedder: "BaseEmbedding | None" = _DEFAULT, usage_log: UsageLog | None = _DEFAULT,
                   background: bool = False) -> Services:
    """Build the services for one process. ``background`` (the app server): fold every process's spooled usage
    events, fill missing vectors and expire uploads, conversations and drafts (the retention schedule) in
    background threads; others (the CLI, tests) do these on demand."""
    settings = settings or Settings()
    mask_log_records()
    if chat is None:
        name = settings.llm.model if settings.llm.backend != "none" else ""
        chat = ChatModel(lambda: build_llm(settings), name=name)
    if embedder is _DEFAULT:
        try:
            embedder = build_embedder(settings)
        except ValueError as exc:
            log.error("embedder misconfigured, dense retrieval off: %s", exc)
            embedder = None
    if usage_log is _DEFAULT:
        usage_log = _usage_log(settings, background)
    index = SearchIndex(settings, embedder)
    # The chart in force: the YAML override, else the organisation rule in the shared library, else the
    # bundled chart (seoulai.auth.org_rule decides), followed while the app runs.
    org = OrgSource(settings, index)
    policy = Policy(org, settings.retrieval.shared_collection)
    answers = AnswerEngine(index, chat, settings.answer.passages, settings.answer.history_turns,
                           settings.privacy.action)
    server = settings.state.server_id or f"{socket.gethostname()}-{os.getpid()}"
    state = open_state(settings.state.url, Path(settings.data_dir), server)
    quota = ModelQuota(state.quotas, settings.limits.per_minute, settings.limits.per_day)
    recorder = Recorder(settings, usage_log, state.audit)
    library = LibraryService(settings, index, policy, recorder)
    library.recover()  # what a killed process left half-done is finished before anything reads the stored files
    accounts = AccountService(settings, policy, recorder, state)
    org.listen(accounts.follow_reorganisation)
    # The library keeps uploaded files in a folder per collection (its own naming rule, hence the private call).
    org.listen(collection_follower(index, policy, lambda name: library._files(name).root))
    library.migrate_department_collections()
    library.rebuild_outdated()
    departments = DepartmentService(index, policy, recorder, settings.answer.max_question_chars)
    conversations = ConversationService(settings, state.conversations, recorder)
    documents = DocumentService(settings, index, answers, chat, policy, quota, recorder,
                                forget_quotes=conversations.forget_documents)  # a quote never outlives its upload
    drafting = DraftingService(settings, index, chat, policy, quota, recorder, state.drafts, state.shares,
                               state.accounts)
    usage = UsageService(settings, usage_log, policy, recorder)
    services = Services(
        settings=settings,
        manuals=ManualService(index, answers, policy, quota, recorder, departments),
        documents=documents,
        drafting=drafting,
        conversations=conversations,
        departments=departments,
        library=library,
        usage=usage,
        review=ReviewService(usage, state.accounts),
        accounts=accounts,
        rollout=RolloutService(policy, recorder, state.rollout, accounts),
        chat=chat,
        index=index,
        state=state,
        filler=VectorFiller(index).start() if background else None,
        # One schedule owns every retention period, not a page visit (README, 무엇이 어디에 얼마나 남는가).
        retention=RetentionSchedule(settings.uploads.expiry_interval, {
            "uploads": lambda: documents.expire(documents.clock()),
            "conversations": conversations.expire, "drafts": drafting.expire}) if background else None,
    )
    documents.recover()
    if services.retention is not None:  # at start-up (after recovery), then every interval
        documents.scheduled = True
        services.retention.start()
    return services


def warm_up(services: Services) -> None:
    """Load, before anyone asks, what the first person would otherwise wait for: Kiwi's model (every search,
    the 이용 현황 topics), the shared manuals' keyword index, the 담당 부서 finder and the org chart, the embedder,
    plotly (이용 현황's charts) and the whole city's 이용 현황 figures of the page's first view."""
    started = time.perf_counter()
    try:
        from seoulai.text.korean import morphs

        morphs("서울시 행정 매뉴얼 검색을 준비합니다")
        shared = services.settings.retrieval.shared_collection
        if shared in services.index.collections():
            services.index.collection(shared).view()
            # The 담당 부서 finder reads every unit's duty lines once (about 4 s for the Seoul rule) and the chart
            # is built from the same rule: both before the first "어느 과" question rather than during it.
            services.departments.find_shared("서울광장 사용은 어느 과에서 해요?", 1)
            services.accounts.units()
        import plotly.express
        import plotly.graph_objects  # noqa: F401 - imported for its loading time only (the first chart)

        services.usage.prepare()  # the whole city's 이용 현황 as the page opens (the last 30 days)
    except Exception:  # warming is best effort (logged); the first request does the same work anyway
        log.exception("warm-up failed")
    log.info("warmed up in %.1f s", time.perf_counter() - started)


_PROCESS: dict[tuple[tuple[str, str], ...], Services] = {}
_PROCESS_LOCK = threading.Lock()


def process_services() -> Services:
    """The services of this process, shared by every browser session and the HTTP routes.

    Keyed by the SEOULAI_* environment so tests can run the app under other settings in one process.
    """
    key = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("SEOULAI_")))
    with _PROCESS_LOCK:
        if key not in _PROCESS:
            _PROCESS[key] = build_services(background=True)
            # The server's stores close before the interpreter tears down: the usage spool is folded, and no
            # DuckDB, vector store or worker thread is left running into shutdown (which aborted the process).
            atexit.register(_PROCESS[key].close)
        return _PROCESS[key]


def _usage_log(settings: Settings, fold: bool) -> UsageLog | None:
    if not settings.usage.enabled:
        return None
    data = Path(settings.data_dir)
    if settings.usage.mode == "parquet":
        return UsageLog(None, spool_dir=data / "usage-spool", parquet_dir=data / "usage",
                        replica=settings.usage.replica_id, flush_interval=settings.usage.flush_interval, fold=fold,
                        retention_days=settings.usage.retention_days)
    return UsageLog(settings.usage.db_path or data / "usage.duckdb", spool_dir=data / "usage-spool",
                    flush_interval=settings.usage.flush_interval, fold=fold, retention_days=settings.usage.retention_days)
