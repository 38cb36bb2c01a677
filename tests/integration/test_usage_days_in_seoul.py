"""이용 현황 counts days as Seoul does: a question asked at 08:30 on 8 December in Seoul (23:30 UTC on the 7th, as
events are stored) belongs to the 8th in the period filter, the daily chart, the comments and the export."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from seoulai.config import Settings
from seoulai.services import _usage_log
from seoulai.usage.log import UsageEvent
from seoulai.usage.queries import Filters

UNIT = "서울특별시/행정국/총무과"


def test_a_day_is_a_day_in_seoul(tmp_path: Path) -> None:
    log = _usage_log(Settings(data_dir=tmp_path / "data"), fold=False)
    assert log is not None
    try:
        for n in range(5):  # five people, so the comments are shown (groups under five are not)
            log.record(UsageEvent("manual_search", "ask", user_id=f"u{n}", department=UNIT, comment="좋아요",
                                  ts=datetime(2026, 12, 7, 23, 30)))
        analytics = log.analytics()
        eighth, seventh = Filters(date(2026, 12, 8), date(2026, 12, 8)), Filters(date(2026, 12, 7), date(2026, 12, 7))
        assert analytics.kpis(eighth).queries == 5 and analytics.kpis(seventh).queries == 0
        assert list(analytics.over_time(eighth, 2)["day"].astype(str)) == ["2026-12-08"]
        shown = analytics.comments(eighth)
        assert len(shown) == 5 and {(t.day, t.hour) for t in shown["ts"]} == {(8, 8)}
        assert {(t.day, t.hour) for t in analytics.export(eighth)["ts"]} == {(8, 8)}
    finally:
        log.close()
