"""The state store, on both backends (embedded SQLite and a real PostgreSQL): versioned migrations, quotas
counted across app servers, audit events never dropped (two writer processes, one killed with SIGKILL
mid-stream), records only their owner opens."""

from __future__ import annotations

import signal
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
state = open_state(sys.argv[4] or None, Path(sys.argv[1]), sys.argv[2])
for i in range(int(sys.argv[3])):
    state.audit.append("u", "서울특별시/행정국/총무과", "staff", "upload", f"{sys.argv[2]}-{i}")
    print(i, flush=True)  # printed only after the event was committed
time.sleep(60)
"""


def test_migrations_are_versioned_and_idempotent(tmp_path: Path, state_url: str | None) -> None:
    first = open_state(state_url, tmp_path, "a")
    again = open_state(state_url, tmp_path, "b")  # a second server opening the same store
    rows = again.db.rows("SELECT version FROM schema_version ORDER BY version")
    assert [r[0] for r in rows] == list(range(1, len(MIGRATIONS) + 1))
    first.close()
    again.close()


def test_quota_per_minute_and_per_day_across_servers(tmp_path: Path, state_url: str | None) -> None:
    one, two = open_state(state_url, tmp_path, "one"), open_state(state_url, tmp_path, "two")
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


def test_audit_events_from_two_processes_survive_a_kill(tmp_path: Path, state_url: str | None) -> None:
    procs = {name: subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), name, "400", state_url or ""],
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
        proc.stdout.close()  # type: ignore[union-attr]  # started with stdout=PIPE: never None
    state = open_state(state_url, tmp_path, "reader")
    counts = dict(state.db.rows("SELECT server, count(*) FROM audit GROUP BY server"))
    distinct = state.db.rows("SELECT count(DISTINCT event_id), count(*) FROM audit")[0]
    killed = {r[0] for r in state.db.rows("SELECT target FROM audit WHERE server = 'app-1'")}
    state.close()
    # Every event acknowledged before the kill is there; what is there is an unbroken prefix (no torn write).
    assert acknowledged["app-1"] <= counts["app-1"] < 400
    assert killed == {f"app-1-{i}" for i in range(counts["app-1"])}
    assert counts["app-2"] == 400
    assert distinct[0] == distinct[1]  # each event landed once


def test_concurrent_quota_takers_never_both_pass(tmp_path: Path, state_url: str | None) -> None:
    """Eight threads on two 'servers' race for a budget of 5 calls: exactly 5 pass (the read-then-write
    step is one locked transaction on both backends)."""
    from concurrent.futures import ThreadPoolExecutor

    one, two = open_state(state_url, tmp_path, "one"), open_state(state_url, tmp_path, "two")
    stores = [one.quotas, two.quotas]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: stores[i % 2].take("p", 100, 5, 1000.0 + i, "d"), range(24)))
    assert sum(r is None for r in results) == 5
    assert all(r == ("day", 0.0) for r in results if r is not None)
    one.close()
    two.close()


def test_records_sessions_and_secrets_are_shared_but_owned(tmp_path: Path, state_url: str | None) -> None:
    one, two = open_state(state_url, tmp_path, "one"), open_state(state_url, tmp_path, "two")
    assert one.secret("cookie") == two.secret("cookie")  # made once, the same on every server
    one.sessions.create("h1", {"id": "kim", "department": "서울특별시/행정국/총무과"}, time.time() + 60)
    assert two.sessions.get("h1") == {"id": "kim", "department": "서울특별시/행정국/총무과"}
    two.sessions.revoke("h1")
    assert one.sessions.get("h1") is None
    one.conversations.put("kim", "c1", "ask", "연차 규정", [{"q": "연차는?"}])
    assert two.conversations.get("kim", "c1").body == [{"q": "연차는?"}]  # type: ignore[union-attr]  # put just above
    assert two.conversations.get("lee", "c1") is None  # another person's id opens nothing
    with pytest.raises(PermissionError):
        two.conversations.put("lee", "c1", "ask", "가로채기", [])
    one.failures.add(["account:kim"], 600)
    two.failures.add(["account:kim"], 600)
    assert one.failures.recent("account:kim", 600)[0] == 2
    one.close()
    two.close()
