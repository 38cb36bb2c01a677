"""시범 운영 결과: the pilot's story for management, per unit of the chosen part of the city (whoever may see its
usage), as tables, a chart and files a 과 can file (XLSX, and a one-page HWPX/DOCX report).

Who counts: the imported accounts (not disabled) are the people a unit was opened to; events are joined to them by
pseudonym. A unit of fewer than MIN_GROUP people (accounts, or active people where that is more) is shown only
inside SMALL_GROUP, and a unit's rate is left out where fewer than MIN_GROUP people are behind it.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd

from seoulai.auth.people import Person
from seoulai.drafting.export import report_pieces, write_docx, write_hwpx
from seoulai.drafting.layout import Piece
from seoulai.errors import InputError
from seoulai.services.figure_cache import FigureCache
from seoulai.services.usage import UsageService, neutralise_formulas, unit_label
from seoulai.state.stores import AccountStore
from seoulai.usage.queries import FEATURE_LABELS, MIN_GROUP, SMALL_GROUP, Filters
from seoulai.usage.review import ReviewQueries

__all__ = ["Headline", "Review", "ReviewFiles", "ReviewService"]
TITLE = "시범 운영 결과"
SURVEY_NOTE = ("초안을 내려받은 뒤 '줄어든 시간' 설문에 답한 경우, 그 초안은 추정치 대신 답한 시간(없음 0분 ~ 3시간 이상 "
               "180분)으로 셉니다.")


@dataclass(frozen=True)
class Headline:
    active: int  # people who used it in the period
    imported: int  # accounts opened in the scope (not disabled)
    repeat_rate: float | None  # share of active people who came back (2+ weeks, 3+ days)
    satisfaction: float | None  # 👍 share; None when fewer than MIN_GROUP people rated
    hours_saved: float | None  # None when fewer than MIN_GROUP people saved time
    surveys: int


@dataclass(frozen=True)
class Review:
    department: str
    start: date
    end: date
    headline: Headline
    weekly: pd.DataFrame  # week, unit, active, imported, adoption: the chart's lines
    tables: dict[str, pd.DataFrame]  # sheet name -> table with Korean columns (the page and the XLSX)
    top_units: list[str]
    gaps: list[tuple[str, int]]  # ("규정 (담당 부서)" label, questions without grounds), most first
    savings_rule: str


@dataclass(frozen=True)
class ReviewFiles:
    xlsx: bytes
    hwpx: bytes
    docx: bytes


class ReviewService:
    def __init__(self, usage: UsageService, accounts: AccountStore) -> None:
        self.usage = usage
        self.policy = usage.policy
        self.accounts = accounts
        self._cache: FigureCache[Review] = FigureCache(lambda: usage.settings.usage.dashboard_cache, size=32)

    def review(self, person: Person, filters: Filters) -> Review:
        """The review of ``filters``' period and 부서 (its feature choice does not apply: the pilot is all of it),
        shared by everyone allowed to see it like the dashboard (:mod:`seoulai.services.figure_cache`)."""
        self.policy.check_usage(person, filters.department)
        filters = replace(filters, features=[], aliases=tuple(self.policy.aliases(filters.department)))
        key = (filters.start, filters.end, filters.department, filters.aliases)
        return self._cache.get(key, lambda: self._compute(filters))

    def _queries(self) -> ReviewQueries:
        if self.usage.unavailable or self.usage.log is None:
            raise InputError(self.usage.unavailable or "이용 기록이 꺼져 있습니다.", code="usage_disabled")
        return ReviewQueries.over(self.usage.log.analytics())

    def _level(self, department: str) -> int:
        units = self.policy.org.subtree(department)
        return min(department.count("/") + 1, max((u.depth for u in units), default=1))

    def _compute(self, f: Filters) -> Review:
        queries, level = self._queries(), self._level(f.department)
        people: list[tuple[str, str]] = []
        counts: Counter[str] = Counter()
        for row in self.accounts.all():
            current = self.policy.current_department(row.department)
            people.append((_pseudonym(row.id), row.grade))
            if not row.disabled and (current == f.department or current.startswith(f.department + "/")):
                unit = "/".join(current.split("/")[:level + 1])
                counts[unit] += 1
        imported = pd.Series(counts, dtype="int64")
        with queries.scope(f, level, people, self.policy.renames()) as scope:
            active = scope.active_people().set_index("unit")["active"]
            units = sorted(set(imported.index) | set(active.index))
            small = {u for u in units if max(int(imported.get(u, 0)), int(active.get(u, 0))) < MIN_GROUP}
            scope.fold(small)
            folded = imported.groupby(lambda u: SMALL_GROUP if u in small else u).sum()
            weekly = _weekly(scope.weekly_active(), folded, f)
            per_unit = _per_unit(folded, scope.repeat_use(), scope.satisfaction(), scope.minutes_by_unit())
            head = scope.headline()
            grades, models = scope.minutes_by_grade(), scope.model_use()
        headline = Headline(int(head["active"]), int(folded.sum()),
                            _share(head["repeaters"], head["active"], head["active"]),
                            None if int(head["raters"]) < MIN_GROUP else _float(head["satisfaction"]),
                            None if int(head["savers"]) < MIN_GROUP else float(head["minutes"]) / 60,
                            int(head["surveys"]))
        gaps = queries.gaps(f, f.department, self.policy.org.root)
        ranked = per_unit[(per_unit["부서"] != SMALL_GROUP) & per_unit["이용률"].notna()].sort_values(
            "이용률", ascending=False)
        return Review(f.department, f.start, f.end, headline, weekly, {
            "주별 이용률": _weekly_table(weekly), "부서별 결과": per_unit, "직급별 절감 시간": _grade_table(grades),
            "모델 사용": _model_table(models), "근거 없는 질문": _gap_table(gaps)},
            top_units=list(ranked["부서"].head(3)),
            gaps=[(_gap_label(r.owner, r.rule), int(r.questions)) for r in gaps.itertuples()],
            savings_rule=self._savings_rule())

    def _savings_rule(self) -> str:
        minutes = self.usage.settings.usage.minutes_saved
        return ("절감 시간 = 성공한 이용 건수 × 기능별 1건당 추정 시간(" +
                ", ".join(f"{FEATURE_LABELS.get(k, k)} {v:g}분" for k, v in minutes.items()) + "). " + SURVEY_NOTE)

    def export(self, person: Person, filters: Filters) -> ReviewFiles:
        """The review as an XLSX (one sheet per table) and the one-page report as HWPX and DOCX."""
        review = self.review(person, filters)
        excel = io.BytesIO()
        with pd.ExcelWriter(excel) as writer:
            for sheet, table in review.tables.items():
                neutralise_formulas(table).to_excel(writer, sheet_name=sheet, index=False)
        title, pieces = report(review)
        self.usage.recorder.event(person, "usage", "review_export")
        self.usage.recorder.audit(person, "usage_review_export",
                                  f"{filters.department} {filters.start}~{filters.end}")
        return ReviewFiles(excel.getvalue(), write_hwpx(pieces), write_docx(title, pieces))


def report(review: Review) -> tuple[str, list[Piece]]:
    """The one-page report: period, scope, headline numbers, top units and what to write next."""
    h = review.headline
    period = f"{seoul_day(review.start)} ~ {seoul_day(review.end)}"
    numbers = [f"○ 이용자 {h.active:,}명 / 대상자 {h.imported:,}명" +
               (f" (이용률 {h.active / h.imported:.0%})" if h.imported else ""),
               f"○ 재이용률 {_pct(h.repeat_rate)} (2주 이상, 3일 이상 이용한 사람의 비율)",
               f"○ 만족도 {_pct(h.satisfaction)} (평가한 답변 중 👍 비율)",
               f"○ 절감 시간 {'–' if h.hours_saved is None else f'{h.hours_saved:,.1f}시간'} (설문 응답 {h.surveys:,}건)"]
    sections = [("주요 수치", numbers),
                ("이용률 상위 부서", [f"○ {unit}" for unit in review.top_units] or ["○ 해당 없음"]),
                ("다음에 보완할 매뉴얼 (근거를 찾지 못한 질문)",
                 [f"○ {owner}: {n:,}건" for owner, n in review.gaps[:5]] or ["○ 해당 없음"])]
    text = f"기간: {period}\n범위: {unit_label(review.department)}"
    notes = [review.savings_rule, f"{MIN_GROUP}명 미만인 부서·직급은 '{SMALL_GROUP}'으로 묶었습니다."]
    return TITLE, report_pieces(TITLE, text, notes, sections)


def seoul_day(day: date) -> str:
    return f"{day.year}. {day.month}. {day.day}."


def _pseudonym(account_id: str) -> str:
    return Person(account_id, "", "").pseudonym


def _float(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]  # a number or NA


def _share(part: object, whole: object, people: object) -> float | None:
    """part / whole, only with MIN_GROUP or more people behind it."""
    if whole is None or int(whole) == 0 or int(people) < MIN_GROUP:  # type: ignore[call-overload]  # counts
        return None
    return float(part) / float(whole)  # type: ignore[arg-type]  # counts


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _owner(owner: str) -> str:
    return "공통 매뉴얼" if owner == "공통" else unit_label(owner)


def _weekly(active: pd.DataFrame, imported: pd.Series, f: Filters) -> pd.DataFrame:
    """Every ISO week (Monday, Seoul days) of the period × every unit, active people over imported accounts."""
    first = f.start - timedelta(days=f.start.weekday())
    weeks = [first + timedelta(weeks=n) for n in range((f.end - first).days // 7 + 1)]
    units = sorted(set(imported.index) | set(active["unit"]))
    grid = pd.DataFrame([(w, u) for w in weeks for u in units], columns=["week", "unit"])
    if not active.empty:
        active = active.assign(week=pd.to_datetime(active["week"]).dt.date)
    table = grid.merge(active, on=["week", "unit"], how="left").fillna({"active": 0})
    table["imported"] = table["unit"].map(imported).fillna(0).astype(int)
    table["adoption"] = table["active"] / table["imported"].where(table["imported"] > 0)
    table["name"] = table["unit"].map(unit_label)
    return table


def _per_unit(imported: pd.Series, repeat: pd.DataFrame, rated: pd.DataFrame, saved: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for unit in sorted(set(imported.index) | set(repeat["unit"]), key=lambda u: (u == SMALL_GROUP, u)):
        r = repeat[repeat["unit"] == unit]
        s = rated[rated["unit"] == unit]
        m = saved[saved["unit"] == unit]
        active = int(r["active"].sum())
        raters = int(s["raters"].sum())
        savers = int(m["savers"].sum())
        people = int(imported.get(unit, 0))
        rows.append({"부서": unit_label(unit), "대상자(명)": people, "이용자(명)": active,
                     "이용률": active / people if people else None,
                     "재이용률": _share(r["repeaters"].sum(), active, active),
                     "만족도": None if raters < MIN_GROUP else float(s["liked"].sum()) / max(int(s["rated"].sum()), 1),
                     "평가 수": int(s["rated"].sum()),
                     "절감 시간(시간)": None if savers < MIN_GROUP else round(float(m["minutes"].sum()) / 60, 1),
                     "설문 응답": int(m["surveys"].sum())})
    return pd.DataFrame(rows, columns=["부서", "대상자(명)", "이용자(명)", "이용률", "재이용률", "만족도", "평가 수",
                                       "절감 시간(시간)", "설문 응답"])


def _weekly_table(weekly: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"주 (월요일)": weekly["week"].map(seoul_day), "부서": weekly["name"],
                         "이용자(명)": weekly["active"].astype(int), "대상자(명)": weekly["imported"],
                         "이용률": weekly["adoption"]})


def _grade_table(grades: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"직급": grades["grade"], "절감 시간(시간)": [
        None if savers < MIN_GROUP else round(minutes / 60, 1) for minutes, savers in zip(grades["minutes"],
                                                                                        grades["savers"])]})


def _model_table(models: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"부서": models["unit"].map(unit_label), "모델": models["model"], "요청 수": models["requests"],
                         "입력 토큰": models["tokens_in"], "출력 토큰": models["tokens_out"],
                         "대기 중앙값(초)": (models["p50_ms"] / 1000).round(1),
                         "대기 95%(초)": (models["p95_ms"] / 1000).round(1)})


def _gap_table(gaps: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"가장 가까운 규정": gaps["rule"].replace("", "—"), "담당 부서": gaps["owner"].map(_owner),
                         "근거 없는 질문 수": gaps["questions"]})


def _gap_label(owner: str, rule: str) -> str:
    """"서울특별시 문서관리 규칙 (행정국 > 총무과)": the rule to add to, and who keeps it."""
    return f"{rule} ({_owner(owner)})" if rule else _owner(owner)
