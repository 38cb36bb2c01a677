"""이용 현황: the analytics a manager may see (their part of the org chart only), exports, demo data."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd

from seoulai.auth.orgchart import Unit
from seoulai.auth.people import Person
from seoulai.auth.policy import Policy
from seoulai.config import Settings
from seoulai.errors import InputError
from seoulai.services.figure_cache import FigureCache
from seoulai.services.recording import Recorder
from seoulai.usage import figures
from seoulai.usage.log import UsageLog
from seoulai.text.times import today_in_seoul
from seoulai.usage.queries import FEATURE_LABELS, MIN_GROUP, Analytics, Filters, Kpis

# What the 이용 현황 page reads: the dashboard and export this service returns, the feature names, how a unit is
# named, and the charts drawn from a dashboard's tables (figures: pure functions, no data of their own).
__all__ = ["DEFAULT_DAYS", "FEATURE_LABELS", "MIN_GROUP", "Dashboard", "Export", "Filters", "UsageService", "figures",
           "unit_label"]
DEFAULT_DAYS = 30  # the page opens on the last 30 days (최근 30일), the figures the warm-up prepares


def unit_label(path: str) -> str:
    """A unit as a person names it, with every level under the city: "행정국 > 총무과" (two 과 share a name, never
    a path). The city itself, SMALL_GROUP and a name already given stay as they are."""
    return " > ".join(path.split("/")[1:]) or path


@dataclass(frozen=True)
class Dashboard:
    kpis: Kpis
    previous: Kpis  # the period of the same length just before
    level: int
    over_time: pd.DataFrame
    adoption: pd.DataFrame
    feature_mix: pd.DataFrame
    latency: pd.DataFrame
    topics: pd.DataFrame
    comments: pd.DataFrame
    idle: list[str]  # 과 (leaves) of the chosen part of the org with no use in the period
    gaps: pd.DataFrame  # questions without grounds, by the department whose manual came closest
    savings_rule: str  # how 절감 시간 is estimated, in one line
    withheld: str = ""  # which figures are left out because fewer than MIN_GROUP people are behind them, and why
    computed_at: float = 0.0  # epoch seconds: shared figures may be a few minutes old (see figure_cache)


@dataclass(frozen=True)
class Export:
    csv: bytes
    xlsx: bytes
    rows: int


class UsageService:
    def __init__(self, settings: Settings, log: UsageLog | None, policy: Policy, recorder: Recorder) -> None:
        self.settings = settings
        self.log = log
        self.policy = policy
        self.recorder = recorder
        self._cache: FigureCache[Dashboard] = FigureCache(lambda: self.settings.usage.dashboard_cache)

    @property
    def unavailable(self) -> str:
        """Why there is no usage data to show ('' when there is)."""
        if self.log is None:
            return "이용 기록이 꺼져 있습니다. 이용 현황을 보려면 시스템 관리자에게 이용 기록을 켜 달라고 요청하세요."
        return self.log.readable()

    def scope(self, person: Person) -> str | None:
        return self.policy.usage_scope(person)

    def units(self, person: Person) -> list[Unit]:
        scope = self.policy.check_usage(person)
        return self.policy.org.subtree(scope)

    def _analytics(self) -> Analytics:
        if self.unavailable or self.log is None:
            raise InputError(self.unavailable or "이용 기록이 꺼져 있습니다.", code="usage_disabled")
        return self.log.analytics()

    def span(self, person: Person) -> tuple[date, date] | None:
        self.policy.check_usage(person)
        return self._analytics().date_range()

    def dashboard(self, person: Person, filters: Filters) -> Dashboard:
        """The page's figures. The same filter's figures are shared by every manager allowed to see them (see
        :mod:`seoulai.services.figure_cache`; the check of who may see them runs on every call)."""
        self.policy.check_usage(person, filters.department)
        return self._dashboard(filters)

    def _dashboard(self, filters: Filters) -> Dashboard:
        filters = self._with_aliases(filters)
        key = (filters.start, filters.end, filters.department, tuple(filters.features), filters.aliases)
        return self._cache.get(key, lambda: self._compute(filters))

    def default_filters(self, department: str | None = None) -> Filters:
        """What the page shows first: the last DEFAULT_DAYS of Seoul days, the whole of ``department`` (the city)."""
        today = today_in_seoul()
        return Filters(today - timedelta(days=DEFAULT_DAYS - 1), today, department or self.policy.org.root)

    def prepare(self) -> None:
        """Compute the whole city's first view before anyone opens the page (the server's warm-up)."""
        if not self.unavailable and self.log is not None and self._analytics().date_range() is not None:
            self._dashboard(self.default_filters())

    def _with_aliases(self, filters: Filters) -> Filters:
        """The filter with the old paths (조직 개편) of its department, so history follows renamed units."""
        return replace(filters, aliases=tuple(self.policy.aliases(filters.department)))

    def _compute(self, filters: Filters) -> Dashboard:
        analytics = self._analytics()
        units = self.policy.org.subtree(filters.department)
        level = min(filters.department.count("/") + 1, max((u.depth for u in units), default=1))
        headcounts = {u.path: u.headcount for u in self.policy.org.units}
        leaves = [u for u in self.policy.org.leaves() if u in units]
        deepest = max((u.depth for u in leaves), default=level)
        active = analytics.active_units(filters, deepest)
        minutes = self.settings.usage.minutes_saved
        rule = ("절감 시간 = 성공한 이용 건수 × 기능별 1건당 아끼는 시간(" +
                ", ".join(f"{FEATURE_LABELS.get(k, k)} {v:g}분" for k, v in minutes.items()) +
                "; 시스템 관리자가 정한 추정치)")
        kpis = analytics.kpis(filters)
        withheld = (f"{', '.join(kpis.withheld)}: 이 범위에서 남긴 사람이 {MIN_GROUP}명 미만이라 보여 드리지 않습니다 "
                    "(한 사람의 평가나 의견이 드러나지 않도록)." if kpis.withheld else "")
        return Dashboard(kpis=kpis, previous=analytics.kpis(filters.previous()), level=level,
                         over_time=analytics.over_time(filters, level),
                         adoption=_with_headcount(analytics.adoption(filters, level, headcounts)),
                         feature_mix=analytics.feature_mix(filters), latency=analytics.latency_histogram(filters),
                         topics=analytics.topics(filters), comments=analytics.comments(filters),
                         idle=[u.path for u in leaves if u.path not in active],
                         gaps=analytics.gaps(filters, filters.department, self.policy.org.root),
                         savings_rule=rule, withheld=withheld, computed_at=time.time())

    def export(self, person: Person, filters: Filters) -> Export:
        self.policy.check_usage(person, filters.department)
        filters = self._with_aliases(filters)
        table = neutralise_formulas(korean_columns(self._analytics().export(filters)))
        excel = io.BytesIO()
        table.head(self.settings.usage.xlsx_rows).to_excel(excel, index=False, sheet_name="이용현황")
        self.recorder.event(person, "usage", "export", sources=len(table))
        self.recorder.audit(person, "usage_export", f"{filters.department} {filters.start}~{filters.end} "
                                                    f"({len(table):,}건)")
        return Export(table.to_csv(index=False).encode("utf-8-sig"), excel.getvalue(), len(table))

    # -- operator ------------------------------------------------------------------------------------------
    def demo_data(self, events: int, days: int) -> int:
        from seoulai.usage.demo import generate

        if not 1 <= events <= 50_000_000:
            raise InputError("--events는 1부터 50,000,000 사이로 지정하세요.", code="bad_events")
        if self.log is None:
            raise InputError("이용 기록이 꺼져 있습니다 (SEOULAI_USAGE__ENABLED).", code="usage_disabled")
        # Spooled like any event, so this works while the app runs (the app folds it within a second).
        return self.log.append_table(generate(events, self.policy.org, days=days))

    def summary(self, department: str | None = None) -> dict[str, object]:
        analytics = self._analytics()
        span = analytics.date_range()
        root = department or self.policy.org.root
        start, end = span if span else (today_in_seoul(), today_in_seoul())
        return {"from": str(start), "to": str(end), "department": root,
                **analytics.kpis(self._with_aliases(Filters(start, end, root))).to_json()}

    def flush(self) -> bool:
        """Fold spooled events now (False: another process, the running app, does it)."""
        return self.log.flush() if self.log is not None else True


def _with_headcount(table: pd.DataFrame) -> pd.DataFrame:
    """정원 대비 이용률 only for units with a headcount: the organisation rule gives none (0), and a rate over
    no one is not a rate; the chart then says 자료 없음."""
    return table[table["headcount"] > 0]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as a formula (=, +, -, @, tab, CR first) get a leading apostrophe."""
    out = table.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v)
    return out


COLUMNS = {"ts": "시각", "user_id": "사용자(가명)", "department": "부서", "role": "역할", "feature": "기능",
           "action": "동작", "model": "모델", "latency_ms": "응답 시간(초)", "ttft_ms": "첫 글자까지(초)",
           "tokens_in": "모델 입력량(토큰)", "tokens_out": "모델 출력량(토큰)", "sources": "근거 수", "outcome": "결과",
           "error_code": "오류 코드", "rating": "평가", "comment": "의견", "minutes_saved": "절감 시간(분)"}
ACTIONS = {"ask": "질문", "search": "검색", "feedback": "평가", "upload": "올리기", "delete": "삭제",
           "summary": "요약", "compare": "비교", "generate": "초안 생성", "export": "내보내기", "references": "근거 찾기",
           "survey": "시간 설문", "review_export": "시범 운영 결과 내보내기"}
OUTCOMES = {"ok": "성공", "no_answer": "근거 없음", "error": "오류"}


def korean_columns(table: pd.DataFrame) -> pd.DataFrame:
    """The export as a 국장 reads it: Korean column names and values, dates as 2026. 11. 8. 14:30."""
    from seoulai.auth.roles import Role

    roles = {r.value: r.label for r in Role}
    out = table.copy()
    out["ts"] = pd.to_datetime(out["ts"]).map(lambda t: f"{t.year}. {t.month}. {t.day}. {t:%H:%M:%S}")
    out["department"] = out["department"].map(lambda d: unit_label(d) if isinstance(d, str) else d)
    for column in ("latency_ms", "ttft_ms"):  # seconds, as the page shows them
        out[column] = (out[column] / 1000).round(1)
    out["role"] = out["role"].map(lambda r: roles.get(r, r))
    out["feature"] = out["feature"].map(lambda f: FEATURE_LABELS.get(f, f))
    out["action"] = out["action"].map(lambda a: ACTIONS.get(a, a))
    out["outcome"] = out["outcome"].map(lambda o: OUTCOMES.get(o, o))
    out["rating"] = out["rating"].map({1: "👍", -1: "👎"})
    return out.rename(columns=COLUMNS)
