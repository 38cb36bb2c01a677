"""Privacy on the manager's screen: topics come only from 매뉴얼 검색 (never from private 문서 Q&A questions), and
a group of fewer than MIN_GROUP people shows no topics, satisfaction or time saved of its own, on the page or in
the export. Built on a real DuckDB usage file written through the project's usage log."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.services import Filters, Services, build_services, today_in_seoul
from seoulai.usage.log import UsageEvent, UsageLog
from seoulai.usage.queries import MIN_GROUP
from tests.fakes.scripted import scripted_chat

ADMIN = Person("a", "관리자", "서울특별시/디지털도시국/디지털정책과", "admin")
BUREAU = "서울특별시/행정국"
SMALL = f"{BUREAU}/총무과"  # MIN_GROUP - 1 people
FIVE = f"{BUREAU}/인사과"  # exactly MIN_GROUP people
PRIVATE_WORDS = ("감사결과", "비공개", "징계")  # what staff asked of their own uploaded documents


def _events(department: str, people: int, manual_question: str, comment: str) -> list[UsageEvent]:
    events = []
    for n in range(people):
        user = f"{department.rsplit('/', 1)[-1]}-{n}"
        common = {"user_id": user, "department": department, "role": "staff"}
        ask = UsageEvent("manual_search", "ask", query=manual_question, minutes_saved=6.0, latency_ms=1534.0,
                         ttft_ms=412.0, **common)
        events += [ask,
                   UsageEvent("manual_search", "feedback", rating=1, ref_id=ask.event_id, comment=comment, **common),
                   UsageEvent("doc_qa", "ask", query="징계 감사결과 비공개 문서 요약해 줘", minutes_saved=10.0,
                              latency_ms=2000.0, **common)]
    return events


@pytest.fixture
def services(tmp_path: Path) -> Services:
    chat, _ = scripted_chat()
    log = UsageLog(tmp_path / "usage.duckdb", spool_dir=tmp_path / "spool")
    for event in (_events(SMALL, MIN_GROUP - 1, "당직근무 편성표 교대 기준", "총무과 의견입니다") +
                  _events(FIVE, MIN_GROUP, "연가보상비 지급 기준", "인사과 의견입니다")):
        log.record(event)
    built = build_services(Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "idx",
                                    embed={"backend": "none"}), chat=chat, usage_log=log)
    yield built
    built.close()


def _today(department: str) -> Filters:
    return Filters(today_in_seoul(), today_in_seoul(), department)


def _export_rows(services: Services, department: str) -> list[dict[str, str]]:
    export = services.usage.export(ADMIN, _today(department))
    return list(csv.DictReader(io.StringIO(export.csv.decode("utf-8-sig"))))


def test_document_questions_never_become_topics(services: Services) -> None:
    view = services.usage.dashboard(ADMIN, _today(BUREAU))
    topics = set(view.topics["topic"])
    assert "연가보상비" in topics  # manual search questions of a large enough group are topics
    assert not [t for t in topics if any(word in t for word in PRIVATE_WORDS)], topics


def test_a_unit_of_fewer_than_five_shows_no_figures_of_its_own(services: Services) -> None:
    view = services.usage.dashboard(ADMIN, _today(SMALL))
    assert view.kpis.queries == 2 * (MIN_GROUP - 1) and view.kpis.active_users == MIN_GROUP - 1  # counts stay
    assert view.kpis.satisfaction is None and view.kpis.hours_saved is None
    assert view.topics.empty and view.comments.empty
    assert "5명 미만" in view.withheld  # the page says why
    # Seen from above (행정국), the small 과 has no line of its own: it is folded into "기타 (5명 미만)".
    bureau = services.usage.dashboard(ADMIN, _today(BUREAU))
    assert "총무과" not in " ".join(bureau.over_time["unit"]) and "기타 (5명 미만)" in set(bureau.over_time["unit"])
    assert not any("당직" in t for t in bureau.topics["topic"])  # a topic needs MIN_GROUP people who asked it
    assert not any("총무과" in str(d) for d in bureau.comments["department"])
    # The export: no 과 name, person, rating, comment or time saved for the small 과's rows.
    rows = _export_rows(services, SMALL)
    assert len(rows) == 3 * (MIN_GROUP - 1)
    assert {r["부서"] for r in rows} == {"기타 (5명 미만)"}
    assert not any(r["평가"] or r["의견"] or r["절감 시간(분)"] or r["사용자(가명)"] for r in rows)
    bureau_rows = _export_rows(services, BUREAU)
    assert not any("총무과" in r["부서"] or r["의견"] == "총무과 의견입니다" for r in bureau_rows)


def test_a_unit_of_five_shows_its_figures(services: Services) -> None:
    view = services.usage.dashboard(ADMIN, _today(FIVE))
    assert view.kpis.satisfaction == 1.0 and view.kpis.hours_saved == pytest.approx(MIN_GROUP * 16 / 60)
    assert "연가보상비" in set(view.topics["topic"]) and len(view.comments) == MIN_GROUP
    assert not view.withheld
    rows = _export_rows(services, FIVE)
    assert {r["부서"] for r in rows} == {"행정국 > 인사과"}
    assert sum(r["평가"] == "👍" for r in rows) == MIN_GROUP and all(r["사용자(가명)"] for r in rows)


def test_export_durations_in_seconds_with_korean_names(services: Services) -> None:
    export = services.usage.export(ADMIN, _today(FIVE))
    sheet = openpyxl.load_workbook(io.BytesIO(export.xlsx)).active
    header = [cell.value for cell in sheet[1]]
    assert "응답 시간(초)" in header and "첫 글자까지(초)" in header
    assert not [h for h in header if "ms" in str(h) or not any("가" <= c <= "힣" for c in str(h))], header
    values = {row[header.index("응답 시간(초)")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert 1.5 in values and 1534.0 not in values
