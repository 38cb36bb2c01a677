"""Dense retrieval: chunk vectors from the configured embedder, in the vector store (seoulai.retrieval.vector_store).

An embedded Qdrant Edge shard under the index directory by default; a Qdrant server or cluster by URL
(``SEOULAI_RETRIEVAL__QDRANT_URL``) for several app replicas, with no code change. All collections share one
store; every point carries its collection name and searches filter on it inside the engine, so access control
applies before the top-k cut.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Container, Iterable, Sequence
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
__all__ = ["DenseHit", "DenseIndex", "VectorStoreError", "passage_text", "point_id", "source_key"]


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
        self._wait_for_model = True  # the CLI and benchmarks: a search waits for the model (see load_in_background)
        self._loading: threading.Thread | None = None

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

    def ready(self) -> bool:
        """Whether the embedder would embed a query at once; never waits. The embedded model is not until it is
        built (first use on a machine, ~15 s) and loaded; a served embedder (Ollama, OpenAI-compatible) always is."""
        ready = getattr(self.embedder, "ready", None)
        return bool(ready()) if callable(ready) else True

    def load_in_background(self) -> None:
        """The app server: build and load the embedder's model in a background thread now, and until it is ready a
        search skips its dense side (answers from keywords, as it would with the vectors still empty) rather than
        waiting behind the build: questions never wait behind indexing."""
        self._wait_for_model = False
        prepare = getattr(self.embedder, "prepare", None)
        if callable(prepare) and not self.ready():
            self._loading = prepare()

    def embed_texts(self, texts: Sequence[str], keep: Callable[[], Container[str]] | None = None) -> list[list[float]]:
        """Vectors of the texts: from the content-hash cache where known, embedded (and cached: with ``keep``, only
        the texts it names when asked under the cache's lock, see ``upsert``) otherwise."""
        from seoulai.llm.failures import translate

        known = self.cache.get(texts)
        # The same passage twice (a rule's text repeated in another, a re-uploaded copy) is embedded once.
        unique = list(dict.fromkeys(texts[i] for i in range(len(texts)) if i not in known))
        if unique:
            try:
                fresh = dict(zip(unique, self.embedder.get_text_embedding_batch(unique)))
            except Exception as exc:  # any backend failure becomes a Korean LLMError
                raise translate(exc) from exc
            self.cache.put(unique, [fresh[t] for t in unique], keep)
            known.update((i, fresh[texts[i]]) for i in range(len(texts)) if i not in known)
        return [known[i] for i in range(len(texts))]

    def upsert(self, collection: str, chunks: Sequence[Chunk], batch: int = 64,
               live: Callable[[Sequence[Chunk]], set[str]] | None = None) -> int:
        """Embed the chunks and store their vectors; returns how many were stored.

        ``live`` (the background filler, which embeds while a person may delete the document): the ids of the given
        chunks still in their collection's live generation, read afresh. A deletion makes its generation live, then
        forgets the passages in the cache, then deletes their points. ``live`` is asked inside the cache's write
        lock, so a passage deleted while it was being embedded is not cached again; and asked again after the points
        are written, so points written after the deletion removed its own go too."""
        done = 0
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            keep = None if live is None else _live_texts(part, live)
            vectors = self.embed_texts([passage_text(c) for c in part], keep)
            pairs = list(zip(part, vectors))
            if live is not None:
                alive = live(part)
                pairs = [(c, v) for c, v in pairs if c.id in alive]
            self.store.upsert([StoredPoint(point_id(c.id), v, collection, c.id, source_key(c.source))
                               for c, v in pairs])
            if live is not None and pairs:
                gone = {c.id for c, _ in pairs} - live(part)
                if gone:
                    self.delete(sorted(gone))
                    pairs = [(c, v) for c, v in pairs if c.id not in gone]
            done += len(pairs)
        return done

    def forget(self, chunks: Iterable[Chunk]) -> None:
        """Passages that left their collection leave the vector cache too (their points go by ``delete``)."""
        self.cache.forget(passage_text(c) for c in chunks)

    def delete(self, chunk_ids: Sequence[str]) -> None:
        self.store.delete_ids([point_id(c) for c in chunk_ids])

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
        if not self._wait_for_model and not self.ready():
            log.debug("embedding model still being prepared: keyword search only")
            return []
        try:
            vector = self.embedder.get_query_embedding(query)
        except Exception as exc:
            raise translate(exc) from exc
        # Points written before names were keyed carry the plain name: both match until they are embedded again.
        keys = None if docs is None else [*map(source_key, docs), *docs]
        return [DenseHit(f.collection, f.chunk_id, f.score) for f in self.store.query(vector, collections, keys, k)]

    def close(self) -> None:
        if self._loading is not None:  # a model loaded after close_model would keep its worker threads
            self._loading.join(timeout=120)
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
        self.cache.close()
        from seoulai.llm.factory import close_model

        close_model(self.embedder)


def source_key(source: str) -> str:
    """What a point's payload holds instead of its document's file name: the vector store's segments and WAL keep
    a deleted point's payload bytes until they are compacted, and a file name may itself be personal."""
    return "sha256:" + hashlib.sha256(source.encode("utf-8")).hexdigest()


def _live_texts(chunks: Sequence[Chunk], live: Callable[[Sequence[Chunk]], set[str]]) -> Callable[[], set[str]]:
    """``live`` as the cache asks it: the passage texts of the chunks still live."""
    def texts() -> set[str]:
        alive = live(chunks)
        return {passage_text(c) for c in chunks if c.id in alive}

    return texts


def passage_text(chunk: Chunk) -> str:
    """What is embedded for a chunk: the document title, the heading path, then the text."""
    return f"{chunk.title}\n{chunk.section}\n{chunk.text}"
