"""The analytics behind the 이용 현황 page: fixed, parameterised SQL over the event log.

Nothing here is written by a model; every filter value is a bound parameter. ``source`` is either the
``events`` table of the DuckDB file or ``read_parquet(...)`` over every replica's partition.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

FEATURE_LABELS = {"manual_search": "매뉴얼 검색", "doc_qa": "문서 Q&A", "drafting": "초안 작성", "library": "매뉴얼 관리",
                  "usage": "이용 현황"}
# The fewest distinct people behind any figure of a group (a 과, a role, a topic, a satisfaction rate, time saved):
# below it, one person's questions and ratings could be told apart. One number for the page and the export.
MIN_GROUP = 5
# Stored times are UTC; 이용 현황 counts and shows Seoul's days and hours (UTC+9, no daylight saving time).
SEOUL_OFFSET = timedelta(hours=9)
SMALL_GROUP = f"기타 ({MIN_GROUP}명 미만)"  # the name groups below MIN_GROUP are folded into
# Topics are what people ask of the shared manuals; questions about one's own uploaded documents stay private.
TOPIC_FEATURE = "manual_search"


def minutes_counted(events: str) -> str:
    """The condition on an event of ``events`` (a relation of ours, never a value) whose ``minutes_saved`` counts: a
    draft export answered by the 시간 설문 counts the answer's minutes, not the configured estimate. One rule for
    the dashboard's headline and the pilot review."""
    return (f"NOT (feature = 'drafting' AND action = 'export' AND event_id IN (SELECT ref_id FROM {events} "  # noqa: S608 - a relation of ours
            "WHERE feature = 'drafting' AND action = 'survey' AND ref_id IS NOT NULL))")


@dataclass
class Filters:
    start: date
    end: date  # inclusive
    department: str = "서울특별시"  # any level of the 실/국/과 tree
    features: list[str] = field(default_factory=list)  # empty: all
    # Old paths of units renamed or merged into ``department`` (조직 개편): their events count for it too.
    aliases: tuple[str, ...] = ()

    def previous(self) -> "Filters":
        """The period of the same length just before this one (for the change on each headline number)."""
        days = (self.end - self.start).days + 1
        return Filters(self.start - timedelta(days=days), self.start - timedelta(days=1), self.department,
                       self.features, self.aliases)

    def bounds(self) -> tuple[datetime, datetime]:
        """The period's Seoul days as the stored (UTC) times they span: 8 December in Seoul starts at 15:00 UTC on
        the 7th."""
        return (datetime.combine(self.start, datetime.min.time()) - SEOUL_OFFSET,
                datetime.combine(self.end + timedelta(days=1), datetime.min.time()) - SEOUL_OFFSET)

    def where(self) -> tuple[str, list[Any]]:
        departments = [self.department, *self.aliases]
        either = " OR ".join(["department = ? OR department LIKE ?"] * len(departments))
        clauses = ["ts >= ?", "ts < ?", f"({either})"]
        params: list[Any] = list(self.bounds())
        for department in departments:
            params += [department, department + "/%"]
        if self.features:
            clauses.append(f"feature IN ({','.join('?' * len(self.features))})")
            params += self.features
        return " AND ".join(clauses), params


@dataclass
class Kpis:
    active_users: int
    queries: int
    satisfaction: float | None  # share of 👍 among rated answers
    p50_ms: float | None
    p95_ms: float | None
    error_rate: float | None
    no_answer_rate: float | None
    hours_saved: float | None  # None (like satisfaction) when fewer than MIN_GROUP people are behind it
    tokens_in: int = 0  # the model's own counts (prompt and generated tokens)
    tokens_out: int = 0
    withheld: tuple[str, ...] = ()  # figures left out because fewer than MIN_GROUP people are behind them

    def to_json(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


class Analytics:
    def __init__(self, cursor_factory: Any, source: str) -> None:
        self._cursor = cursor_factory  # returns a fresh read cursor
        self.source = source

    def _df(self, sql: str, params: list[Any]) -> pd.DataFrame:
        cursor = self._cursor()
        try:
            return cursor.execute(sql, params).df()
        finally:
            cursor.close()

    def kpis(self, f: Filters) -> Kpis:
        where, params = f.where()
        row = self._df(f"""
            SELECT count(DISTINCT user_id) AS users,
                   count(*) FILTER (WHERE action IN ('ask', 'search')) AS queries,
                   avg(CASE WHEN rating = 1 THEN 1.0 ELSE 0.0 END) FILTER (WHERE rating IS NOT NULL) AS satisfaction,
                   quantile_cont(latency_ms, 0.5) FILTER (WHERE action = 'ask') AS p50,
                   quantile_cont(latency_ms, 0.95) FILTER (WHERE action = 'ask') AS p95,
                   avg(CASE WHEN outcome = 'error' THEN 1.0 ELSE 0.0 END) FILTER (WHERE action = 'ask') AS errors,
                   avg(CASE WHEN outcome = 'no_answer' THEN 1.0 ELSE 0.0 END) FILTER (WHERE action = 'ask') AS none,
                   coalesce(sum(minutes_saved) FILTER (WHERE {minutes_counted(self.source)}), 0) / 60.0 AS hours,
                   coalesce(sum(tokens_in), 0) AS tokens_in, coalesce(sum(tokens_out), 0) AS tokens_out,
                   count(DISTINCT user_id) FILTER (WHERE rating IS NOT NULL) AS raters,
                   count(DISTINCT user_id) FILTER (WHERE minutes_saved > 0) AS savers,
                   count(DISTINCT user_id) FILTER (WHERE comment IS NOT NULL) AS commenters
            FROM {self.source} WHERE {where}""", params).iloc[0]  # noqa: S608 - source is ours, values bound
        few = {name: 0 < int(n) < MIN_GROUP for name, n in
               (("만족도", row.raters), ("절감 시간", row.savers), ("의견", row.commenters))}
        return Kpis(int(row.users), int(row.queries), None if few["만족도"] else _opt(row.satisfaction),
                    _opt(row.p50), _opt(row.p95), _opt(row.errors), _opt(row.none),
                    None if few["절감 시간"] else float(row.hours), int(row.tokens_in), int(row.tokens_out),
                    tuple(name for name, hidden in few.items() if hidden))

    def over_time(self, f: Filters, level: int) -> pd.DataFrame:
        """Daily questions per unit one level below the filter (or the filter's own unit at the bottom); units of
        fewer than MIN_GROUP people in the period are one bar, SMALL_GROUP."""
        where, params = f.where()
        return self._df(f"""
            WITH e AS (SELECT *, array_to_string(list_slice(string_split(department, '/'), 1, ?), '/') AS unit
                       FROM {self.source} WHERE {where}),
                 sizes AS (SELECT unit, count(DISTINCT user_id) AS people FROM e GROUP BY unit)
            SELECT CAST(date_trunc('day', ts + INTERVAL 9 HOUR) AS DATE) AS day,
                   CASE WHEN people >= ? THEN unit ELSE ? END AS unit, count(*) AS questions
            FROM e JOIN sizes USING (unit) WHERE action IN ('ask', 'search')
            GROUP BY ALL ORDER BY day""", [level + 1, *params, MIN_GROUP, SMALL_GROUP])  # noqa: S608 - source is ours, values bound

    def adoption(self, f: Filters, level: int, headcounts: dict[str, int]) -> pd.DataFrame:
        where, params = f.where()
        users = self._df(f"""
            SELECT array_to_string(list_slice(string_split(department, '/'), 1, ?), '/') AS unit,
                   count(DISTINCT user_id) AS active_users
            FROM {self.source} WHERE {where} GROUP BY ALL""", [level + 1, *params])  # noqa: S608 - source is ours, values bound
        units = [u for u in headcounts if u.count("/") == level and (u == f.department or
                                                                     u.startswith(f.department + "/"))]
        table = pd.DataFrame({"unit": units, "headcount": [headcounts[u] for u in units]})
        table = table.merge(users, on="unit", how="left").fillna({"active_users": 0})
        table["adoption"] = table["active_users"] / table["headcount"].where(table["headcount"] > 0)
        table["name"] = table["unit"].str.rsplit("/", n=1).str[-1]
        return table.sort_values("adoption", ascending=False)

    def feature_mix(self, f: Filters) -> pd.DataFrame:
        where, params = f.where()
        table = self._df(f"""SELECT feature, count(*) AS events FROM {self.source}
                             WHERE {where} AND action <> 'feedback' GROUP BY ALL ORDER BY events DESC""",  # noqa: S608 - source is ours, values bound
                         params)
        table["label"] = table["feature"].map(lambda x: FEATURE_LABELS.get(x, x))
        return table

    def latency_histogram(self, f: Filters, bucket_ms: int = 500) -> pd.DataFrame:
        where, params = f.where()
        return self._df(f"""SELECT floor(latency_ms / ?) * ? / 1000.0 AS seconds, count(*) AS answers
                            FROM {self.source} WHERE {where} AND action = 'ask' AND latency_ms IS NOT NULL
                            GROUP BY ALL ORDER BY seconds""", [bucket_ms, bucket_ms, *params])  # noqa: S608 - source is ours, values bound

    def topics(self, f: Filters, sample: int = 2000, top: int = 15) -> pd.DataFrame:
        """What people ask of the manuals: compound nouns ("처리기간", "정보공개") of the recent (PII-masked)
        매뉴얼 검색 questions, each counted once per question, without the words every administrative question
        has. Only topics asked by at least MIN_GROUP people: a topic never points at one person."""
        where, params = f.where()
        queries = self._df(f"""SELECT user_id, query FROM {self.source} WHERE {where} AND query IS NOT NULL
                               AND feature = ? AND action = 'ask' ORDER BY ts DESC LIMIT ?""",  # noqa: S608 - source is ours, values bound
                           [*params, TOPIC_FEATURE, sample])
        rows = [(u, q) for u, q in zip(queries["user_id"], queries["query"]) if q]
        askers: dict[str, set[str]] = {}
        counts: Counter[str] = Counter()
        for (user, _), found in zip(rows, topics_of([q for _, q in rows])):
            counts.update(found)
            for topic in found:
                askers.setdefault(topic, set()).add(user)
        shown = [(t, n) for t, n in counts.most_common() if len(askers[t]) >= MIN_GROUP][:top]
        return pd.DataFrame(shown, columns=["topic", "count"])

    def active_units(self, f: Filters, level: int) -> set[str]:
        where, params = f.where()
        rows = self._df(f"""SELECT DISTINCT array_to_string(list_slice(string_split(department, '/'), 1, ?), '/')
                            AS unit FROM {self.source} WHERE {where}""", [level + 1, *params])  # noqa: S608 - source is ours, values bound
        return set(rows["unit"])

    def gaps(self, f: Filters, owners_under: str, root: str, limit: int = 8) -> pd.DataFrame:
        """Questions that found no grounds, by the department whose manual came closest and that document (``rule``,
        "" for events recorded before it was): what is missing from which rule, kept by whom. ``owners_under``: the part of the org whose manuals the viewer keeps (the root also sees
        the shared library's, 공통)."""
        clauses = ["ts >= ?", "ts < ?", "action = 'ask'", "outcome = 'no_answer'", "owner IS NOT NULL",
                   "(owner = ? OR owner LIKE ?" + (" OR owner = '공통')" if owners_under == root else ")")]
        params: list[Any] = [*f.bounds(), owners_under, owners_under + "/%"]
        return self._df(f"""SELECT owner, coalesce(rule, '') AS rule, count(*) AS questions,
                                   coalesce(list(DISTINCT query) FILTER (WHERE query IS NOT NULL),
                                            [])[1:{int(limit)}] AS examples
                            FROM {self.source} WHERE {" AND ".join(clauses)}
                            GROUP BY ALL ORDER BY questions DESC, owner, rule""", params)  # noqa: S608 - source is ours, values bound

    def comments(self, f: Filters, limit: int = 50) -> pd.DataFrame:
        """Comments, only when at least MIN_GROUP people left them; a comment's 과 of fewer than MIN_GROUP people
        in the period is shown as SMALL_GROUP."""
        where, params = f.where()
        return self._df(f"""
            WITH e AS (SELECT * FROM {self.source} WHERE {where}),
                 sizes AS (SELECT department, count(DISTINCT user_id) AS people FROM e GROUP BY department)
            SELECT ts + INTERVAL 9 HOUR AS ts, CASE WHEN people >= ? THEN department ELSE ? END AS department,
                   feature, rating, comment
            FROM e JOIN sizes USING (department)
            WHERE comment IS NOT NULL
              AND (SELECT count(DISTINCT user_id) FROM e WHERE comment IS NOT NULL) >= ?
            ORDER BY ts DESC LIMIT ?""", [*params, MIN_GROUP, SMALL_GROUP, MIN_GROUP, limit])  # noqa: S608 - source is ours, values bound

    def export(self, f: Filters, limit: int = 1_000_000) -> pd.DataFrame:
        """The filtered events, row by row. Rows of a 과 of fewer than MIN_GROUP people in the period carry no
        person, 과, rating, comment or time saved (the 과 reads SMALL_GROUP); a role held by fewer than
        MIN_GROUP people of a 과 is left blank."""
        where, params = f.where()
        return self._df(f"""
            WITH e AS (SELECT * FROM {self.source} WHERE {where}),
                 sizes AS (SELECT department, count(DISTINCT user_id) AS people FROM e GROUP BY department),
                 roles AS (SELECT department, role, count(DISTINCT user_id) AS holders FROM e GROUP BY ALL)
            SELECT ts + INTERVAL 9 HOUR AS ts, CASE WHEN people >= ? THEN user_id END AS user_id,
                   CASE WHEN people >= ? THEN department ELSE ? END AS department,
                   CASE WHEN holders >= ? THEN role END AS role, feature, action, model, latency_ms, ttft_ms,
                   tokens_in, tokens_out, sources, outcome, error_code,
                   CASE WHEN people >= ? THEN rating END AS rating,
                   CASE WHEN people >= ? THEN comment END AS comment,
                   CASE WHEN people >= ? THEN minutes_saved END AS minutes_saved
            FROM e JOIN sizes USING (department) LEFT JOIN roles USING (department, role)
            ORDER BY ts LIMIT ?""",  # noqa: S608 - source is ours, values bound
                        [*params, MIN_GROUP, MIN_GROUP, SMALL_GROUP, *[MIN_GROUP] * 4, limit])

    def date_range(self) -> tuple[date, date] | None:
        span = "min(ts) + INTERVAL 9 HOUR AS lo, max(ts) + INTERVAL 9 HOUR AS hi"  # Seoul's days
        row = self._df(f"SELECT {span} FROM {self.source}", []).iloc[0]  # noqa: S608 - source is ours, values bound
        if pd.isna(row.lo):
            return None
        return row.lo.date(), row.hi.date()


# Words nearly every administrative question holds: they say nothing about its topic.
GENERIC = frozenset("""절차 방법 경우 기간 기한 관련 문의 질문 처리 민원 내용 사항 여부 대상 기준 신청 제출 규정 법 조문 서류 업무
가능 필요 해당 이후 이전 얼마 어디 무엇 누구 언제 정도 때문 이유 결과 안내 확인 요청 부탁 답변 예시 설명 문서""".split())


def count_topics(texts: list[str]) -> Counter[str]:
    """Topics of each text once: nouns written together form one (처리 + 기간 → 처리기간), generic words alone
    are not topics."""
    counts: Counter[str] = Counter()
    for found in topics_of(texts):
        counts.update(found)
    return counts


def topics_of(texts: list[str]) -> list[set[str]]:
    """The topics of each text, in order."""
    from seoulai.text.korean import get_kiwi

    out: list[set[str]] = []
    for tokens in get_kiwi().tokenize(texts) if texts else []:
        found: set[str] = set()
        run: list[str] = []
        end = -1
        for token in [*tokens, None]:
            noun = token is not None and str(token.tag) in ("NNG", "NNP")
            if noun and run and token.start == end:
                run.append(token.form)
            else:
                topic = "".join(run)
                if len(topic) >= 2 and topic not in GENERIC:
                    found.add(topic)
                run = [token.form] if noun else []
            if token is not None:
                end = token.start + token.len
        out.append(found)
    return out


def _opt(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
