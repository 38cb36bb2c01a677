"""Engine adapters, part 2: the SQL-hosted stores, sqlite-vec and DuckDB (exact scan and the VSS HNSW index)."""

from __future__ import annotations

import threading

import numpy as np

from .data import DIM, HNSW_EF_CONSTRUCT, HNSW_M
from .engines import Engine, NotInstallable


class SqliteVec(Engine):
    name = "sqlite-vec"
    filtering = "in-engine: vec0 partition key (exact scan of the 3 partitions; k per partition, merged in Python)"

    def _conn(self):
        c = getattr(self.local, "c", None)
        if c is None:
            import sqlite3

            if not hasattr(sqlite3.Connection, "enable_load_extension"):
                # this Python's sqlite3 is built without extension loading: the pysqlite3-binary wheel has it
                import pysqlite3.dbapi2 as sqlite3  # type: ignore[import-not-found, no-redef]  # optional
            c = sqlite3.connect(str(self.path / "vec.db"), timeout=60, check_same_thread=False)
            c.enable_load_extension(True)
            import sqlite_vec

            sqlite_vec.load(c)
            c.execute("pragma journal_mode=wal")
            c.execute("pragma synchronous=normal")
            self.local.c = c
            self.all.append(c)
        return c

    def create(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        self.local, self.all = threading.local(), []
        self._conn().execute(f"create virtual table v using vec0(id integer primary key, embedding float[{DIM}] "
                             "distance_metric=cosine, collection text partition key, +chunk_id text)")

    def open(self) -> None:
        self.local, self.all = threading.local(), []
        self._conn()

    def add(self, ids, vecs, cols, chunk_ids):
        c = self._conn()
        with c:
            c.executemany("insert into v(id, embedding, collection, chunk_id) values (?, ?, ?, ?)",
                          [(int(i), v.tobytes(), col, ch) for i, v, col, ch in zip(ids, vecs, cols, chunk_ids)])

    def search(self, q, cols, k):
        marks = ",".join("?" * len(cols))
        rows = self._conn().execute(
            f"select id, distance from v where embedding match ? and k = ? and collection in ({marks})",  # noqa: S608 - ? marks
            [q.astype(np.float32).tobytes(), k, *cols]).fetchall()
        return [r[0] for r in sorted(rows, key=lambda r: r[1])[:k]]  # k per partition: merge the 3 lists

    def delete(self, ids):
        c = self._conn()
        with c:
            c.execute("delete from v where id in (" + ",".join(str(int(i)) for i in ids) + ")")  # noqa: S608 - int ids

    def count(self) -> int:
        return self._conn().execute("select count(*) from v").fetchone()[0]

    def close(self) -> None:
        for c in self.all:
            c.close()


class DuckScan(Engine):
    name = "duckdb-scan"
    filtering = "in-engine: WHERE collection IN (...) then exact array_cosine_distance ORDER BY ... LIMIT (no index)"
    vss = False

    def _connect(self) -> None:
        import duckdb

        self.con = duckdb.connect(str(self.path / "db.duckdb"))
        self.local = threading.local()
        if self.vss:
            try:
                self.con.execute("INSTALL vss")
                self.con.execute("LOAD vss")
            except Exception as exc:  # no network to extensions.duckdb.org
                self.con.close()
                raise NotInstallable(f"not installable offline: {str(exc).splitlines()[0][:160]}") from exc
            self.con.execute("SET hnsw_enable_experimental_persistence = true")

    def _cur(self):
        c = getattr(self.local, "c", None)
        if c is None:
            c = self.local.c = self.con.cursor()
        return c

    def create(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        self._connect()
        self.con.execute(f"create table t(id bigint primary key, vec float[{DIM}], collection varchar, "
                         "chunk_id varchar)")

    def open(self) -> None:
        self._connect()

    def add(self, ids, vecs, cols, chunk_ids):
        import pyarrow as pa

        vec = pa.FixedSizeListArray.from_arrays(pa.array(np.ascontiguousarray(vecs).reshape(-1)), DIM)
        batch = pa.Table.from_arrays([pa.array(ids), vec, pa.array(cols), pa.array(chunk_ids)],
                                     names=["id", "vec", "collection", "chunk_id"])
        cur = self._cur()
        cur.register("batch_rows", batch)
        cur.execute("insert into t select * from batch_rows")
        cur.unregister("batch_rows")

    def finish(self) -> None:
        if self.vss:
            self.con.execute("create index hnsw_idx on t using hnsw (vec) with (metric = 'cosine', "
                             f"M = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCT})")
        self.con.execute("checkpoint")

    def maintain(self) -> None:
        self._cur().execute("checkpoint")

    def search(self, q, cols, k):
        marks = ",".join("?" * len(cols))
        rows = self._cur().execute(
            f"select id from t where collection in ({marks}) order by array_cosine_distance(vec, ?::float[{DIM}]) "  # noqa: S608 - ? marks, DIM
            "limit ?", [*cols, q.tolist(), k]).fetchall()
        return [r[0] for r in rows]

    def delete(self, ids):
        self._cur().execute("delete from t where id in (" + ",".join(str(int(i)) for i in ids) + ")")  # noqa: S608 - int ids

    def count(self) -> int:
        return self._cur().execute("select count(*) from t").fetchall()[0][0]

    def close(self) -> None:
        self.con.close()


class DuckVss(DuckScan):
    name = "duckdb-vss"
    filtering = "HNSW index scan, WHERE applied after the index's top-k (no pre-filter)"
    vss = True
