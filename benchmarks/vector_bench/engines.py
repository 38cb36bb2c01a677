"""Engine adapters, part 1: the shared interface, Qdrant (local mode, Edge), LanceDB and the in-memory graph
indexes saved as snapshots (usearch, hnswlib). sql_engines.py has sqlite-vec and DuckDB."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .data import DIM, HNSW_EF, HNSW_EF_CONSTRUCT, HNSW_M, NAMES

# ---------------------------------------------------------------------------------------------------------------
# Engines: each wraps one store behind the same small interface.


class NotInstallable(Exception):
    pass


class Engine:
    name = ""
    filtering = ""

    def __init__(self, path: Path) -> None:
        self.path = path

    def create(self) -> None: ...
    def open(self) -> None: ...
    def add(self, ids: np.ndarray, vecs: np.ndarray, cols: list[str], chunk_ids: list[str]) -> None: ...
    def finish(self) -> None: ...  # after the build: index / optimize / save
    def maintain(self) -> None: ...  # during the concurrency test, from the writer thread
    def checkpoint(self) -> None: ...  # the kill -9 writer's periodic durability step, if the engine needs one
    def search(self, q: np.ndarray, cols: list[str], k: int) -> list[int]: ...
    def delete(self, ids: np.ndarray) -> None: ...
    def count(self) -> int: ...
    def close(self) -> None: ...


class QdrantLocal(Engine):
    name = "qdrant-local"
    filtering = "in-engine: Python check of every point's payload, then numpy top-k"

    def create(self) -> None:
        from qdrant_client import QdrantClient, models

        self.c = QdrantClient(path=str(self.path))
        self.c.create_collection("bench", vectors_config=models.VectorParams(size=DIM, distance=models.Distance.COSINE))

    def open(self) -> None:
        from qdrant_client import QdrantClient

        self.c = QdrantClient(path=str(self.path))

    def add(self, ids, vecs, cols, chunk_ids):
        from qdrant_client import models

        self.c.upsert("bench", points=[models.PointStruct(id=int(i), vector=v.tolist(),
                                                          payload={"collection": c, "chunk_id": ch})
                                       for i, v, c, ch in zip(ids, vecs, cols, chunk_ids)])

    def search(self, q, cols, k):
        from qdrant_client import models

        flt = models.Filter(must=[models.FieldCondition(key="collection", match=models.MatchAny(any=cols))])
        return [int(p.id) for p in self.c.query_points("bench", query=q.tolist(), query_filter=flt, limit=k,
                                                       with_payload=False).points]

    def delete(self, ids):
        from qdrant_client import models

        self.c.delete("bench", points_selector=models.PointIdsList(points=[int(i) for i in ids]))

    def count(self) -> int:
        return self.c.count("bench", exact=True).count

    def close(self) -> None:
        self.c.close()


class QdrantEdge(Engine):
    name = "qdrant-edge"
    filtering = "in-engine: keyword payload index + payload-aware HNSW (Qdrant's query planner)"

    def create(self) -> None:
        import qdrant_edge as qe

        cfg = qe.EdgeConfig(vectors=qe.EdgeVectorParams(size=DIM, distance=qe.Distance.Cosine),
                            hnsw_config=qe.HnswIndexConfig(m=HNSW_M, ef_construct=HNSW_EF_CONSTRUCT,
                                                           full_scan_threshold=10000))
        self.s = qe.EdgeShard.create(str(self.path), cfg)
        self.s.update(qe.UpdateOperation.create_field_index("collection", qe.PayloadSchemaType.Keyword))

    def open(self) -> None:
        import qdrant_edge as qe

        self.s = qe.EdgeShard.load(str(self.path))

    def add(self, ids, vecs, cols, chunk_ids):
        import qdrant_edge as qe

        self.s.update(qe.UpdateOperation.upsert_points([
            qe.Point(int(i), v.tolist(), {"collection": c, "chunk_id": ch})
            for i, v, c, ch in zip(ids, vecs, cols, chunk_ids)]))

    def finish(self) -> None:
        self.s.optimize()
        self.s.flush()

    def maintain(self) -> None:
        self.s.optimize()

    def params(self):
        import qdrant_edge as qe

        return qe.SearchParams(hnsw_ef=HNSW_EF)

    def search(self, q, cols, k):
        import qdrant_edge as qe

        flt = qe.Filter(must=[qe.FieldCondition(key="collection", match=qe.MatchAny(any=cols))])
        return [int(p.id) for p in self.s.query(qe.QueryRequest(
            limit=k, query=qe.Query.Nearest(q.tolist()), filter=flt, with_payload=False, params=self.params()))]

    def delete(self, ids):
        import qdrant_edge as qe

        self.s.update(qe.UpdateOperation.delete_points([int(i) for i in ids]))

    def count(self) -> int:
        import qdrant_edge as qe

        return self.s.count(qe.CountRequest(exact=True))

    def close(self) -> None:
        self.s.flush()
        self.s.close()


class QdrantEdgeAcorn(QdrantEdge):
    """Qdrant Edge searching with ACORN (filter-aware graph walk) and hnsw_ef=200: not in the default list."""

    name = "qdrant-edge-acorn"
    filtering = "in-engine: as qdrant-edge, plus ACORN and hnsw_ef=200"

    def params(self):
        import qdrant_edge as qe

        return qe.SearchParams(hnsw_ef=2 * HNSW_EF, acorn=qe.AcornSearchParams(enable=True))


class Lance(Engine):
    name = "lancedb"
    filtering = "in-engine: prefilter (BITMAP scalar index on collection), IVF_HNSW_SQ, all partitions probed"

    def _schema(self):
        import pyarrow as pa

        return pa.schema([("id", pa.int64()), ("vector", pa.list_(pa.float32(), DIM)),
                          ("collection", pa.string()), ("chunk_id", pa.string())])

    def create(self) -> None:
        import lancedb

        self.db = lancedb.connect(str(self.path))
        self.t = self.db.create_table("bench", schema=self._schema())
        self.adds = 0

    def open(self) -> None:
        import lancedb

        self.db = lancedb.connect(str(self.path))
        self.t = self.db.open_table("bench")
        self.adds = 0

    def add(self, ids, vecs, cols, chunk_ids):
        import pyarrow as pa

        vec = pa.FixedSizeListArray.from_arrays(pa.array(np.ascontiguousarray(vecs).reshape(-1)), DIM)
        self.t.add(pa.Table.from_arrays([pa.array(ids), vec, pa.array(cols), pa.array(chunk_ids)],
                                        schema=self._schema()))
        self.adds += 1
        if self.adds % 256 == 0:  # one fragment per append: compact now and then, as an application would
            self.t.optimize()

    def finish(self) -> None:
        from datetime import timedelta

        self.t.optimize(cleanup_older_than=timedelta(seconds=0))  # compact the one-fragment-per-batch appends
        n = self.t.count_rows()
        # IVF_HNSW_SQ: as accurate as IVF_PQ with refine x10 here and 4-5x faster to build (IVF_PQ's codebook
        # training took 70-100 s at 34k on 2 cores)
        self.t.create_index(metric="cosine", vector_column_name="vector", index_type="IVF_HNSW_SQ",
                            num_partitions=max(1, n // 100_000), m=HNSW_M, ef_construction=HNSW_EF_CONSTRUCT)
        self.t.create_scalar_index("collection", index_type="BITMAP")
        self.t.optimize(cleanup_older_than=timedelta(seconds=0))

    def maintain(self) -> None:
        self.t.optimize()

    def search(self, q, cols, k):
        where = "collection IN (" + ",".join(f"'{c}'" for c in cols) + ")"
        r = (self.t.search(q, vector_column_name="vector").distance_type("cosine").where(where, prefilter=True)
             .nprobes(20).ef(HNSW_EF).limit(k).select(["id"]).to_arrow())
        return r.column("id").to_pylist()

    def delete(self, ids):
        self.t.delete("id IN (" + ",".join(str(int(i)) for i in ids) + ")")

    def count(self) -> int:
        return self.t.count_rows()

    def close(self) -> None:
        pass


class _Snapshot(Engine):
    """A graph index held in memory and saved whole (usearch, hnswlib): the payload (the collection code of each
    id) lives beside it, in memory and in a .npy saved with every snapshot; chunk ids would stay in the app."""

    def _load_codes(self) -> None:
        self.codes = dict(np.load(self.path / "codes.npy", allow_pickle=False).tolist()) \
            if (self.path / "codes.npy").exists() else {}

    def _save_codes(self, tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.save(f, np.array(list(self.codes.items()), dtype=np.int64).reshape(-1, 2))
            f.flush()
            os.fsync(f.fileno())

    def _remember(self, ids: np.ndarray, cols: list[str]) -> None:
        code = {c: i for i, c in enumerate(NAMES)}
        self.codes.update({int(i): code[c] for i, c in zip(ids, cols)})

    def checkpoint(self) -> None:
        """Atomic snapshot: index and codes to temporary files, fsync, rename (index first, codes last)."""
        tmp = self.path / "index.tmp"
        self._save_index(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, self.path / "index.bin")
        self._save_codes(self.path / "codes.tmp")
        os.replace(self.path / "codes.tmp", self.path / "codes.npy")

    finish = checkpoint
    maintain = checkpoint

    def close(self) -> None:
        self.checkpoint()

    def _save_index(self, path: Path) -> None: ...


class USearch(_Snapshot):
    name = "usearch"
    filtering = "post-filter: the Python API has no filter; over-fetch k/selectivity x2, grow x4 until k remain"

    def _new(self):
        from usearch.index import Index

        return Index(ndim=DIM, metric="cos", dtype="f32", connectivity=HNSW_M, expansion_add=HNSW_EF_CONSTRUCT,
                     expansion_search=HNSW_EF)

    def create(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        self.ix, self.codes = self._new(), {}

    def open(self) -> None:
        self.ix = self._new()
        self.ix.load(str(self.path / "index.bin"))
        self._load_codes()
        self.sizes = np.bincount(list(self.codes.values()), minlength=len(NAMES))

    def add(self, ids, vecs, cols, chunk_ids):
        self.ix.add(ids.astype(np.uint64), vecs)
        self._remember(ids, cols)

    def _save_index(self, path: Path) -> None:
        self.ix.save(str(path))

    def search(self, q, cols, k):
        allowed = {NAMES.index(c) for c in cols}
        total = max(len(self.codes), 1)
        share = max(sum(int(self.sizes[c]) for c in allowed) / total, 1e-4) if hasattr(self, "sizes") else 0.1
        fetch = max(4 * k, int(2 * k / share))
        while True:
            m = self.ix.search(q, fetch)
            hits = [int(i) for i in m.keys if self.codes.get(int(i), -1) in allowed][:k]
            if len(hits) >= k or fetch >= len(self.ix):
                return hits
            fetch *= 4

    def delete(self, ids):
        self.ix.remove(ids.astype(np.uint64))
        for i in ids:
            self.codes.pop(int(i), None)

    def count(self) -> int:
        return len(self.ix)


class Hnswlib(_Snapshot):
    name = "hnswlib"
    filtering = "in-engine: Python callback checked on every graph candidate (filter= of knn_query)"
    headroom = 150_000

    def create(self) -> None:
        import hnswlib

        self.path.mkdir(parents=True, exist_ok=True)
        self.ix = hnswlib.Index(space="cosine", dim=DIM)
        n = int(os.environ.get("BENCH_SIZE", "0"))
        self.ix.init_index(max_elements=n + self.headroom, ef_construction=HNSW_EF_CONSTRUCT, M=HNSW_M)
        self.ix.set_ef(HNSW_EF)
        self.codes = {}

    def open(self) -> None:
        import hnswlib

        self._load_codes()
        self.ix = hnswlib.Index(space="cosine", dim=DIM)
        self.ix.load_index(str(self.path / "index.bin"), max_elements=len(self.codes) + self.headroom)
        self.ix.set_ef(HNSW_EF)

    def add(self, ids, vecs, cols, chunk_ids):
        self._remember(ids, cols)
        self.ix.add_items(vecs, ids)

    def _save_index(self, path: Path) -> None:
        self.ix.save_index(str(path))

    def search(self, q, cols, k):
        allowed = {NAMES.index(c) for c in cols}
        codes = self.codes
        labels, _ = self.ix.knn_query(q, k=k, num_threads=1, filter=lambda i: codes.get(i, -1) in allowed)
        return [int(x) for x in labels[0]]

    def delete(self, ids):
        for i in ids:
            self.ix.mark_deleted(int(i))
            self.codes.pop(int(i), None)

    def count(self) -> int:
        return len(self.codes)  # hnswlib counts marked-deleted points too; the saved codes are the live ids
