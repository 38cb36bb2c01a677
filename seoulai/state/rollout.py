"""The pilot's rollout: units opened on a date (waves) and the announcement banner, in the shared state store.

Both are small tables every app server reads; a change made on one server (or by the command line) reaches the
others through the store. Dates are Seoul dates as "YYYY-MM-DD" text, so they compare alike on SQLite and
PostgreSQL and read the same in a dump.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from seoulai.state.db import Database

_ANNOUNCEMENT = "id, kind, body, starts_on, ends_on, set_by, set_at"


@dataclass(frozen=True)
class WaveRow:
    unit: str  # the unit's path when the wave was set, "서울특별시/행정국"
    opens_on: str  # "2026-12-14"
    set_by: str  # the administrator's pseudonym
    set_at: float


@dataclass(frozen=True)
class AnnouncementRow:
    id: str
    kind: str  # "maintenance" | "feature" | "notice"
    body: str
    starts_on: str | None  # "2026-12-14"; None: from now
    ends_on: str | None  # the last day it shows; None: until removed
    set_by: str
    set_at: float


def _announcement(row: tuple[Any, ...]) -> AnnouncementRow:
    return AnnouncementRow(id=str(row[0]), kind=str(row[1]), body=str(row[2]), starts_on=row[3], ends_on=row[4],
                           set_by=str(row[5]), set_at=float(row[6]))


class RolloutStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- waves ------------------------------------------------------------------------------------------------
    def waves(self) -> list[WaveRow]:
        rows = self.db.rows("SELECT unit, opens_on, set_by, set_at FROM rollout_waves ORDER BY unit")
        return [WaveRow(str(r[0]), str(r[1]), str(r[2]), float(r[3])) for r in rows]

    def set_wave(self, unit: str, opens_on: str, set_by: str) -> str | None:
        """Open ``unit`` on ``opens_on`` (a new wave, or a new date for it); returns the date it had before."""
        with self.db.transaction() as tx:
            tx.lock(f"rollout_waves:{unit}")  # two administrators setting one unit at once: one wins, whole
            before = tx.rows("SELECT opens_on FROM rollout_waves WHERE unit = ?", [unit])
            if before:
                tx.run("UPDATE rollout_waves SET opens_on = ?, set_by = ?, set_at = ? WHERE unit = ?",
                       [opens_on, set_by, time.time(), unit])
                return str(before[0][0])
            tx.run("INSERT INTO rollout_waves (unit, opens_on, set_by, set_at) VALUES (?, ?, ?, ?)",
                   [unit, opens_on, set_by, time.time()])
            return None

    def remove_wave(self, unit: str) -> bool:
        return self.db.run("DELETE FROM rollout_waves WHERE unit = ?", [unit]) > 0

    # -- announcements ------------------------------------------------------------------------------------------
    def announcements(self) -> list[AnnouncementRow]:
        """Every announcement, the newest first."""
        rows = self.db.rows(f"SELECT {_ANNOUNCEMENT} FROM announcements ORDER BY set_at DESC, id")  # noqa: S608 - constant columns
        return [_announcement(r) for r in rows]

    def add_announcement(self, row: AnnouncementRow) -> None:
        self.db.run(f"INSERT INTO announcements ({_ANNOUNCEMENT}) VALUES (?, ?, ?, ?, ?, ?, ?)",  # noqa: S608 - constant columns
                    [row.id, row.kind, row.body, row.starts_on, row.ends_on, row.set_by, row.set_at])

    def remove_announcement(self, announcement_id: str) -> bool:
        return self.db.run("DELETE FROM announcements WHERE id = ?", [announcement_id]) > 0
