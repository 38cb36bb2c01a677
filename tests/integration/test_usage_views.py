"""What a manager sees and exports: formula-looking comments stay text, audit events and private file names
never appear in usage views."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.errors import SeoulAIError
from seoulai.services import Filters, IncomingFile, Services, build_services, today_in_seoul
from tests.fakes.scripted import scripted_chat

# Five people of one 과 (MIN_GROUP): comments of fewer are not shown at all.
STAFF = [Person(f"s{n}", "직원", "서울특별시/행정국/총무과", "staff") for n in range(5)]
MANAGER = Person("m", "국장", "서울특별시/행정국", "manager")
FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"클릭\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1"]
PRIVATE = "인사평가_비공개명단.md"


@pytest.fixture
def services(tmp_path: Path) -> Services:
    chat, llm = scripted_chat()
    built = build_services(Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "idx", embed={"backend": "none"}),
                           chat=chat)
    for person, comment in zip(STAFF, FORMULAS, strict=True):
        built.documents.upload(person, [IncomingFile(PRIVATE, "# 명단\n\n민원 처리기간 비공개 평가 명단".encode())])
        answer = list(built.documents.ask(person, "민원 처리기간 평가 명단"))[-1].answer
        assert answer is not None
        built.manuals.feedback(person, answer.event_id, -1, comment)
    yield built
    built.close()


def test_exports_neutralise_formulas(services: Services) -> None:
    today = today_in_seoul()
    export = services.usage.export(MANAGER, Filters(today, today, MANAGER.department))
    rows = list(csv.DictReader(io.StringIO(export.csv.decode("utf-8-sig"))))
    assert set(rows[0]) >= {"시각", "부서", "기능", "동작", "결과", "의견"}  # Korean headers
    comments = [row["의견"] for row in rows if row["의견"]]
    assert len(comments) == len(FORMULAS) and all(c.startswith("'") for c in comments)
    sheet = openpyxl.load_workbook(io.BytesIO(export.xlsx)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)  # not one live formula
    assert sum(1 for cell in cells if isinstance(cell.value, str) and cell.value.startswith("'")) >= len(FORMULAS)


def test_audit_events_and_private_file_names_stay_out_of_usage(services: Services) -> None:
    today = today_in_seoul()
    view = services.usage.dashboard(MANAGER, Filters(today, today, MANAGER.department))
    assert "audit" not in set(view.feature_mix["feature"]) and "감사" not in " ".join(view.feature_mix["label"])
    assert len(view.comments) == len(FORMULAS)  # only feedback: no upload or sign-in rows
    export = services.usage.export(MANAGER, Filters(today, today, MANAGER.department)).csv.decode("utf-8-sig")
    for shown in (view.comments.to_string(), view.topics.to_string(), view.feature_mix.to_string(), export):
        assert PRIVATE not in shown and "인사평가" not in shown


def test_figures_are_shared_for_a_while_but_the_permission_check_is_not(services: Services) -> None:
    today = today_in_seoul()
    filters = Filters(today, today, MANAGER.department)
    first = services.usage.dashboard(MANAGER, filters)
    other = Person("m2", "다른 국장", "서울특별시/행정국", "manager")
    assert services.usage.dashboard(other, filters) is first  # computed once for every manager of 행정국
    outsider = Person("x", "타 국장", "서울특별시/재무국", "manager")
    with pytest.raises(SeoulAIError):
        services.usage.dashboard(outsider, filters)  # the cache never skips the check
    services.settings.usage.dashboard_cache = 0
    assert services.usage.dashboard(MANAGER, filters) is not first  # 0: always fresh


def test_the_warm_up_prepares_the_whole_citys_first_view(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 국장 opening 이용 현황 right after the server started does not wait for the whole city's figures: the
    warm-up computed the page's first view (the last 30 days, the city) already."""
    from seoulai.services import warm_up

    warm_up(services)
    monkeypatch.setattr(services.usage, "_compute", lambda filters: pytest.fail(f"computed on the request: {filters}"))
    admin = Person("a", "관리자", "서울특별시/디지털도시국/디지털정책과", "admin")
    first = services.usage.default_filters()
    assert (first.end - first.start).days == 29 and first.department == "서울특별시"
    assert services.usage.dashboard(admin, first).kpis.queries >= len(STAFF)


def test_model_token_counts_reach_the_dashboard(services: Services) -> None:
    """tokens_in/tokens_out are the model's own counts of every answer (the scripted model reports 10 prompt
    tokens per call and one generated token per word), summed on 이용 현황."""
    today = today_in_seoul()
    kpis = services.usage.dashboard(MANAGER, Filters(today, today, MANAGER.department)).kpis
    calls = len(FORMULAS)  # one model call per document question in the fixture
    assert kpis.tokens_in == 10 * calls
    assert kpis.tokens_out > 0
