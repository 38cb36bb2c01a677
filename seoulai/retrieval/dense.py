"""Dense retrieval: chunk vectors from the configured embedder in Qdrant.

Embedded local storage under the index directory by default; a Qdrant server or cluster by URL
(``SEOULAI_RETRIEVAL__QDRANT_URL``) for several app replicas, with no code change. All collections share
one Qdrant collection; every point carries its collection name and searches filter on it inside Qdrant,
so access control applies before the top-k cut.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from seoulai.config import Settings
from seoulai.errors import SeoulAIError
from seoulai.ingest.types import Chunk

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from qdrant_client import QdrantClient

log = logging.getLogger(__name__)
_NAMESPACE = uuid.UUID("6f1c2b8e-5d1a-4c5e-9a57-2f0d3c9b7e11")


@dataclass
class DenseHit:
    collection: str
    chunk_id: str
    score: float


class VectorStoreError(SeoulAIError):
    code = "vector_store"


def point_id(chunk_id: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, chunk_id))


class DenseIndex:
    """Thread-safe wrapper over one QdrantClient (local mode allows one client per folder)."""

    def __init__(self, settings: Settings, embedder: "BaseEmbedding") -> None:
        from seoulai.llm.factory import embed_model_name
        from seoulai.retrieval.vector_cache import VectorCache

        self.settings = settings
        self.embedder = embedder
        model = f"{settings.embed.backend}:{embed_model_name(settings.embed)}"
        # One Qdrant collection per embedding model: switching models never mixes vectors of two spaces.
        slug = "".join(ch if ch.isalnum() else "_" for ch in model.split(":", 1)[-1]).strip("_")
        self.name = f"{settings.retrieval.qdrant_collection}_{slug}"
        self.cache = VectorCache(settings.retrieval.vector_cache or Path(settings.index_dir) / "vectors.sqlite", model)
        self._client: QdrantClient | None = None
        self._lock = threading.Lock()
        self._ready = False

    @property
    def client(self) -> "QdrantClient":
        with self._lock:
            if self._client is None:
                self._client = _Guarded(_connect(self.settings), self.settings.retrieval.qdrant_url)  # type: ignore[assignment]
            return self._client  # type: ignore[return-value]

    def _ensure_collection(self, size: int) -> None:
        from qdrant_client import models

        if self._ready:
            return
        if not self.client.collection_exists(self.name):
            self.client.create_collection(self.name, vectors_config=models.VectorParams(
                size=size, distance=models.Distance.COSINE))
            if self.settings.retrieval.qdrant_url:  # a payload index only exists on a Qdrant server
                self.client.create_payload_index(self.name, "collection", models.PayloadSchemaType.KEYWORD)
        self._ready = True

    def embed_texts(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors of the texts: from the content-hash cache where known, embedded (and cached) otherwise."""
        from seoulai.llm.failures import translate

        known = self.cache.get(texts)
        missing = [i for i in range(len(texts)) if i not in known]
        if missing:
            try:
                fresh = self.embedder.get_text_embedding_batch([texts[i] for i in missing])
            except Exception as exc:  # noqa: BLE001 - any backend failure becomes a Korean LLMError
                raise translate(exc) from exc
            self.cache.put([texts[i] for i in missing], fresh)
            known.update(zip(missing, fresh))
        return [known[i] for i in range(len(texts))]

    def upsert(self, collection: str, chunks: Sequence[Chunk], batch: int = 64) -> int:
        from qdrant_client import models

        done = 0
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            vectors = self.embed_texts([passage_text(c) for c in part])
            self._ensure_collection(len(vectors[0]))
            self.client.upsert(self.name, points=[
                models.PointStruct(id=point_id(c.id), vector=v,
                                   payload={"collection": collection, "chunk_id": c.id, "source": c.source})
                for c, v in zip(part, vectors)])
            done += len(part)
        return done

    def delete(self, chunk_ids: Sequence[str]) -> None:
        from qdrant_client import models

        if not chunk_ids or not self.client.collection_exists(self.name):
            return
        self.client.delete(self.name, points_selector=models.PointIdsList(points=[point_id(c) for c in chunk_ids]))

    def delete_collection(self, collection: str) -> None:
        from qdrant_client import models

        if not self.client.collection_exists(self.name):
            return
        self.client.delete(self.name, points_selector=models.FilterSelector(filter=_only([collection])))

    def rename_collection(self, old: str, new: str) -> None:
        from qdrant_client import models

        if not self.client.collection_exists(self.name):
            return
        self.client.set_payload(self.name, payload={"collection": new},
                                points=models.FilterSelector(filter=_only([old])))

    def known_ids(self, collection: str) -> set[str]:
        if not self.client.collection_exists(self.name):
            return set()
        ids: set[str] = set()
        offset = None
        while True:
            points, offset = self.client.scroll(self.name, scroll_filter=_only([collection]), limit=1000,
                                                offset=offset, with_payload=["chunk_id"])
            ids.update(str(p.payload["chunk_id"]) for p in points if p.payload)
            if offset is None:
                return ids

    def search(self, query: str, collections: Sequence[str], k: int,
               docs: Sequence[str] | None = None) -> list[DenseHit]:
        from seoulai.llm.failures import translate

        if not collections or not self.client.collection_exists(self.name):
            return []
        try:
            vector = self.embedder.get_query_embedding(query)
        except Exception as exc:  # noqa: BLE001
            raise translate(exc) from exc
        response = self.client.query_points(self.name, query=vector, query_filter=_only(collections, docs), limit=k,
                                            with_payload=["collection", "chunk_id"])
        return [DenseHit(str(p.payload["collection"]), str(p.payload["chunk_id"]), float(p.score))
                for p in response.points if p.payload]

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
        self.cache.close()
        from seoulai.llm.factory import close_model

        close_model(self.embedder)


class _Guarded:
    """The Qdrant client, with a server that is down, refusing or answering garbage turned into one Korean
    VectorStoreError (the callers keep keyword search and say why), whichever call met it."""

    def __init__(self, client: "QdrantClient", url: str | None) -> None:
        import httpx
        from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

        self._client = client
        self._url = url
        self._failures = (OSError, httpx.HTTPError, ResponseHandlingException, UnexpectedResponse)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        attr = getattr(self._client, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):  # type: ignore[no-untyped-def]
            try:
                return attr(*args, **kwargs)
            except self._failures as exc:
                raise self._error(exc) from exc

        return call

    def _error(self, exc: Exception) -> VectorStoreError:
        log.warning("qdrant %s failed: %r", self._url or "embedded", exc)
        where = f"Qdrant 서버({self._url})" if self._url else "내장 벡터 저장소"
        return VectorStoreError(f"의미 검색용 벡터 저장소인 {where}에 연결할 수 없어 키워드 검색만 합니다. 서버가 "
                                "켜져 있는지, 주소(SEOULAI_RETRIEVAL__QDRANT_URL)가 맞는지 확인하세요.")


def passage_text(chunk: Chunk) -> str:
    """What is embedded for a chunk: the document title, the heading path, then the text."""
    return f"{chunk.title}\n{chunk.section}\n{chunk.text}"


def _only(collections: Sequence[str], docs: Sequence[str] | None = None):  # type: ignore[no-untyped-def]
    from qdrant_client import models

    must = [models.FieldCondition(key="collection", match=models.MatchAny(any=list(collections)))]
    if docs is not None:
        must.append(models.FieldCondition(key="source", match=models.MatchAny(any=list(docs) or [""])))
    return models.Filter(must=must)


def _connect(settings: Settings) -> "QdrantClient":
    from qdrant_client import QdrantClient

    cfg = settings.retrieval
    if cfg.qdrant_url:
        key = cfg.qdrant_api_key.get_secret_value() if cfg.qdrant_api_key else None
        return QdrantClient(url=cfg.qdrant_url, api_key=key, timeout=30)
    path = Path(settings.index_dir) / "qdrant"
    path.mkdir(parents=True, exist_ok=True)
    try:
        return QdrantClient(path=str(path))
    except RuntimeError as exc:  # the embedded storage is locked by another process
        raise VectorStoreError(
            "다른 프로그램(앱 또는 다른 명령)이 벡터 색인을 사용 중입니다. 앱을 멈춘 뒤 다시 실행하거나, 여러 "
            "프로세스가 함께 쓰도록 Qdrant 서버(SEOULAI_RETRIEVAL__QDRANT_URL)를 설정하세요.") from exc
