"""Times as people read them: always Korea time (KST, UTC+9), whatever the server's own zone.

Stored times stay as they are (UTC ISO strings, epoch seconds); only what a person reads goes through
:func:`seoul_time`, so a draft saved at 23:30 UTC reads "2026. 12. 8. 08:30" on every page, list, export and
command line, never the server's 7 December.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Literal

# Korea keeps no daylight saving time: a fixed +9 offset is Asia/Seoul without needing a tz database installed.
SEOUL = timezone(timedelta(hours=9), "Asia/Seoul")
Unit = Literal["day", "minute", "second"]


def today_in_seoul() -> date:
    return datetime.now(SEOUL).date()


def in_seoul(moment: datetime | float | str) -> datetime:
    """Epoch seconds, an ISO string or a datetime, as Seoul's time; a moment without an offset is UTC (how every
    store here writes them)."""
    if isinstance(moment, (int, float)):
        return datetime.fromtimestamp(moment, SEOUL)
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(SEOUL)


def seoul_time(moment: datetime | float | str, unit: Unit = "minute") -> str:
    """"2026. 12. 8. 08:30" (the 공문서 way of writing a date), to the day, minute or second."""
    local = in_seoul(moment)
    day = f"{local.year}. {local.month}. {local.day}."
    if unit == "day":
        return day
    return f"{day} {local:%H:%M:%S}" if unit == "second" else f"{day} {local:%H:%M}"
