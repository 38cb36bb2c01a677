"""The usage event log: one row per interaction, appended by one writer thread per process.

Sessions and threads never open write connections: they put events on a queue; the writer appends them
in batches and flushes on shutdown. If the database is held by another process, logging is switched off
with a logged warning and the app keeps serving.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import socket
import threading
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

COLUMNS = ("ts", "event_id", "user_id", "department", "role", "feature", "action", "model", "latency_ms",
           "ttft_ms", "tokens_in", "tokens_out", "sources", "outcome", "error_code", "rating", "comment",
           "ref_id", "query", "minutes_saved")
SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    ts TIMESTAMP NOT NULL, event_id VARCHAR NOT NULL, user_id VARCHAR, department VARCHAR, role VARCHAR,
    feature VARCHAR NOT NULL, action VARCHAR NOT NULL, model VARCHAR, latency_ms DOUBLE, ttft_ms DOUBLE,
    tokens_in INTEGER, tokens_out INTEGER, sources INTEGER, outcome VARCHAR, error_code VARCHAR,
    rating INTEGER, comment VARCHAR, ref_id VARCHAR, query VARCHAR, minutes_saved DOUBLE
)
"""


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
    ts: datetime = field(default_factory=lambda: datetime.now(timezone.utc).replace(tzinfo=None))
    event_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def row(self) -> tuple[Any, ...]:
        data = asdict(self)
        return tuple(data[c] for c in COLUMNS)


class UsageLog:
    """Thread-safe event sink. ``record`` never blocks on the database.

    ``path`` is the DuckDB file (None: in memory). With ``parquet_dir`` the writer instead appends each batch
    as a Parquet file under ``parquet_dir/replica=<replica>/``, so several app replicas never share a file;
    the dashboard reads every replica's files together.
    """

    def __init__(self, path: Path | None, batch_size: int = 500, flush_interval: float = 1.0,
                 parquet_dir: Path | None = None, replica: str = "") -> None:
        self.path = path
        self.parquet_dir = parquet_dir
        self.replica = replica or f"{socket.gethostname()}-{os.getpid()}"
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self._parts = 0
        self._queue: queue.Queue[UsageEvent | None] = queue.Queue()
        self._connection = None
        self.enabled = True
        self.disabled_reason = ""
        self.written = 0
        self._open()
        self._thread = threading.Thread(target=self._run, name="usage-writer", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def _open(self) -> None:
        import duckdb

        if self.parquet_dir is not None:
            (self.parquet_dir / f"replica={self.replica}").mkdir(parents=True, exist_ok=True)
            self._connection = duckdb.connect(":memory:")
            return
        try:
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = duckdb.connect(str(self.path) if self.path else ":memory:")
            self._connection.execute(SCHEMA)
        except duckdb.IOException as exc:  # another process holds the file for writing
            self.enabled = False
            self.disabled_reason = (
                "이용 기록 데이터베이스를 다른 프로그램이 쓰고 있어 이번 실행에서는 이용 기록을 저장하지 않습니다. "
                "여러 서버로 운영할 때는 서버마다 다른 파일(Parquet 분할 저장)을 쓰도록 설정하세요.")
            log.warning("usage log disabled: %s", exc)

    def record(self, event: UsageEvent) -> str:
        if self.enabled:
            self._queue.put(event)
        return event.event_id

    def _run(self) -> None:
        pending: list[UsageEvent] = []
        while True:
            try:
                item = self._queue.get(timeout=self.flush_interval)
            except queue.Empty:
                self._write(pending)  # quiet for a moment: write what has gathered
                pending = []
                continue
            if item is None:
                self._write(pending)
                return
            if isinstance(item, _Marker):
                self._write(pending)
                pending = []
                item.done.set()
                continue
            pending.append(item)
            if len(pending) >= self.batch_size:
                self._write(pending)
                pending = []

    def _write(self, events: list[UsageEvent]) -> None:
        if not events or self._connection is None:
            return
        try:
            if self.parquet_dir is not None:
                self._write_parquet(events)
            else:
                import pyarrow as pa

                # One Arrow table per batch: DuckDB appends it in one transaction, far faster than executemany.
                batch = pa.table({c: [getattr(e, c) for e in events] for c in COLUMNS}, schema=_arrow_schema())
                self._connection.register("_batch", batch)
                self._connection.execute("INSERT INTO events SELECT * FROM _batch")
                self._connection.unregister("_batch")
            self.written += len(events)
        except Exception as exc:  # noqa: BLE001 - logging must never break the feature being logged
            log.error("could not write %d usage events: %s", len(events), exc)

    def _write_parquet(self, events: list[UsageEvent]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        assert self.parquet_dir is not None
        folder = self.parquet_dir / f"replica={self.replica}"
        self._parts += 1
        name = f"part-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{self._parts:06d}.parquet"
        table = pa.table({c: [getattr(e, c) for e in events] for c in COLUMNS}, schema=_arrow_schema())
        tmp = folder / f".{name}.tmp"
        pq.write_table(table, tmp)
        os.replace(tmp, folder / name)  # readers never see a half-written file

    def append_table(self, table) -> int:  # type: ignore[no-untyped-def]
        """Bulk-append an Arrow table in the event schema (demo data, imports), outside the queue."""
        if not self.enabled or self._connection is None:
            return 0
        if self.parquet_dir is not None:
            import pyarrow.parquet as pq

            folder = self.parquet_dir / f"replica={self.replica}"
            self._parts += 1
            tmp = folder / f".bulk-{self._parts:06d}.tmp"
            pq.write_table(table, tmp)
            os.replace(tmp, folder / f"bulk-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}.parquet")
            return table.num_rows
        cursor = self._connection.cursor()  # its own connection: safe beside the writer thread
        try:
            cursor.register("_bulk", table)
            cursor.execute("INSERT INTO events SELECT * FROM _bulk")
        finally:
            cursor.close()
        return table.num_rows

    def analytics(self):  # type: ignore[no-untyped-def]
        """Read access for the dashboard: a fresh cursor per query, over this file or every replica's Parquet."""
        from seoulai.usage.queries import Analytics

        if self._connection is None:
            raise RuntimeError("usage log is closed")
        if self.parquet_dir is None:
            return Analytics(self._connection.cursor, "events")
        files = list(self.parquet_dir.glob("replica=*/*.parquet"))
        if files:
            pattern = str(self.parquet_dir / "replica=*" / "*.parquet").replace("'", "''")
            source = f"read_parquet('{pattern}', union_by_name = true)"
        else:
            self._connection.execute(SCHEMA)
            source = "events"
        return Analytics(self._connection.cursor, source)

    def flush(self, timeout: float = 10.0) -> None:
        """Block until everything queued so far is written (tests, shutdown)."""
        done = threading.Event()
        marker = _Marker(done)
        self._queue.put(marker)  # type: ignore[arg-type]
        done.wait(timeout)

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Read through a separate cursor (the writer keeps its own)."""
        if self._connection is None:
            return []
        cursor = self._connection.cursor()
        try:
            return cursor.execute(sql, params or []).fetchall()
        finally:
            cursor.close()

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=10)
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class _Marker(UsageEvent):
    """Queued by flush(): the writer writes what came before it, then signals."""

    def __init__(self, done: threading.Event) -> None:
        super().__init__(feature="_", action="_")
        self.done = done


def _arrow_schema():  # type: ignore[no-untyped-def]
    import pyarrow as pa

    types = {"ts": pa.timestamp("us"), "latency_ms": pa.float64(), "ttft_ms": pa.float64(),
             "tokens_in": pa.int32(), "tokens_out": pa.int32(), "sources": pa.int32(), "rating": pa.int32(),
             "minutes_saved": pa.float64()}
    return pa.schema([(c, types.get(c, pa.string())) for c in COLUMNS])
