"""The usage event log: one writer per process, crash safety, a locked file, replicas in Parquet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from datetime import date
from pathlib import Path

import duckdb
import pytest

from seoulai.usage.log import UsageEvent as Event, UsageLog
from seoulai.usage.queries import Filters

ALL_TIME = Filters(date(2000, 1, 1), date(2100, 1, 1))


def test_fifty_threads_two_hundred_events_each(tmp_path: Path) -> None:
    log = UsageLog(tmp_path / "usage.duckdb", batch_size=250)

    def worker(n: int) -> None:
        for i in range(200):
            log.record(Event("manual_search", "ask", user_id=f"t{n}", department="서울특별시/행정국/총무과",
                             latency_ms=float(i)))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log.flush()
    assert log.query("SELECT count(*), count(DISTINCT user_id), count(DISTINCT event_id) FROM events") == [
        (10_000, 50, 10_000)]
    log.close()
    assert duckdb.connect(str(tmp_path / "usage.duckdb")).execute("SELECT count(*) FROM events").fetchone() == (10_000,)


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from seoulai.usage.log import UsageEvent as Event, UsageLog
    log = UsageLog(Path(sys.argv[1]), batch_size=100, flush_interval=60)
    while True:
        for i in range(100):
            log.record(Event("doc_qa", "ask", user_id="w", department="서울특별시"))
        log.flush()
        print(log.written, flush=True)
""")


def test_kill_9_mid_run_keeps_every_committed_batch(tmp_path: Path) -> None:
    path = tmp_path / "usage.duckdb"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    committed = 0
    assert proc.stdout is not None
    while committed < 2000:
        line = proc.stdout.readline()
        assert line, "writer died on its own"
        committed = int(line)
    os.kill(proc.pid, 9)
    proc.wait(timeout=30)
    rows = duckdb.connect(str(path)).execute("SELECT count(*) FROM events").fetchone()[0]
    assert rows >= committed and rows % 100 == 0  # whole batches only, none lost


def test_second_writer_process_gets_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "usage.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time, duckdb
        con = duckdb.connect({str(path)!r})
        con.execute("CREATE TABLE IF NOT EXISTS x (a INT)")
        print("held", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        log = UsageLog(path)
        assert not log.enabled and "다른 프로그램" in log.disabled_reason
        log.record(Event("manual_search", "ask"))  # a no-op, never an exception
        log.close()
    finally:
        holder.kill()
        holder.wait()


def test_replicas_write_parquet_partitions_read_together(tmp_path: Path) -> None:
    folder = tmp_path / "usage"
    first = UsageLog(None, parquet_dir=folder, replica="app-1")
    second = UsageLog(None, parquet_dir=folder, replica="app-2")
    for log, count in ((first, 30), (second, 45)):
        for _ in range(count):
            log.record(Event("manual_search", "ask", user_id=log.replica, department="서울특별시/재무국/재무과"))
        log.flush()
    assert sorted(p.name for p in folder.iterdir()) == ["replica=app-1", "replica=app-2"]
    reader = UsageLog(None, parquet_dir=folder, replica="dashboard")
    kpis = reader.analytics().kpis(ALL_TIME)
    assert (kpis.queries, kpis.active_users) == (75, 2)
    for log in (first, second, reader):
        log.close()


def test_cli_demo_data_and_summary(tmp_path: Path) -> None:
    env = dict(os.environ, SEOULAI_DATA_DIR=str(tmp_path / "data"))
    made = subprocess.run([sys.executable, "-m", "seoulai.cli", "usage", "demo-data", "--events", "5000"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0 and "5,000건" in made.stdout
    summary = subprocess.run([sys.executable, "-m", "seoulai.cli", "usage", "summary", "--json"], env=env,
                             capture_output=True, text=True, timeout=120)
    payload = json.loads(summary.stdout)
    assert 0 < payload["queries"] < 5000 and payload["active_users"] > 50
    assert 0.5 < payload["satisfaction"] < 1 and payload["p95_ms"] > payload["p50_ms"] > 0
    bad = subprocess.run([sys.executable, "-m", "seoulai.cli", "usage", "demo-data", "--events", "0"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2
