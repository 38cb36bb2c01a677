"""Retention of usage events (README, 무엇이 어디에 얼마나 남는가): events older than ``usage.retention_days`` and the
text of 문서 Q&A questions leave every usage file — the spool, the DuckDB file and its WAL, every Parquet part —
while the app runs, and stay gone after it stops. Checked by reading every file's bytes."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.services import _usage_log
from seoulai.services.recording import Recorder
from seoulai.usage.log import UsageEvent

OLD, DOC, KEPT = "오래된질문표지", "문서질문표지", "최근질문표지"
UNIT = "서울특별시/행정국/총무과"


def holding(folder: Path, *markers: str) -> dict[str, list[str]]:
    """Which files under ``folder`` hold each marker's UTF-8 bytes."""
    found: dict[str, list[str]] = {}
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for marker in markers:
                if marker.encode() in data:
                    found.setdefault(marker, []).append(str(path.relative_to(folder)))
    return found


@pytest.mark.parametrize("mode", ["duckdb", "parquet"])
def test_old_events_and_document_question_text_leave_every_usage_file(tmp_path: Path, mode: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("seoulai.usage.spool.ROTATE_SECONDS", 0.5, raising=False)  # hourly in the product
    data = tmp_path / "data"
    settings = Settings(data_dir=data, usage={"mode": mode, "retention_days": 30, "flush_interval": 0.1})
    past = datetime.now() - timedelta(days=31)
    writer = _usage_log(settings, fold=False)  # a process that recorded before this version: text of 문서 Q&A too
    assert writer is not None
    for i in range(40):
        writer.record(UsageEvent("manual_search", "ask", department=UNIT, query=f"{OLD} {i}", ts=past))
        writer.record(UsageEvent("doc_qa", "ask", department=UNIT, query=f"{DOC} {i}"))
        writer.record(UsageEvent("manual_search", "ask", department=UNIT, query=f"{KEPT} {i}"))
    writer.close()
    assert set(holding(data, OLD, DOC, KEPT)) == {OLD, DOC, KEPT}  # the byte search sees what is there

    app = _usage_log(settings, fold=True)  # the app: folds, and its first retention pass runs at once
    assert app is not None
    app.record(UsageEvent("manual_search", "ask", department=UNIT, query=f"{KEPT} new"))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and set(holding(data, OLD, DOC)):
        time.sleep(0.1)
    assert holding(data, OLD, DOC) == {}  # gone while the app runs, from every file
    texts = app.query("SELECT feature, count(*), count(query) FROM events GROUP BY 1 ORDER BY 1") \
        if mode == "duckdb" else None
    if texts is not None:
        assert texts == [("doc_qa", 40, 0), ("manual_search", 41, 41)]
    else:
        assert app.analytics().kpis(_all_time()).queries == 81
    app.close()
    assert holding(data, OLD, DOC) == {} and KEPT in holding(data, KEPT)  # and after it stops; recent ones stay


def test_a_document_question_is_recorded_without_its_text(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    log = _usage_log(settings, fold=False)
    assert log is not None
    recorder = Recorder(settings, log, audit=None)  # type: ignore[arg-type]  # retention needs no audit store
    person = Person("kim", "김", "서울특별시/행정국/총무과")
    recorder.event(person, "doc_qa", "ask", query=f"{DOC} 계약서의 해지 조건은?")
    recorder.event(person, "manual_search", "ask", query=f"{KEPT} 민원 처리기간")
    rows = log.query("SELECT feature, query FROM events ORDER BY feature")
    log.close()
    assert rows == [("doc_qa", None), ("manual_search", f"{KEPT} 민원 처리기간")]
    assert DOC not in holding(tmp_path / "data", DOC)


def _all_time():
    from datetime import date

    from seoulai.usage.queries import Filters

    return Filters(date(2000, 1, 1), date(2100, 1, 1))


def test_a_dashboard_opened_before_a_retention_rewrite_still_reads(tmp_path: Path) -> None:
    """The first retention pass rewrites the DuckDB file and reconnects; a page that took its Analytics before then
    read through the closed connection ("Connection already closed", a flaky 이용 현황 page)."""
    settings = Settings(data_dir=tmp_path / "data", usage={"retention_days": 30})
    log = _usage_log(settings, fold=False)
    assert log is not None
    try:
        log.record(UsageEvent("manual_search", "ask", department=UNIT, query=OLD, ts=datetime.now() - timedelta(days=31)))
        log.record(UsageEvent("manual_search", "ask", department=UNIT, query=KEPT))
        page = log.analytics()  # the page's reader, taken before the rewrite
        assert log.expire() == 1  # the file is rewritten and reopened
        assert page.kpis(_all_time()).queries == 1
    finally:
        log.close()
