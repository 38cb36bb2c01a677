"""The state store: versioned migrations, quotas counted across app servers, audit events never dropped
(two writer processes, one killed with SIGKILL mid-stream)."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from seoulai.limits import ModelQuota, RateLimited
from seoulai.state import open_state
from seoulai.state.migrations import MIGRATIONS

WRITER = """
import sys, time
from pathlib import Path
from seoulai.state import open_state
state = open_state(None, Path(sys.argv[1]), sys.argv[2])
for i in range(int(sys.argv[3])):
    state.audit.append("u", "서울특별시/행정국/총무과", "staff", "upload", f"{sys.argv[2]}-{i}")
    print(i, flush=True)  # printed only after the event was committed
time.sleep(60)
"""


def test_migrations_are_versioned_and_idempotent(tmp_path: Path) -> None:
    first = open_state(None, tmp_path, "a")
    again = open_state(None, tmp_path, "b")  # a second server opening the same store
    rows = again.db.rows("SELECT version FROM schema_version ORDER BY version")
    assert [r[0] for r in rows] == list(range(1, len(MIGRATIONS) + 1))
    first.close()
    again.close()


def test_quota_per_minute_and_per_day_across_servers(tmp_path: Path) -> None:
    one, two = open_state(None, tmp_path, "one"), open_state(None, tmp_path, "two")
    q1, q2 = ModelQuota(one.quotas, per_minute=3, per_day=5), ModelQuota(two.quotas, per_minute=3, per_day=5)
    day = date(2026, 1, 5)
    q1.take("a", now=1000.0, today=day)
    q2.take("a", now=1001.0, today=day)
    q1.take("a", now=1002.0, today=day)
    with pytest.raises(RateLimited) as info:
        q2.take("a", now=1010.0, today=day)  # the other server counts the same calls
    assert "1분에 3회" in info.value.message and info.value.code == "rate_limited"
    q2.take("b", now=1010.0, today=day)  # other people are not affected
    q1.take("a", now=1070.0, today=day)
    q2.take("a", now=1071.0, today=day)
    with pytest.raises(RateLimited) as info:
        q1.take("a", now=1200.0, today=day)
    assert "오늘" in info.value.message
    q1.take("a", now=1300.0, today=date(2026, 1, 6))  # a new day
    one.close()
    two.close()


def test_audit_events_from_two_processes_survive_a_kill(tmp_path: Path) -> None:
    procs = {name: subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), name, "400"],
                                    stdout=subprocess.PIPE, text=True) for name in ("app-1", "app-2")}
    acknowledged: dict[str, int] = {}
    for name, proc in procs.items():
        assert proc.stdout is not None
        last = -1
        for line in proc.stdout:
            last = int(line)
            if name == "app-1" and last == 150:
                proc.send_signal(signal.SIGKILL)  # killed in the middle of its stream of events
                break
            if last == 399:
                break
        acknowledged[name] = last + 1
    for proc in procs.values():
        proc.kill()
        proc.wait()
        proc.stdout.close()  # type: ignore[union-attr]
    with sqlite3.connect(tmp_path / "state.sqlite") as db:
        counts = dict(db.execute("SELECT server, count(*) FROM audit GROUP BY server").fetchall())
        distinct = db.execute("SELECT count(DISTINCT event_id), count(*) FROM audit").fetchone()
        killed = {r[0] for r in db.execute("SELECT target FROM audit WHERE server = 'app-1'")}
    # Every event acknowledged before the kill is there; what is there is an unbroken prefix (no torn write).
    assert acknowledged["app-1"] <= counts["app-1"] < 400
    assert killed == {f"app-1-{i}" for i in range(counts["app-1"])}
    assert counts["app-2"] == 400
    assert distinct[0] == distinct[1]  # each event landed once
