"""The usage event log: every process spools its events (see spool.py); one folds them into storage.

- ``duckdb`` mode (one machine): whichever process holds the DuckDB file (the app) folds every process's spool
  into the ``events`` table, each file's read offset committed in the same transaction as its rows, so every
  event lands exactly once even across crashes.
- ``parquet`` mode (several app servers): each server folds its own spool into Parquet parts under
  ``replica=<id>/``, named by the spool offsets they cover (a re-fold after a crash resumes after the last part);
  the dashboard reads every server's parts together. A server that dies leaves its spool to any live server,
  which folds it into the dead server's partition exactly once (see handover.py).

Events older than ``usage.retention_days`` leave every usage file (see retention.py).

``record`` never blocks on storage and never drops an event: if no process is folding, events wait in the
spool until one does.
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seoulai.errors import InputError
from seoulai.usage import handover, retention
from seoulai.usage.spool import Spool, SpoolFile, read_lines, spool_files

if TYPE_CHECKING:  # imported when used: pyarrow and the queries are only needed by some processes
    import pyarrow as pa

    from seoulai.usage.queries import Analytics

log = logging.getLogger(__name__)

COLUMNS = ("ts", "event_id", "user_id", "department", "role", "feature", "action", "model", "latency_ms",
           "ttft_ms", "tokens_in", "tokens_out", "sources", "outcome", "error_code", "rating", "comment",
           "ref_id", "query", "minutes_saved", "owner", "rule")
SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    ts TIMESTAMP NOT NULL, event_id VARCHAR NOT NULL, user_id VARCHAR, department VARCHAR, role VARCHAR,
    feature VARCHAR NOT NULL, action VARCHAR NOT NULL, model VARCHAR, latency_ms DOUBLE, ttft_ms DOUBLE,
    tokens_in INTEGER, tokens_out INTEGER, sources INTEGER, outcome VARCHAR, error_code VARCHAR,
    rating INTEGER, comment VARCHAR, ref_id VARCHAR, query VARCHAR, minutes_saved DOUBLE, owner VARCHAR, rule VARCHAR
);
ALTER TABLE events ADD COLUMN IF NOT EXISTS owner VARCHAR;
ALTER TABLE events ADD COLUMN IF NOT EXISTS rule VARCHAR;
CREATE TABLE IF NOT EXISTS spool_offsets (file VARCHAR PRIMARY KEY, "offset" BIGINT NOT NULL)
"""
EXPIRE_EVERY = 3600.0  # seconds between retention passes of a folding process (the first runs at start)
HELD = ("이용 기록 데이터베이스를 다른 프로그램(실행 중인 앱)이 쓰고 있어 여기서는 읽을 수 없습니다. 앱의 이용 현황 화면에서 "
        "보거나, 앱을 멈춘 뒤 다시 실행하세요. 기록은 빠짐없이 모였다가 앱이 합칩니다.")


@dataclass
class UsageEvent:
    feature: str  # manual_search | doc_qa | drafting | usage | library
    action: str  # ask | search | feedback | upload | export | ...
    user_id: str = ""
    department: str = ""
    role: str = ""
    model: str = ""
    latency_ms: float | None = None
    ttft_ms: float | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    sources: int | None = None
    outcome: str = "ok"  # ok | no_answer | error
    error_code: str | None = None
    rating: int | None = None  # 1 = 👍, -1 = 👎
    comment: str | None = None
    ref_id: str | None = None  # feedback points at the event it rates
    query: str | None = None
    minutes_saved: float | None = None
    owner: str | None = None  # a question without grounds: the department whose manual came closest (or 공통)
    rule: str | None = None  # ... and the title of that closest document (what to write next, and where)
    ts: datetime = field(default_factory=lambda: datetime.now(timezone.utc).replace(tzinfo=None))
    event_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def row(self) -> dict[str, Any]:
        data = asdict(self)
        data["ts"] = self.ts.isoformat()
        return {c: data[c] for c in COLUMNS}


class UsageLog:
    """Thread-safe event sink; ``fold=True`` (the app) folds in the background every ``flush_interval``."""

    def __init__(self, path: Path | None, spool_dir: Path | None = None, parquet_dir: Path | None = None,
                 replica: str = "", flush_interval: float = 1.0, fold: bool = False,
                 retention_days: int | None = None) -> None:
        self.path = path
        self.parquet_dir = parquet_dir
        self.replica = replica or f"{socket.gethostname()}-{os.getpid()}"
        self.flush_interval = flush_interval
        self.retention_days = retention_days
        self._expired: datetime | None = None  # the cutoff of the last retention pass
        self._temp: tempfile.TemporaryDirectory[str] | None = None
        if spool_dir is None:
            self._temp = tempfile.TemporaryDirectory(prefix="seoulai-spool-")
            spool_dir = Path(self._temp.name)
        self.spool_base = base = spool_dir
        # Several servers: each has its own spool folder, locked while it lives (a dead one's is folded by another).
        self._owned: handover.FolderLock | None = None
        if parquet_dir is not None:
            self.replica, self._owned = handover.own(base, self.replica)
        self.spool_dir = base / f"replica={self.replica}" if parquet_dir is not None else base
        self.spool = Spool(self.spool_dir, self.replica.replace("-", "_"))
        self.enabled = True
        self.written = 0
        self._db: Any = None
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if fold:
            self._thread = threading.Thread(target=self._run, name="usage-folder", daemon=True)
            self._thread.start()
        atexit.register(self.close)

    # -- writing ---------------------------------------------------------------------------------------------
    def record(self, event: UsageEvent) -> str:
        self.spool.append(event.row())
        return event.event_id

    def append_table(self, table: Any) -> int:
        """Bulk rows in the event schema (demo data, imports): a Parquet file in the spool, folded like events."""
        import pyarrow.parquet as pq

        self.spool_dir.mkdir(parents=True, exist_ok=True)
        name = f"bulk-{time.time_ns()}-{os.getpid()}"
        tmp = self.spool_dir / f".{name}.tmp"
        pq.write_table(table, tmp)
        os.replace(tmp, self.spool_dir / f"{name}.parquet")
        self.flush()
        return int(table.num_rows)

    # -- folding ------------------------------------------------------------------------------------------------
    def _run(self) -> None:
        expired = float("-inf")
        while not self._stop.wait(self.flush_interval):
            try:
                self.spool.rotate_if_old()
                self.flush()
                self.spool.sync()
                if time.monotonic() - expired >= EXPIRE_EVERY:
                    expired = time.monotonic()
                    self.expire()
            except Exception as exc:  # noqa: BLE001 - folding must never take the app down; events stay spooled
                log.error("usage folding failed, will retry: %s", exc)

    def _acquire(self) -> bool:
        """Open the storage this process folds into; False while another process holds the DuckDB file."""
        import duckdb

        if self._db is not None:
            return True
        if self.parquet_dir is not None:
            (self.parquet_dir / f"replica={self.replica}").mkdir(parents=True, exist_ok=True)
            self._db = duckdb.connect(":memory:")
            return True
        try:
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = duckdb.connect(str(self.path) if self.path else ":memory:")
            self._db.execute(SCHEMA)
        except duckdb.IOException:  # another process holds the file: it folds our spool too
            self._db = None
            return False
        return True

    def flush(self) -> bool:
        """Fold what the spools hold now; False when another process does the folding."""
        with self._lock:
            if not self._acquire():
                return False
            if self.parquet_dir is not None:
                self._fold_parquet(self.spool_dir, self.replica)
                for name, held in handover.orphans(self.spool_base, self.replica):
                    try:
                        self._fold_parquet(held.folder, name, orphan=True)
                    finally:
                        held.release(remove=True)
            else:
                self._fold_duckdb()
            return True

    def expire(self, now: datetime | None = None) -> int:
        """Remove events older than the retention period (and 문서 Q&A question text) from every usage file this
        process folds into; the number of rows removed (-1: another process holds the DuckDB file)."""
        if not self.retention_days:
            return 0
        # Whole days: rows leave in one batch a day (the DuckDB file is rewritten at most once a day), at most a day
        # after their bound.
        cutoff = ((now or datetime.now(timezone.utc).replace(tzinfo=None)) - timedelta(days=self.retention_days)
                  ).replace(hour=0, minute=0, second=0, microsecond=0)
        with self._lock:
            if cutoff == self._expired:
                return 0
            if not self.flush():
                return -1
            removed = self._expire(cutoff)
            self._expired = cutoff
            return removed

    def _expire(self, cutoff: datetime) -> int:
        if self.parquet_dir is not None:
            fd = handover.try_exclusive(self.parquet_dir / ".expire.lock")
            if fd is None:  # another server is at it
                return 0
            try:
                return retention.expire_parquet(self.parquet_dir, self.spool_base, cutoff)
            finally:
                os.close(fd)
        before = self._db.execute("SELECT count(*) FROM events").fetchone()[0]
        if retention.expire_duckdb(self._db, cutoff) and self.path is not None:
            db, self._db = self._db, None
            try:
                retention.compact(db, self.path, SCHEMA)
            finally:
                db.close()
                self._acquire()
        return int(before - self._db.execute("SELECT count(*) FROM events").fetchone()[0])

    def _fold_duckdb(self) -> None:
        db = self._db
        for spool in spool_files(self.spool_dir):
            key = spool.path.name
            found = db.execute('SELECT "offset" FROM spool_offsets WHERE file = ?', [key]).fetchone()
            rows, end = read_lines(spool.path, found[0] if found else 0)
            if rows:
                table = _table(rows)
                db.execute("BEGIN TRANSACTION")
                try:
                    db.register("_batch", table)
                    db.execute("INSERT INTO events BY NAME SELECT * FROM _batch")
                    db.unregister("_batch")
                    db.execute("INSERT OR REPLACE INTO spool_offsets VALUES (?, ?)", [key, end])
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                self.written += len(rows)
            if self._finished(spool, end):
                spool.path.unlink(missing_ok=True)
                db.execute("DELETE FROM spool_offsets WHERE file = ?", [key])
        for bulk in sorted(self.spool_dir.glob("bulk-*.parquet")) if self.spool_dir.is_dir() else []:
            if db.execute("SELECT 1 FROM spool_offsets WHERE file = ?", [bulk.name]).fetchone() is None:
                db.execute("BEGIN TRANSACTION")
                path = str(bulk).replace("'", "''")
                db.execute(f"INSERT INTO events BY NAME SELECT * FROM read_parquet('{path}')")  # noqa: S608 - our path
                db.execute("INSERT INTO spool_offsets VALUES (?, -1)", [bulk.name])
                db.execute("COMMIT")
            bulk.unlink(missing_ok=True)
            db.execute("DELETE FROM spool_offsets WHERE file = ?", [bulk.name])

    def _finished(self, spool: SpoolFile, end: int, locked: bool = False) -> bool:
        """Folded to its end and written to no more: this process's rotated files, or a dead process's. In a
        locked folder (parquet mode) only the lock holder writes, so that is every file but its open one."""
        if spool.path == self.spool.current or not (locked or spool.pid == os.getpid() or spool.idle()):
            return False
        return not read_lines(spool.path, end)[0]

    def _fold_parquet(self, folder: Path, replica: str, orphan: bool = False) -> None:
        """Fold one spool folder (held under its lock) into ``replica=<replica>/``, resuming after the last part."""
        import pyarrow.parquet as pq

        assert self.parquet_dir is not None
        out = self.parquet_dir / f"replica={replica}"
        out.mkdir(parents=True, exist_ok=True)
        for stale in [*out.glob(".part-*.tmp"), *folder.glob(".bulk-*.tmp")]:  # a fold or import cut short
            stale.unlink(missing_ok=True)
        for spool in spool_files(folder):
            stem = spool.path.stem
            ends = [int(p.stem.rsplit("-", 1)[-1]) for p in out.glob(f"part-{stem}-*.parquet")]
            rows, end = read_lines(spool.path, max(ends, default=0))
            if rows:
                tmp = out / f".part-{stem}-{end:012d}.tmp"
                pq.write_table(_table(rows), tmp)
                os.replace(tmp, out / f"part-{stem}-{end:012d}.parquet")  # the offset is in the name
                self.written += len(rows)
            if self._finished(spool, end, locked=True):
                spool.path.unlink(missing_ok=True)
        for bulk in sorted(folder.glob("bulk-*.parquet")):
            os.replace(bulk, out / bulk.name)
        if orphan:
            log.warning("usage events left by stopped replica %s folded by %s", replica, self.replica)

    # -- reading ----------------------------------------------------------------------------------------------
    def readable(self) -> str:
        """'' when this process can read the analytics, else why not (in Korean, with what to do)."""
        with self._lock:
            return "" if self._acquire() else HELD

    def analytics(self) -> Analytics:
        """Read access for the dashboard: a fresh cursor per query, over this file or every replica's Parquet."""
        from seoulai.usage.queries import Analytics

        with self._lock:
            if not self.flush():
                raise InputError(HELD, code="usage_held")
            if self.parquet_dir is None:
                return Analytics(self._cursor, "events")
            if any(self.parquet_dir.glob("replica=*/*.parquet")):
                pattern = str(self.parquet_dir / "replica=*" / "*.parquet").replace("'", "''")
                return Analytics(self._cursor, f"read_parquet('{pattern}', union_by_name = true)")
            self._db.execute(SCHEMA)
            return Analytics(self._cursor, "events")

    def _cursor(self) -> Any:
        """A read cursor on the connection open now: retention rewrites the file and reconnects, and a page that
        took its Analytics before then must read the new connection, not the closed one."""
        with self._lock:
            return self._db.cursor()

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Read through a separate cursor, after folding what is spooled."""
        with self._lock:
            if not self.flush():
                raise InputError(HELD, code="usage_held")
            cursor = self._db.cursor()
        try:
            rows: list[tuple[Any, ...]] = cursor.execute(sql, params or []).fetchall()
            return rows
        finally:
            cursor.close()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=10)
        with self._lock:
            try:
                self.spool.close()  # closed first: the last fold then folds this process's files to their end
                if self._db is not None or self.parquet_dir is not None:
                    self.flush()
            finally:
                if self._db is not None:
                    self._db.close()
                    self._db = None
                if self._owned is not None:
                    self._owned.release(remove=True)
                    self._owned = None


def _table(rows: list[dict[str, Any]]) -> pa.Table:
    import pyarrow as pa

    columns: dict[str, list[Any]] = {c: [row.get(c) for row in rows] for c in COLUMNS}
    columns["ts"] = [datetime.fromisoformat(v) for v in columns["ts"]]
    return pa.table(columns, schema=_arrow_schema())


def _arrow_schema() -> pa.Schema:
    import pyarrow as pa

    types = {"ts": pa.timestamp("us"), "latency_ms": pa.float64(), "ttft_ms": pa.float64(),
             "tokens_in": pa.int32(), "tokens_out": pa.int32(), "sources": pa.int32(), "rating": pa.int32(),
             "minutes_saved": pa.float64()}
    return pa.schema([(c, types.get(c, pa.string())) for c in COLUMNS])
