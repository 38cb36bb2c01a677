"""이용 현황: the analytics a manager may see (their part of the org chart only), exports, demo data."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pandas as pd

from seoulai.auth.orgchart import Unit
from seoulai.auth.people import Person
from seoulai.auth.policy import Policy
from seoulai.config import Settings
from seoulai.errors import InputError
from seoulai.services.recording import Recorder
from seoulai.usage.log import UsageLog
from seoulai.usage.queries import Analytics, Filters, Kpis


@dataclass
class Dashboard:
    kpis: Kpis
    level: int
    over_time: pd.DataFrame
    adoption: pd.DataFrame
    feature_mix: pd.DataFrame
    latency: pd.DataFrame
    topics: pd.DataFrame
    comments: pd.DataFrame


@dataclass
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

    @property
    def unavailable(self) -> str:
        """Why there is no usage data to show ('' when there is)."""
        if self.log is None:
            return "이용 기록이 꺼져 있습니다 (SEOULAI_USAGE__ENABLED)."
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
        self.policy.check_usage(person, filters.department)
        analytics = self._analytics()
        units = self.policy.org.subtree(filters.department)
        level = min(filters.department.count("/") + 1, max((u.depth for u in units), default=1))
        headcounts = {u.path: u.headcount for u in self.policy.org.units}
        return Dashboard(kpis=analytics.kpis(filters), level=level, over_time=analytics.over_time(filters, level),
                         adoption=analytics.adoption(filters, level, headcounts),
                         feature_mix=analytics.feature_mix(filters), latency=analytics.latency_histogram(filters),
                         topics=analytics.topics(filters), comments=analytics.comments(filters))

    def export(self, person: Person, filters: Filters) -> Export:
        self.policy.check_usage(person, filters.department)
        table = neutralise_formulas(self._analytics().export(filters))
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
        start, end = span if span else (date.today(), date.today())
        return {"from": str(start), "to": str(end), "department": root,
                **analytics.kpis(Filters(start, end, root)).to_json()}

    def flush(self) -> bool:
        """Fold spooled events now (False: another process, the running app, does it)."""
        return self.log.flush() if self.log is not None else True


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as a formula (=, +, -, @, tab, CR first) get a leading apostrophe."""
    out = table.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v)
    return out
