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
from seoulai.errors import InputError
from seoulai.usage.queries import Filters

ALL_TIME = Filters(date(2000, 1, 1), date(2100, 1, 1))


def test_fifty_threads_two_hundred_events_each(tmp_path: Path) -> None:
    log = UsageLog(tmp_path / "usage.duckdb", spool_dir=tmp_path / "spool")

    def worker(n: int) -> None:
        for i in range(200):
            log.record(Event("manual_search", "ask", user_id=f"t{n}", department="서울특별시/행정국/총무과",
                             latency_ms=float(i)))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert log.query("SELECT count(*), count(DISTINCT user_id), count(DISTINCT event_id) FROM events") == [
        (10_000, 50, 10_000)]
    log.close()
    assert duckdb.connect(str(tmp_path / "usage.duckdb")).execute("SELECT count(*) FROM events").fetchone() == (10_000,)


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from seoulai.usage.log import UsageEvent as Event, UsageLog
    folds = sys.argv[3] == "fold"
    log = UsageLog(Path(sys.argv[1]), spool_dir=Path(sys.argv[2]), flush_interval=0.05, fold=folds)
    for i in range(1_000_000):
        log.record(Event("doc_qa", "ask", user_id=sys.argv[3], department="서울특별시", query=str(i)))
        print(i + 1, flush=True)  # acknowledged: record() has returned
""")


def test_two_processes_and_a_kill_9_lose_no_recorded_event(tmp_path: Path) -> None:
    db, spool = tmp_path / "usage.duckdb", tmp_path / "spool"
    procs = {role: subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(spool), role], stdout=subprocess.PIPE,
                                    text=True) for role in ("fold", "cli")}  # the app (folding) and a second process
    acknowledged = {}
    for role, proc in procs.items():
        assert proc.stdout is not None
        count = 0
        while count < 3000:
            line = proc.stdout.readline()
            assert line, f"{role} died on its own"
            count = int(line)
        acknowledged[role] = count
    for proc in procs.values():
        os.kill(proc.pid, 9)  # both killed mid-stream, the folder in the middle of its folding
        proc.wait(timeout=30)
        proc.stdout.close()  # type: ignore[union-attr]  # started with stdout=PIPE: never None
    after = UsageLog(db, spool_dir=spool)  # the app started again
    rows = dict(after.query("SELECT user_id, count(*) FROM events GROUP BY user_id"))
    distinct = after.query("SELECT count(DISTINCT event_id) = count(*) FROM events")[0][0]
    after.close()
    # The loss bound for a process killed with SIGKILL: none of what it recorded. (An OS crash or power cut can
    # lose what was written since the last fsync, at most usage.flush_interval seconds; not testable here.)
    assert rows["fold"] >= acknowledged["fold"] and rows["cli"] >= acknowledged["cli"]
    assert distinct  # and each event landed exactly once


def test_a_second_process_records_while_the_file_is_held(tmp_path: Path) -> None:
    path, spool = tmp_path / "usage.duckdb", tmp_path / "spool"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time, duckdb
        con = duckdb.connect({str(path)!r})
        print("held", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        second = UsageLog(path, spool_dir=spool)
        for _ in range(25):
            second.record(Event("manual_search", "ask"))  # never refused, never dropped
        assert "실행 중인 앱" in second.readable()
        with pytest.raises(InputError) as info:
            second.analytics()
        assert info.value.code == "usage_held"
        second.close()
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()  # type: ignore[union-attr]  # started with stdout=PIPE: never None
        holder.wait()
    later = UsageLog(path, spool_dir=spool)
    assert later.query("SELECT count(*) FROM events") == [(25,)]
    later.close()


def test_replicas_write_parquet_partitions_read_together(tmp_path: Path) -> None:
    folder, spool = tmp_path / "usage", tmp_path / "spool"
    first = UsageLog(None, spool_dir=spool, parquet_dir=folder, replica="app-1")
    second = UsageLog(None, spool_dir=spool, parquet_dir=folder, replica="app-2")
    for log, count in ((first, 30), (second, 45)):
        for _ in range(count):
            log.record(Event("manual_search", "ask", user_id=log.replica, department="서울특별시/재무국/재무과"))
        log.flush()
    assert sorted(p.name for p in folder.iterdir()) == ["replica=app-1", "replica=app-2"]
    reader = UsageLog(None, spool_dir=spool, parquet_dir=folder, replica="dashboard")
    kpis = reader.analytics().kpis(ALL_TIME)
    assert (kpis.queries, kpis.active_users) == (75, 2)
    first.flush()  # folding again writes nothing twice
    assert reader.analytics().kpis(ALL_TIME).queries == 75
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


def test_demo_data_while_the_app_holds_the_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    app = UsageLog(data / "usage.duckdb", spool_dir=data / "usage-spool", flush_interval=0.1, fold=True)
    app.query("SELECT 1")  # the app holds the DuckDB file now
    env = dict(os.environ, SEOULAI_DATA_DIR=str(data))
    made = subprocess.run([sys.executable, "-m", "seoulai.cli", "usage", "demo-data", "--events", "3000"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0 and "3,000건" in made.stdout and "앱이" in made.stdout
    assert app.query("SELECT count(*) FROM events") == [(3000,)]
    summary = subprocess.run([sys.executable, "-m", "seoulai.cli", "usage", "summary", "--json"], env=env,
                             capture_output=True, text=True, timeout=120)
    assert summary.returncode == 2 and "이용 현황 화면" in json.loads(summary.stdout)["error"]["message"]
    app.close()
