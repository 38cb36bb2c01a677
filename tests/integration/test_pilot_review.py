"""시범 운영 결과: adoption per unit and week over imported accounts, repeat use, satisfaction, time saved (survey in
place of the estimate) by unit and 직급, model use, no-answer owners; a unit of four never by name; roles; the
XLSX/HWPX/DOCX re-read. Real DuckDB usage file, real accounts in the state store, events through the usage log and
the drafting service."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta
from pathlib import Path

import docx
import openpyxl
import pytest
from hwpx import HwpxDocument

from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.errors import InputError
from seoulai.services import Filters, Services, build_services, today_in_seoul
from seoulai.state.stores import AccountRow
from seoulai.usage.log import UsageEvent, UsageLog
from seoulai.usage.queries import SMALL_GROUP
from tests.fakes.scripted import scripted_chat

BUREAU = "서울특별시/행정국"
HR = f"{BUREAU}/인사과"  # 8 open accounts (one more disabled): shown by name
SMALL = f"{BUREAU}/총무과"  # 4 accounts, all active: only ever inside SMALL_GROUP
ADMIN = Person("root", "관리자", "서울특별시/디지털도시국/디지털정책과", "admin")
HR_PEOPLE = [Person(f"hr{n}", f"인사{n}", HR) for n in range(8)]
SMALL_PEOPLE = [Person(f"gs{n}", f"총무{n}", SMALL) for n in range(4)]
GRADES = {**{f"hr{n}": "주무관" for n in range(6)}, "hr6": "사무관", "hr7": "사무관",
          **{f"gs{n}": "주무관" for n in range(4)}}
SURVEYED = 30.0  # what two of the five exporters answered
RULE = "서울특별시 인사 규칙"  # the closest rule of two questions nothing answered


def _seoul(day: datetime, hour: int) -> datetime:
    """A stored (UTC) time: ``hour`` o'clock in Seoul on ``day``."""
    return datetime.combine(day, time(hour)) - timedelta(hours=9)


def _events(person: Person, days: list, model: str = "seoulai", **extra: object) -> list[UsageEvent]:
    return [UsageEvent("manual_search", "ask", user_id=person.pseudonym, department=person.department, role="staff",
                       model=model, latency_ms=1000.0 + 100 * n, tokens_in=300, tokens_out=50, minutes_saved=6.0,
                       ts=_seoul(day, 10), **extra) for n, day in enumerate(days)]  # type: ignore[arg-type]  # extra: UsageEvent's own keywords


@pytest.fixture
def services(tmp_path: Path) -> Services:
    chat, _ = scripted_chat()
    log = UsageLog(tmp_path / "usage.duckdb", spool_dir=tmp_path / "spool")
    built = build_services(Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "idx",
                                    embed={"backend": "none"}), chat=chat, usage_log=log)
    now = datetime.now().isoformat()
    for person in [*HR_PEOPLE, *SMALL_PEOPLE, Person("hr8", "휴직", HR)]:
        built.state.accounts.insert(AccountRow(person.id, person.name, person.department, "staff", "-", now,
                                               disabled=person.id == "hr8", grade=GRADES.get(person.id, "주무관")))
    yield built
    built.close()


@pytest.fixture
def period(services: Services) -> Filters:
    """Last week and this one (ISO weeks, Seoul days); events written, exports and surveys made through the
    drafting service today."""
    today = today_in_seoul()
    this_week = today - timedelta(days=today.weekday())
    last_week = this_week - timedelta(days=7)
    log = services.usage.log
    assert log is not None
    for person in HR_PEOPLE[:5]:  # came back: two weeks, three days
        for event in _events(person, [last_week, last_week + timedelta(days=1), this_week]):
            log.record(event)
    log.record(_events(HR_PEOPLE[6], [last_week], model="qwen")[0])  # one day, the only user of qwen
    for person in SMALL_PEOPLE:
        log.record(_events(person, [last_week])[0])
    for n, person in enumerate(HR_PEOPLE[:5]):  # 4 👍 and 1 👎
        log.record(UsageEvent("manual_search", "feedback", user_id=person.pseudonym, department=HR, role="staff",
                              rating=1 if n else -1, ts=_seoul(last_week, 11)))
    for owner, rule in ((HR, RULE), (HR, RULE), ("공통", None)):  # the last recorded before events named the rule
        log.record(UsageEvent("manual_search", "ask", user_id=HR_PEOPLE[0].pseudonym, department=HR, role="staff",
                              outcome="no_answer", owner=owner, rule=rule, model="seoulai", ts=_seoul(last_week, 12)))
    for n, person in enumerate(HR_PEOPLE[:5]):
        ref = services.drafting.exported(person, "보도자료", "hwpx")
        assert ref
        if n < 2:
            services.drafting.record_time_saved(person, SURVEYED, ref)
    return Filters(last_week, today, BUREAU)


def _unit_row(review, name: str) -> dict:  # type: ignore[no-untyped-def]  # a review table row
    table = review.tables["부서별 결과"]
    rows = table[table["부서"] == name].to_dict("records")
    assert len(rows) == 1, table
    return rows[0]


def test_adoption_per_unit_and_week_over_imported_accounts(services: Services, period: Filters) -> None:
    review = services.review.review(ADMIN, period)
    hr = _unit_row(review, "행정국 > 인사과")
    assert (hr["대상자(명)"], hr["이용자(명)"]) == (8, 6)  # the disabled account is not one of the people opened to
    assert hr["이용률"] == pytest.approx(6 / 8)
    weekly = review.weekly[review.weekly["unit"] == HR].sort_values("week")
    assert list(weekly["active"]) == [6, 5] and list(weekly["adoption"]) == pytest.approx([6 / 8, 5 / 8])
    assert review.headline.active == 10 and review.headline.imported == 12


def test_repeat_use_satisfaction_and_models(services: Services, period: Filters) -> None:
    review = services.review.review(ADMIN, period)
    hr = _unit_row(review, "행정국 > 인사과")
    assert hr["재이용률"] == pytest.approx(5 / 6) and hr["만족도"] == pytest.approx(4 / 5)
    assert review.headline.repeat_rate == pytest.approx(5 / 10)
    models = review.tables["모델 사용"]
    seoul = models[(models["부서"] == "행정국 > 인사과") & (models["모델"] == "seoulai")].iloc[0]
    assert seoul["요청 수"] == 5 * 3 + 3 and seoul["입력 토큰"] == 300 * 15
    assert seoul["대기 95%(초)"] >= seoul["대기 중앙값(초)"] > 0
    # qwen was used by one person of 인사과: counted, but only under SMALL_GROUP
    assert set(models[models["모델"] == "qwen"]["부서"]) == {SMALL_GROUP}


def test_survey_minutes_replace_the_estimate_by_unit_and_grade(services: Services, period: Filters) -> None:
    review = services.review.review(ADMIN, period)
    estimate = services.settings.usage.minutes_saved["drafting"]
    asks = 6.0 * (5 * 3 + 1)
    expected = (asks + 3 * estimate + 2 * SURVEYED) / 60
    assert _unit_row(review, "행정국 > 인사과")["절감 시간(시간)"] == pytest.approx(expected, abs=0.05)
    assert _unit_row(review, "행정국 > 인사과")["설문 응답"] == 2 and review.headline.surveys == 2
    grades = review.tables["직급별 절감 시간"].set_index("직급")["절감 시간(시간)"]
    assert "사무관" not in grades.index  # one active 사무관: folded
    assert grades["주무관"] == pytest.approx((asks - 6.0 + 4 * 6.0 + 3 * estimate + 2 * SURVEYED) / 60, abs=0.05)
    assert "설문" in review.savings_rule and "추정" in review.savings_rule


def test_the_dashboard_counts_a_surveyed_export_once(services: Services, period: Filters) -> None:
    """The 이용 현황 headline and the review say the same 절감 시간: a survey answer replaces its export's estimate
    (it is not added on top of it)."""
    review = services.review.review(ADMIN, period)
    dashboard = services.usage.dashboard(ADMIN, period)
    assert dashboard.kpis.hours_saved == pytest.approx(review.headline.hours_saved, abs=0.05)


def test_no_answer_questions_by_the_owner_of_the_nearest_manual(services: Services, period: Filters) -> None:
    assert services.review.review(ADMIN, period).gaps == [(f"{RULE} (행정국 > 인사과)", 2)]  # the 국's own manuals
    city = services.review.review(ADMIN, Filters(period.start, period.end, "서울특별시"))
    assert city.gaps == [(f"{RULE} (행정국 > 인사과)", 2), ("공통 매뉴얼", 1)]  # the city also keeps the shared library


def test_a_unit_of_four_never_appears_by_name(services: Services, period: Filters) -> None:
    review = services.review.review(ADMIN, period)
    shown = " ".join(str(v) for table in review.tables.values() for v in table.to_numpy().ravel())
    assert "총무과" not in shown and "총무과" not in " ".join(review.weekly["name"])
    small = _unit_row(review, SMALL_GROUP)
    assert (small["대상자(명)"], small["이용자(명)"]) == (4, 4)
    assert small["재이용률"] is None or small["재이용률"] != small["재이용률"]  # under five: no rate of its own
    files = services.review.export(ADMIN, period)
    book = openpyxl.load_workbook(io.BytesIO(files.xlsx))
    cells = " ".join(str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row)
    assert "총무과" not in cells and SMALL_GROUP in cells
    hwpx = HwpxDocument.open(files.hwpx)
    try:
        texts = [hwpx.text.plain(), "\n".join(p.text for p in docx.Document(io.BytesIO(files.docx)).paragraphs)]
    finally:
        hwpx.close()
    assert not any("총무과" in text for text in texts)


def test_the_review_exports_as_xlsx_and_a_one_page_report(services: Services, period: Filters) -> None:
    files = services.review.export(ADMIN, period)
    book = openpyxl.load_workbook(io.BytesIO(files.xlsx))
    assert book.sheetnames == ["주별 이용률", "부서별 결과", "직급별 절감 시간", "모델 사용", "근거 없는 질문"]
    header = [c.value for c in book["부서별 결과"][1]]
    assert header[:4] == ["부서", "대상자(명)", "이용자(명)", "이용률"]
    rows = [r for r in book["부서별 결과"].iter_rows(min_row=2, values_only=True) if r[0] == "행정국 > 인사과"]
    assert rows and rows[0][1:3] == (8, 6)
    hwpx = HwpxDocument.open(files.hwpx)
    try:
        hwpx_text = hwpx.text.plain()
    finally:
        hwpx.close()
    docx_text = "\n".join(p.text for p in docx.Document(io.BytesIO(files.docx)).paragraphs)
    start = period.start
    for text in (hwpx_text, docx_text):
        assert text.lstrip().startswith("시범 운영 결과")
        assert f"{start.year}. {start.month}. {start.day}." in text and "범위: 행정국" in text
        assert "이용자 10명 / 대상자 12명" in text and "재이용률 50%" in text and "만족도 80%" in text
        assert "행정국 > 인사과" in text and f"{RULE} (행정국 > 인사과): 2건" in text  # top unit; what to write next
    audit = [action for _, _, _, _, action, _ in services.state.audit.recent(10)]
    assert "usage_review_export" in audit


def test_roles_see_their_own_unit_and_below(services: Services, period: Filters) -> None:
    manager = Person("m", "재무국장", "서울특별시/재무국", "manager")
    with pytest.raises(InputError) as refused:
        services.review.review(manager, period)
    assert refused.value.code == "forbidden"
    with pytest.raises(InputError):
        services.review.review(Person("s", "직원", HR, "staff"), period)
    dept_admin = Person("d", "행정국 관리", BUREAU, "dept_admin")
    assert services.review.review(dept_admin, period).headline.active == 10
    own = services.review.review(Person("h", "인사과장", HR, "manager"), Filters(period.start, period.end, HR))
    assert own.headline.imported == 8 and set(own.tables["부서별 결과"]["부서"]) == {"행정국 > 인사과"}


def test_a_survey_answer_is_checked(services: Services) -> None:
    with pytest.raises(InputError):
        services.drafting.record_time_saved(HR_PEOPLE[0], -5, "abc")
    with pytest.raises(InputError):
        services.drafting.record_time_saved(HR_PEOPLE[0], 30, "")


def test_the_usage_export_names_survey_answers_in_korean(services: Services, period: Filters) -> None:
    rows = services.usage.export(ADMIN, Filters(period.start, period.end, HR)).csv.decode("utf-8-sig")
    assert "survey" not in rows and rows.count("시간 설문") == 2
