"""Dense retrieval: chunk vectors from the configured embedder, in the vector store (seoulai.retrieval.vector_store).

An embedded Qdrant Edge shard under the index directory by default; a Qdrant server or cluster by URL
(``SEOULAI_RETRIEVAL__QDRANT_URL``) for several app replicas, with no code change. All collections share one
store; every point carries its collection name and searches filter on it inside the engine, so access control
applies before the top-k cut.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from seoulai.config import Settings
from seoulai.ingest.types import Chunk
from seoulai.retrieval.vector_store import (EdgeStore, ServerStore, StoredPoint, VectorStore, VectorStoreError,
                                            point_id)

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

log = logging.getLogger(__name__)
__all__ = ["DenseHit", "DenseIndex", "VectorStoreError", "passage_text", "point_id"]


@dataclass
class DenseHit:
    collection: str
    chunk_id: str
    score: float


class DenseIndex:
    """The embedder and the vector store together; safe to call from several threads."""

    def __init__(self, settings: Settings, embedder: "BaseEmbedding") -> None:
        from seoulai.llm.factory import embed_model_name
        from seoulai.retrieval.vector_cache import VectorCache

        self.settings = settings
        self.embedder = embedder
        model = f"{settings.embed.backend}:{embed_model_name(settings.embed)}"
        # One store per embedding model: switching models never mixes vectors of two spaces.
        slug = "".join(ch if ch.isalnum() else "_" for ch in model.split(":", 1)[-1]).strip("_")
        self.name = f"{settings.retrieval.qdrant_collection}_{slug}"
        self.cache = VectorCache(settings.retrieval.vector_cache or Path(settings.index_dir) / "vectors.sqlite", model)
        self._store: VectorStore | None = None
        self._lock = threading.Lock()

    @property
    def store(self) -> VectorStore:
        with self._lock:
            if self._store is None:
                cfg = self.settings.retrieval
                if cfg.qdrant_url:
                    key = cfg.qdrant_api_key.get_secret_value() if cfg.qdrant_api_key else None
                    self._store = ServerStore(cfg.qdrant_url, key, self.name)
                else:
                    root = Path(self.settings.index_dir)
                    self._store = EdgeStore(root / "vectors" / self.name, legacy=root / "qdrant", legacy_name=self.name)
            return self._store

    def embed_texts(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors of the texts: from the content-hash cache where known, embedded (and cached) otherwise."""
        from seoulai.llm.failures import translate

        known = self.cache.get(texts)
        # The same passage twice (a rule's text repeated in another, a re-uploaded copy) is embedded once.
        unique = list(dict.fromkeys(texts[i] for i in range(len(texts)) if i not in known))
        if unique:
            try:
                fresh = dict(zip(unique, self.embedder.get_text_embedding_batch(unique)))
            except Exception as exc:  # noqa: BLE001 - any backend failure becomes a Korean LLMError
                raise translate(exc) from exc
            self.cache.put(unique, [fresh[t] for t in unique])
            known.update((i, fresh[texts[i]]) for i in range(len(texts)) if i not in known)
        return [known[i] for i in range(len(texts))]

    def upsert(self, collection: str, chunks: Sequence[Chunk], batch: int = 64) -> int:
        done = 0
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            vectors = self.embed_texts([passage_text(c) for c in part])
            self.store.upsert([StoredPoint(point_id(c.id), v, collection, c.id, c.source)
                               for c, v in zip(part, vectors)])
            done += len(part)
        return done

    def delete(self, chunk_ids: Sequence[str]) -> None:
        self.store.delete_ids([point_id(c) for c in chunk_ids])

    def delete_collection(self, collection: str) -> None:
        self.store.delete_collection(collection)

    def rename_collection(self, old: str, new: str) -> None:
        self.store.rename_collection(old, new)

    def known_ids(self, collection: str) -> set[str]:
        return self.store.chunk_ids(collection)

    def optimize(self) -> None:
        self.store.optimize()

    def search(self, query: str, collections: Sequence[str], k: int,
               docs: Sequence[str] | None = None) -> list[DenseHit]:
        from seoulai.llm.failures import translate

        if not collections:
            return []
        try:
            vector = self.embedder.get_query_embedding(query)
        except Exception as exc:  # noqa: BLE001
            raise translate(exc) from exc
        return [DenseHit(f.collection, f.chunk_id, f.score) for f in self.store.query(vector, collections, docs, k)]

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
        self.cache.close()
        from seoulai.llm.factory import close_model

        close_model(self.embedder)


def passage_text(chunk: Chunk) -> str:
    """What is embedded for a chunk: the document title, the heading path, then the text."""
    return f"{chunk.title}\n{chunk.section}\n{chunk.text}"
