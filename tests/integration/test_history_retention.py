"""Conversation history and saved drafts leave with their retention period, whether or not anyone opens a page.

One retention schedule of the app server sweeps uploads, conversations and drafts at start-up and then every
``uploads.expiry_interval`` seconds; a conversation or draft untouched for ``history.retention_days`` is gone
from the state store, bytes included (state.sqlite and its WAL), at most that long after its period ends
(README, 무엇이 어디에 얼마나 남는가). Opening the list of conversations or drafts writes nothing.
"""

from __future__ import annotations

import logging
import threading
import time
import unicodedata
from pathlib import Path

import pytest

from seoulai.answer.engine import Answer
from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.drafting.draft import Draft
from seoulai.services import Services, build_services
from seoulai.services.retention import RetentionSchedule
from tests.servers import eventually, live_threads

ALICE = Person("alice", "김서울", "서울특별시/행정국/총무과", "staff")
MARKER = "보관만료표지두루미4K"  # in nothing but the expiring conversation and draft
THREAD = "retention"
RETENTION = 2.0  # seconds: long enough to see the records kept first, short enough to wait for


def _settings(tmp_path: Path, state_url: str | None = None, interval: float = 0.2) -> Settings:
    return Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "idx", embed={"backend": "none"},
                    llm={"backend": "none"}, usage={"enabled": False}, state={"url": state_url},
                    uploads={"expiry_interval": interval}, history={"retention_days": RETENTION / 86400})


def _keep_history(services: Services) -> None:
    """A conversation and a draft, both holding the marker in their title and body."""
    answer = Answer(question=f"{MARKER} 출장 여비 규정을 알려 주세요", status="answered",
                    text=f"{MARKER} 여비는 규정에 따릅니다.")
    services.conversations.add(ALICE, "manual", None, answer)
    template = services.drafting.find_template("report")
    draft = Draft(template, {"title": f"{MARKER} 결과 보고", "kind": "결과보고서"},
                  {"body": f"{MARKER} 본문입니다."})
    services.drafting.save(ALICE, None, draft)


def _rows(services: Services) -> tuple[int, int]:
    """Conversations and drafts in the state store, read directly (listing them is what a page visit does)."""
    db = services.state.db
    return (db.rows("SELECT count(*) FROM conversations")[0][0], db.rows("SELECT count(*) FROM drafts")[0][0])


def _holding_marker(root: Path) -> list[str]:
    needles = [unicodedata.normalize(form, MARKER).encode("utf-8") for form in ("NFC", "NFD")]
    return [str(p.relative_to(root)) for p in sorted(root.rglob("*"))
            if p.is_file() and any(n in p.read_bytes() for n in needles)]


def test_old_conversations_and_drafts_go_with_nobody_on_a_page(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    data = Path(settings.data_dir)
    services = build_services(settings, background=True)
    try:
        _keep_history(services)
        assert _rows(services) == (1, 1), "kept before their retention period ends"
        assert any(p.startswith("state.sqlite") for p in _holding_marker(data))  # the walk sees the store
        # Nobody lists conversations or drafts: only the schedule can remove them.
        assert eventually(lambda: _rows(services) == (0, 0)), f"still stored: {_rows(services)}"
        assert eventually(lambda: not _holding_marker(data)), f"bytes left: {_holding_marker(data)}"
    finally:
        services.close()
    assert not live_threads(THREAD), "the retention thread outlived close()"
    assert _holding_marker(data) == []


def test_start_up_expires_history_that_came_due_while_no_server_ran(tmp_path: Path) -> None:
    settings = _settings(tmp_path, interval=3600)  # an hour between sweeps: only the start-up sweep is in time
    first = build_services(settings)
    try:
        _keep_history(first)
    finally:
        first.close()
    time.sleep(RETENTION + 0.2)
    services = build_services(settings, background=True)
    try:
        assert eventually(lambda: _rows(services) == (0, 0)), f"not expired at start-up: {_rows(services)}"
        assert eventually(lambda: not _holding_marker(Path(settings.data_dir)))
    finally:
        services.close()
    assert not live_threads(THREAD)


def test_two_servers_sweeping_at_once_both_succeed(tmp_path: Path, state_url: str | None) -> None:
    settings = _settings(tmp_path, state_url, interval=3600)  # the next scheduled round is the one run below
    one, two = build_services(settings, background=True), build_services(settings, background=True)
    try:
        _keep_history(one)
        time.sleep(RETENTION + 0.2)
        results: list[dict[str, int]] = []
        rounds = [threading.Thread(target=lambda s=s: results.append(_schedule(s).run_once())) for s in (one, two)]
        for thread in rounds:
            thread.start()
        for thread in rounds:
            thread.join()
        # Every sweep of both rounds succeeded (a failed one leaves its name out), and nothing is left.
        assert len(results) == 2 and all(set(r) == {"uploads", "conversations", "drafts"} for r in results), results
        assert _rows(one) == _rows(two) == (0, 0)
    finally:
        one.close()
        two.close()


def _schedule(services: Services) -> RetentionSchedule:
    assert services.retention is not None
    return services.retention


def test_listing_history_writes_nothing(tmp_path: Path) -> None:
    services = build_services(_settings(tmp_path))  # no schedule: its rounds would add to the count
    try:
        _keep_history(services)
        db = services.state.db
        before = db.queries
        db.rows("SELECT 1")
        one_read = db.queries - before
        for listing in (lambda: services.conversations.list(ALICE), lambda: services.drafting.drafts(ALICE)):
            before = db.queries
            assert len(listing()) == 1
            assert db.queries - before == one_read, "a page visit ran more than its one read"
    finally:
        services.close()


def test_a_failing_sweep_is_logged_retried_and_spares_the_others(caplog: pytest.LogCaptureFixture) -> None:
    calls = {"broken": 0, "fine": 0}

    def broken() -> int:
        calls["broken"] += 1
        raise OSError("disk full")

    def fine() -> int:
        calls["fine"] += 1
        return 0

    schedule = RetentionSchedule(0.05, {"broken": broken, "fine": fine})
    with caplog.at_level(logging.ERROR, logger="seoulai.services.retention"):
        schedule.start()
        try:
            assert eventually(lambda: calls["broken"] >= 3 and calls["fine"] >= 3), calls
        finally:
            schedule.close()
    assert not live_threads(THREAD)
    assert any("broken" in r.getMessage() for r in caplog.records)
    stopped = dict(calls)
    time.sleep(0.2)
    assert calls == stopped, "the schedule swept after close()"


def test_a_draft_its_author_deletes_leaves_no_byte_behind(tmp_path: Path) -> None:
    """Deleting one's own draft reaches the state store's files at once (state.sqlite and its WAL), as deleting a
    conversation does: nothing waits for the retention schedule."""
    services = build_services(_settings(tmp_path, interval=3600), chat=None, embedder=None, usage_log=None)
    try:
        template = services.drafting.find_template("report")
        services.drafting.save(ALICE, None, Draft(template, {"title": f"{MARKER} 초안", "kind": "결과보고서"},
                                                  {"body": f"{MARKER} 지울 본문입니다."}))
        assert _holding_marker(tmp_path / "data")  # the draft is stored, so the search can see it
        (record,) = services.drafting.drafts(ALICE)
        services.drafting.delete(ALICE, record.id)
        assert services.drafting.drafts(ALICE) == []
        assert _holding_marker(tmp_path / "data") == []
    finally:
        services.close()
