"""Several servers in parquet mode: a server killed with events still in its spool leaves them to any live server,
which folds them exactly once, even when that server is itself killed in the middle of the fold.

Real processes: each "server" builds its usage log as the app does (``SEOULAI_USAGE__MODE=parquet``, one shared data
folder, its own ``SEOULAI_USAGE__REPLICA_ID``) and is killed with SIGKILL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from tests.servers import ROOT, clean_env

SERVER = textwrap.dedent("""
    import sys, time
    import seoulai.usage.spool as spool
    spool.ROTATE_BYTES = int(sys.argv[2])  # many small spool files: a fold that takes long enough to be cut short
    from seoulai.config import Settings
    from seoulai.services import _usage_log
    from seoulai.usage.log import UsageEvent
    log = _usage_log(Settings(), fold=True)
    for i in range(int(sys.argv[1])):
        log.record(UsageEvent("manual_search", "ask", user_id=log.replica, department="서울특별시/행정국/총무과",
                              query=f"질문 {i}"))
    print("ready", flush=True)
    time.sleep(600)
""")


@contextmanager
def server(data: Path, replica: str, events: int = 0, flush: float = 0.05,
           rotate: int = 32 * 1024 * 1024) -> Iterator[subprocess.Popen[str]]:
    env = clean_env(SEOULAI_DATA_DIR=str(data), SEOULAI_USAGE__MODE="parquet", SEOULAI_USAGE__REPLICA_ID=replica,
                    SEOULAI_USAGE__FLUSH_INTERVAL=str(flush))
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(events), str(rotate)], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()  # type: ignore[union-attr]  # started with stdout=PIPE: never None


def kill_9(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, 9)
    proc.wait(timeout=30)


def counted(data: Path, replica: str) -> tuple[int, int]:
    """(rows, distinct event ids) of one replica's events in every Parquet part the dashboard reads."""
    if not any((data / "usage").glob("replica=*/*.parquet")):
        return 0, 0
    pattern = str(data / "usage" / "replica=*" / "*.parquet")
    with duckdb.connect() as db:
        found = db.execute("SELECT count(*), count(DISTINCT event_id) FROM read_parquet(?, union_by_name = true) "
                           "WHERE user_id = ?", [pattern, replica]).fetchone()
    assert found is not None
    return int(found[0]), int(found[1])


def wait_for(check, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_a_live_server_folds_a_killed_servers_pending_events_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with server(data, "app-a", events=3000, flush=3600) as a:  # A spools 3,000 events and folds none of them yet
        with server(data, "app-b") as b:
            time.sleep(1.5)  # B folds every 50 ms: a live server's spool is its own, B leaves it alone
            assert counted(data, "app-a") == (0, 0)
            kill_9(a)  # A dies with its 3,000 events pending
            assert wait_for(lambda: counted(data, "app-a")[0] >= 3000), counted(data, "app-a")
            time.sleep(0.5)  # more folding cycles change nothing
            assert counted(data, "app-a") == (3000, 3000)
            assert b.poll() is None
    assert not (data / "usage-spool" / "replica=app-a").exists()  # the dead server's spool folder is gone


def test_a_fold_cut_short_by_kill_9_is_finished_once_by_the_next_server(tmp_path: Path) -> None:
    data = tmp_path / "data"
    spool = data / "usage-spool" / "replica=app-a"
    parts = data / "usage" / "replica=app-a"
    with server(data, "app-a", events=6000, flush=3600, rotate=2000) as a:
        kill_9(a)
    files = len(list(spool.glob("*.jsonl")))
    assert files > 300
    with server(data, "app-b", flush=0.01) as b:  # B takes A's spool over ...
        caught = wait_for(lambda: any(parts.glob("part-*.parquet")), seconds=60)
        kill_9(b)  # ... and is killed in the middle of folding it
    assert caught
    left = len(list(spool.glob("*.jsonl")))
    assert 0 < left < files, (left, files)  # the fold was really cut short
    with server(data, "app-c"):  # the next live server (or B started again) finishes the fold
        assert wait_for(lambda: not spool.exists(), seconds=180)
        time.sleep(0.3)
    assert counted(data, "app-a") == (6000, 6000)  # every event exactly once
    assert not list(parts.glob(".*.tmp"))  # nothing half-written is left behind
