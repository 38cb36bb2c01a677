"""The pilot review (시범 운영 결과): fixed, parameterised SQL over the event log joined to the imported accounts.

The accounts (pseudonym, 직급), the old paths of renamed units and the units too small to be shown by name are small
tables registered on the query's own cursor as relations: bound data, never SQL built from values. The period's
events are read from the source once, into a temporary table of that cursor with each event's unit (the current
path, ``level`` deep), 직급, Seoul day and ISO week; every figure is then grouped from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd

from seoulai.usage.queries import MIN_GROUP, SMALL_GROUP, Analytics, Filters, minutes_counted

NO_GRADE = "직급 미입력"
NO_MODEL = "(모델 없음)"
# The events with a unit: units in the registered ``small`` table read SMALL_GROUP.
_FOLDED = "WITH s AS (SELECT *, CASE WHEN own_unit IN (SELECT unit FROM small) THEN ? ELSE own_unit END AS unit FROM u)"
# Events that save time: a draft export answered by a survey counts the survey's minutes, not the estimate.
_SAVED = f", saved AS (SELECT * FROM s WHERE {minutes_counted('s')})"  # noqa: S608 - constant relation names


def strings(columns: list[str], rows: list[tuple[str, ...]]) -> pd.DataFrame:
    """A table of text columns (typed even when empty, so DuckDB binds it)."""
    return pd.DataFrame(rows, columns=columns).astype({c: "string" for c in columns})


class ReviewQueries(Analytics):
    """The review's source and read cursors are the dashboard's."""

    @classmethod
    def over(cls, analytics: Analytics) -> "ReviewQueries":
        return cls(analytics._cursor, analytics.source)

    @contextmanager
    def scope(self, f: Filters, level: int, people: list[tuple[str, str]],
              renames: dict[str, str]) -> Iterator["Scope"]:
        """The period's events of ``f`` on one cursor, read once. ``people``: (pseudonym, 직급) of the accounts;
        ``renames``: old path -> current path."""
        where, params = f.where()
        cursor = self._cursor()
        try:
            cursor.register("people", strings(["user_id", "grade"], people))
            cursor.register("renames", strings(["old_path", "new_path"], list(renames.items())))
            cursor.register("small", strings(["unit"], []))
            cursor.execute(f"""
                CREATE TEMP TABLE u AS
                SELECT ev.user_id, ev.feature, ev.action, ev.model, ev.latency_ms, ev.tokens_in, ev.tokens_out,
                       ev.rating, ev.minutes_saved, ev.ref_id,
                       CASE WHEN ev.action = 'export' THEN ev.event_id END AS event_id,
                       array_to_string(list_slice(string_split(coalesce(r.new_path, ev.department), '/'), 1, ?), '/')
                           AS own_unit,
                       coalesce(p.grade, '') AS grade, CAST(ev.ts + INTERVAL 9 HOUR AS DATE) AS day,
                       CAST(date_trunc('week', ev.ts + INTERVAL 9 HOUR) AS DATE) AS week
                FROM (SELECT * FROM {self.source} WHERE {where}) ev
                     LEFT JOIN people p ON p.user_id = ev.user_id LEFT JOIN renames r ON r.old_path = ev.department
                """, [level + 1, *params])  # noqa: S608 - source is ours, values bound
            yield Scope(cursor)
        finally:
            cursor.close()


class Scope:
    """Figures of one materialised period; ``fold`` names the units shown only inside SMALL_GROUP."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def _df(self, body: str, params: list[Any] | None = None, saved: bool = False) -> pd.DataFrame:
        """``body`` after the folded events ``s`` (and, ``saved``, the time-saving events ``saved``)."""
        sql = _FOLDED + (_SAVED if saved else "") + body
        return self._cursor.execute(sql, [SMALL_GROUP, *(params or [])]).df()

    def fold(self, small: set[str]) -> None:
        self._cursor.register("small", strings(["unit"], [(u,) for u in sorted(small)]))

    def active_people(self) -> pd.DataFrame:
        """Distinct people per unit (its own path, before folding) in the period."""
        return self._cursor.execute("SELECT own_unit AS unit, count(DISTINCT user_id) AS active FROM u "
                                    "GROUP BY ALL").df()

    def weekly_active(self) -> pd.DataFrame:
        return self._df(" SELECT week, unit, count(DISTINCT user_id) AS active FROM s "
                        "GROUP BY ALL ORDER BY week, unit")

    def repeat_use(self) -> pd.DataFrame:
        """Per unit: active people and those who came back (two or more weeks and three or more days)."""
        return self._df(""", per AS (SELECT unit, user_id, count(DISTINCT week) AS weeks,
                                                     count(DISTINCT day) AS days FROM s GROUP BY ALL)
            SELECT unit, count(*) AS active, count(*) FILTER (WHERE weeks >= 2 AND days >= 3) AS repeaters
            FROM per GROUP BY unit ORDER BY unit""")

    def satisfaction(self) -> pd.DataFrame:
        return self._df("""
            SELECT unit, count(*) AS rated, count(*) FILTER (WHERE rating = 1) AS liked,
                   count(DISTINCT user_id) AS raters
            FROM s WHERE action = 'feedback' AND rating IS NOT NULL GROUP BY unit ORDER BY unit""")

    def minutes_by_unit(self) -> pd.DataFrame:
        return self._df("""
            SELECT unit, coalesce(sum(minutes_saved), 0) AS minutes,
                   count(DISTINCT user_id) FILTER (WHERE minutes_saved > 0) AS savers,
                   count(*) FILTER (WHERE action = 'survey') AS surveys
            FROM saved GROUP BY unit ORDER BY unit""", saved=True)

    def minutes_by_grade(self) -> pd.DataFrame:
        """Per 직급; a 직급 held by fewer than MIN_GROUP active people of the period is SMALL_GROUP."""
        return self._df(""",
                 holders AS (SELECT grade, count(DISTINCT user_id) AS people FROM s GROUP BY grade)
            SELECT CASE WHEN people >= ? THEN (CASE WHEN grade = '' THEN ? ELSE grade END) ELSE ? END AS grade,
                   coalesce(sum(minutes_saved), 0) AS minutes,
                   count(DISTINCT user_id) FILTER (WHERE minutes_saved > 0) AS savers
            FROM saved JOIN holders USING (grade) GROUP BY ALL ORDER BY minutes DESC""",
                        [MIN_GROUP, NO_GRADE, SMALL_GROUP], saved=True)

    def model_use(self) -> pd.DataFrame:
        """Requests, tokens and wait per unit and model; a unit × model of fewer than MIN_GROUP people is
        counted under SMALL_GROUP for that model."""
        return self._df(""",
                 asks AS (SELECT unit, coalesce(nullif(model, ''), ?) AS model, user_id, latency_ms, tokens_in,
                                 tokens_out FROM s WHERE action = 'ask'),
                 cells AS (SELECT unit, model, count(DISTINCT user_id) AS people FROM asks GROUP BY ALL)
            SELECT CASE WHEN people >= ? THEN unit ELSE ? END AS unit, model, count(*) AS requests,
                   coalesce(sum(tokens_in), 0) AS tokens_in, coalesce(sum(tokens_out), 0) AS tokens_out,
                   quantile_cont(latency_ms, 0.5) AS p50_ms, quantile_cont(latency_ms, 0.95) AS p95_ms
            FROM asks JOIN cells USING (unit, model) GROUP BY ALL ORDER BY requests DESC""",
                        [NO_MODEL, MIN_GROUP, SMALL_GROUP])

    def headline(self) -> dict[str, Any]:
        """The whole scope's figures: active people, those who came back, 👍 share (and raters), minutes saved
        (and savers), surveys answered."""
        row = self._df(""",
                 per AS (SELECT user_id, count(DISTINCT week) AS weeks, count(DISTINCT day) AS days
                         FROM s GROUP BY user_id)
            SELECT (SELECT count(*) FROM per) AS active,
                   (SELECT count(*) FROM per WHERE weeks >= 2 AND days >= 3) AS repeaters,
                   (SELECT avg(CASE WHEN rating = 1 THEN 1.0 ELSE 0.0 END) FROM s
                     WHERE action = 'feedback' AND rating IS NOT NULL) AS satisfaction,
                   (SELECT count(DISTINCT user_id) FROM s WHERE action = 'feedback' AND rating IS NOT NULL) AS raters,
                   (SELECT coalesce(sum(minutes_saved), 0) FROM saved) AS minutes,
                   (SELECT count(DISTINCT user_id) FROM saved WHERE minutes_saved > 0) AS savers,
                   (SELECT count(*) FROM s WHERE action = 'survey') AS surveys""", saved=True).iloc[0]
        return {k: (None if pd.isna(v) else v) for k, v in row.items()}
