"""Composition root: build every service from settings, once, and hand them to the UI and the CLI."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from seoulai.config import Settings
from seoulai.llm import ChatModel, HealthReport, build_embedder, build_llm, check_health
from seoulai.retrieval.service import SearchService

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

    def health(self) -> HealthReport:
        return check_health(self.settings)


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
    return Services(settings=settings, chat=chat, embedder=embedder, search=SearchService(settings, embedder))
