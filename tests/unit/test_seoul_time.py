"""Times as people read them are Korea time: a moment stored at 23:30 UTC reads as the next day's 08:30, whatever
form it was stored in (epoch seconds, an ISO string with or without its offset, a datetime)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from seoulai.text.times import SEOUL, seoul_time, today_in_seoul

LATE = datetime(2026, 12, 7, 23, 30, 5, tzinfo=timezone.utc)


@pytest.mark.parametrize("stored", [LATE, LATE.timestamp(), LATE.isoformat(), "2026-12-07T23:30:05Z",
                                    "2026-12-07T23:30:05.123456+00:00", "2026-12-07T23:30:05",
                                    LATE.replace(tzinfo=None), LATE.astimezone(SEOUL)])
def test_a_stored_late_evening_is_the_next_morning_in_seoul(stored: object) -> None:
    assert seoul_time(stored) == "2026. 12. 8. 08:30"  # type: ignore[arg-type]  # every stored form
    assert seoul_time(stored, "second") == "2026. 12. 8. 08:30:05"  # type: ignore[arg-type]  # the parametrised forms are the helper's accepted types
    assert seoul_time(stored, "day") == "2026. 12. 8."  # type: ignore[arg-type]  # the parametrised forms are the helper's accepted types


def test_today_is_seoul_s_day() -> None:
    assert today_in_seoul() == datetime.now(SEOUL).date()
