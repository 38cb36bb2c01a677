"""Where chunk vectors live: an embedded Qdrant Edge shard under the index dir (default), or a Qdrant server.

Both hold the same data model (a point per chunk: a UUID made from the chunk id, the vector, and a payload with
``collection``, ``chunk_id`` and ``source``) and both filter on the payload inside the engine, so access control
applies before the top-k cut. The choice was measured (BENCHMARKS.md, "Vector engines"): Qdrant Edge is Qdrant's
in-process engine (Apache-2.0), safe with readers and a writer in one process, recovers from kill -9 through its
write-ahead log, and keeps the Qdrant server as the scale-out path with no change to the data.

Every engine failure, of any type, leaves this module as one Korean ``VectorStoreError``: the callers answer
from keywords and say why. Indexes written by the earlier engine (qdrant-client's local mode, folder
``qdrant/``) are copied into Edge shards on first open and the old folder is removed.
"""

from __future__ import annotations

import logging
import shutil
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from seoulai.errors import SeoulAIError

log = logging.getLogger(__name__)
T = TypeVar("T")


class VectorStoreError(SeoulAIError):
    code = "vector_store"

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail  # for the log, never shown


@dataclass(frozen=True)
class StoredPoint:
    id: str
    vector: list[float]
    collection: str
    chunk_id: str
    source: str


@dataclass(frozen=True)
class Found:
    collection: str
    chunk_id: str
    score: float


class VectorStore(Protocol):
    def upsert(self, points: Sequence[StoredPoint]) -> None: ...
    def delete_ids(self, ids: Sequence[str]) -> None: ...
    def rename_collection(self, old: str, new: str) -> None: ...
    def chunk_ids(self, collection: str) -> set[str]: ...
    def query(self, vector: Sequence[float], collections: Sequence[str], docs: Sequence[str] | None,
              k: int) -> list[Found]: ...
    def optimize(self) -> None: ...
    def close(self) -> None: ...


_BUSY = ("다른 프로그램(앱 또는 다른 명령)이 벡터 색인을 사용 중입니다. 앱을 멈춘 뒤 다시 실행하거나, 여러 프로세스가 "
         "함께 쓰도록 Qdrant 서버(SEOULAI_RETRIEVAL__QDRANT_URL)를 설정하세요. 키워드 검색은 그대로 됩니다.")
_BROKEN = ("내장 벡터 저장소를 읽지 못해 이번 검색은 키워드로만 했습니다. 계속되면 관리자에게 알리고 "
           "`seoulai reindex`로 의미 검색 색인을 다시 만드세요.")


class EdgeStore:
    """One Qdrant Edge shard (a folder) per embedding model. Opened on first use; all calls are translated."""

    def __init__(self, folder: Path, legacy: Path | None = None, legacy_name: str = "") -> None:
        self.folder = folder
        self.legacy = legacy
        self.legacy_name = legacy_name
        self._shard: Any = None
        self._lock = threading.Lock()

    def _open(self, size: int | None = None) -> Any:
        """The shard; created on the first write (``size`` known), or from the earlier engine's folder. None
        while nothing was ever written (reads find nothing)."""
        with self._lock:
            if self._shard is None:
                if (self.folder / "edge_config.json").is_file():
                    self._shard = self._load(create=None)
                else:
                    size = size or _legacy_size(self.legacy, self.legacy_name)
                    if size:
                        self._shard = self._load(create=size)
            return self._shard

    def _load(self, create: int | None) -> Any:
        import qdrant_edge as qe

        try:
            if create:
                # A folder left by a create that died before its config was written holds nothing worth keeping.
                shutil.rmtree(self.folder, ignore_errors=True)
                self.folder.mkdir(parents=True, exist_ok=True)
                shard = qe.EdgeShard.create(str(self.folder), qe.EdgeConfig(
                    vectors=qe.EdgeVectorParams(size=create, distance=qe.Distance.Cosine)))
                for key in ("collection", "source"):
                    shard.update(qe.UpdateOperation.create_field_index(key, qe.PayloadSchemaType.Keyword))
            else:
                shard = qe.EdgeShard.load(str(self.folder))
        except Exception as exc:  # the engine raises a bare Exception for a held WAL lock
            text = str(exc)
            if "WouldBlock" in text:
                raise VectorStoreError(_BUSY, detail=text) from exc
            log.exception("vector store %s could not be opened", self.folder)
            raise VectorStoreError(_BROKEN, detail=text) from exc
        if create and self.legacy is not None:
            _migrate(self.legacy, self.legacy_name, shard)
        return shard

    def _call(self, what: Callable[[Any], T], size: int | None = None, empty: T | None = None) -> T:
        shard = self._open(size)
        if shard is None:
            return empty  # type: ignore[return-value]  # nothing stored yet: the caller's empty answer
        try:
            return what(shard)
        except VectorStoreError:
            raise
        except Exception as exc:  # any engine failure becomes the Korean notice (keyword search goes on)
            log.exception("vector store %s failed", self.folder)
            raise VectorStoreError(_BROKEN, detail=repr(exc)) from exc

    def upsert(self, points: Sequence[StoredPoint]) -> None:
        import qdrant_edge as qe

        batch = [qe.Point(id=p.id, vector=list(p.vector),
                          payload={"collection": p.collection, "chunk_id": p.chunk_id, "source": p.source})
                 for p in points]
        if batch:
            self._call(lambda s: s.update(qe.UpdateOperation.upsert_points(batch)), size=len(points[0].vector))

    def delete_ids(self, ids: Sequence[str]) -> None:
        import qdrant_edge as qe

        if ids:
            self._call(lambda s: s.update(qe.UpdateOperation.delete_points(list(ids))))

    def rename_collection(self, old: str, new: str) -> None:
        import qdrant_edge as qe

        self._call(lambda s: s.update(qe.UpdateOperation.set_payload_by_filter(_edge_filter([old]),
                                                                               {"collection": new})))

    def chunk_ids(self, collection: str) -> set[str]:
        import qdrant_edge as qe

        def scroll(shard: Any) -> set[str]:
            ids: set[str] = set()
            offset = None
            while True:
                records, offset = shard.scroll(qe.ScrollRequest(
                    offset=offset, limit=2000, filter=_edge_filter([collection]),
                    with_payload=qe.PayloadSelector.Include(["chunk_id"])))
                ids.update(str(r.payload["chunk_id"]) for r in records if r.payload)
                if offset is None:
                    return ids

        return self._call(scroll, empty=set())

    def query(self, vector: Sequence[float], collections: Sequence[str], docs: Sequence[str] | None,
              k: int) -> list[Found]:
        import qdrant_edge as qe

        request = qe.QueryRequest(limit=k, query=qe.Query.Nearest(list(vector)), filter=_edge_filter(collections, docs),
                                  with_payload=qe.PayloadSelector.Include(["collection", "chunk_id"]))
        points: list[Any] = self._call(lambda s: s.query(request), empty=[])
        return [Found(str(p.payload["collection"]), str(p.payload["chunk_id"]), float(p.score))
                for p in points if p.payload]

    def optimize(self) -> None:
        """Build the HNSW graph of what was written (a plain scan serves until then)."""
        self._call(lambda s: s.optimize())

    def count(self) -> int:
        import qdrant_edge as qe

        return int(self._call(lambda s: s.count(qe.CountRequest()), empty=0))

    def close(self) -> None:
        with self._lock:
            if self._shard is not None:
                try:
                    self._shard.flush()
                    self._shard.close()
                except Exception:  # closing must not fail the shutdown
                    log.exception("vector store %s did not close cleanly", self.folder)
                self._shard = None


def _edge_filter(collections: Sequence[str], docs: Sequence[str] | None = None) -> Any:
    import qdrant_edge as qe

    must: list[qe.ConditionType] = [qe.FieldCondition(key="collection", match=qe.MatchAny(any=list(collections)))]
    if docs is not None:
        must.append(qe.FieldCondition(key="source", match=qe.MatchAny(any=list(docs) or [""])))
    return qe.Filter(must=must)


def _legacy_size(legacy: Path | None, name: str) -> int | None:
    """The vector size of collection ``name`` in a qdrant-client local-mode folder, if it holds one."""
    import json

    if legacy is None:
        return None
    try:
        meta = json.loads((legacy / "meta.json").read_text(encoding="utf-8"))
        vectors = meta["collections"][name]["vectors"]
        return int(vectors["size"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _migrate(legacy: Path, name: str, shard: Any) -> None:
    """Copy the points of collection ``name`` from a qdrant-client local-mode folder into a new Edge shard; the
    old folder goes once none of its collections is left to copy. A failure leaves the old folder in place (the
    filler embeds what is missing, from the vector cache where it can)."""
    import qdrant_edge as qe

    if not (legacy / "collection" / name).is_dir():
        return
    try:
        from qdrant_client import QdrantClient

        client = QdrantClient(path=str(legacy))
        try:
            offset, copied = None, 0
            while True:
                records, offset = client.scroll(name, limit=1000, offset=offset, with_vectors=True, with_payload=True)
                points = [qe.Point(id=str(r.id), vector=list(r.vector), payload=dict(r.payload or {}))  # type: ignore[arg-type]  # local mode returns a plain list
                          for r in records if r.vector is not None]
                if points:
                    shard.update(qe.UpdateOperation.upsert_points(points))
                    copied += len(points)
                if offset is None:
                    break
            shard.flush()
            client.delete_collection(name)
            left = client.get_collections().collections
        finally:
            client.close()
        log.info("moved %d vectors of %s from qdrant local mode to Qdrant Edge", copied, name)
        if not left:
            shutil.rmtree(legacy, ignore_errors=True)
    except Exception:  # a failed copy only means re-embedding (mostly from the cache)
        log.exception("vectors in %s could not be moved; they will be embedded again", legacy)


class ServerStore:
    """A Qdrant server or cluster by URL: several app replicas share it."""

    def __init__(self, url: str, api_key: str | None, name: str) -> None:
        import httpx
        from qdrant_client import QdrantClient
        from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

        self.url = url
        self.name = name
        self._client = QdrantClient(url=url, api_key=api_key, timeout=30)
        self._failures = (OSError, httpx.HTTPError, ResponseHandlingException, UnexpectedResponse)
        self._ready = False

    def _call(self, what: Callable[[Any], T]) -> T:
        try:
            return what(self._client)
        except self._failures as exc:
            log.warning("qdrant %s failed: %r", self.url, exc)
            raise VectorStoreError(f"의미 검색용 벡터 저장소인 Qdrant 서버({self.url})에 연결할 수 없어 키워드 검색만 "
                                   "합니다. 서버가 켜져 있는지, 주소(SEOULAI_RETRIEVAL__QDRANT_URL)가 맞는지 확인하세요.",
                                   detail=repr(exc)) from exc

    def _exists(self) -> bool:
        return self._ready or bool(self._call(lambda c: c.collection_exists(self.name)))

    def upsert(self, points: Sequence[StoredPoint]) -> None:
        from qdrant_client import models

        if not points:
            return
        if not self._exists():
            self._call(lambda c: c.create_collection(self.name, vectors_config=models.VectorParams(
                size=len(points[0].vector), distance=models.Distance.COSINE)))
            self._call(lambda c: [c.create_payload_index(self.name, key, models.PayloadSchemaType.KEYWORD)
                                  for key in ("collection", "source")])
        self._ready = True
        self._call(lambda c: c.upsert(self.name, points=[
            models.PointStruct(id=p.id, vector=list(p.vector),
                               payload={"collection": p.collection, "chunk_id": p.chunk_id, "source": p.source})
            for p in points]))

    def delete_ids(self, ids: Sequence[str]) -> None:
        from qdrant_client import models

        if ids and self._exists():
            self._call(lambda c: c.delete(self.name, points_selector=models.PointIdsList(points=list(ids))))

    def rename_collection(self, old: str, new: str) -> None:
        from qdrant_client import models

        if self._exists():
            self._call(lambda c: c.set_payload(self.name, payload={"collection": new},
                                               points=models.FilterSelector(filter=_server_filter([old]))))

    def chunk_ids(self, collection: str) -> set[str]:
        if not self._exists():
            return set()
        ids: set[str] = set()
        offset = None
        while True:
            points, offset = self._call(lambda c: c.scroll(self.name, scroll_filter=_server_filter([collection]),
                                                           limit=1000, offset=offset, with_payload=["chunk_id"]))  # noqa: B023 - called at once
            ids.update(str(p.payload["chunk_id"]) for p in points if p.payload)
            if offset is None:
                return ids

    def query(self, vector: Sequence[float], collections: Sequence[str], docs: Sequence[str] | None,
              k: int) -> list[Found]:
        if not self._exists():
            return []
        response = self._call(lambda c: c.query_points(self.name, query=list(vector),
                                                       query_filter=_server_filter(collections, docs), limit=k,
                                                       with_payload=["collection", "chunk_id"]))
        return [Found(str(p.payload["collection"]), str(p.payload["chunk_id"]), float(p.score))
                for p in response.points if p.payload]

    def optimize(self) -> None:
        """The server optimises on its own."""

    def close(self) -> None:
        self._client.close()


def _server_filter(collections: Sequence[str], docs: Sequence[str] | None = None) -> Any:
    from qdrant_client import models

    must: list[models.Condition] = [
        models.FieldCondition(key="collection", match=models.MatchAny(any=list(collections)))]
    if docs is not None:
        must.append(models.FieldCondition(key="source", match=models.MatchAny(any=list(docs) or [""])))
    return models.Filter(must=must)


_NAMESPACE = uuid.UUID("6f1c2b8e-5d1a-4c5e-9a57-2f0d3c9b7e11")


def point_id(chunk_id: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, chunk_id))
