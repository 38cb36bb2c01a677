"""시범 운영 결과 on 이용 현황 (computed only when opened, a unit of four never by name, the files offered) and the
time survey after a draft export on 초안 작성."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.services import build_services, process_services, today_in_seoul
from seoulai.state.stores import AccountRow
from seoulai.usage.log import UsageEvent
from tests.fakes.ollama_server import FakeOllama
from tests.ui.conftest import press_release_wizard
from tests.ui.test_usage_page import _usage_page

BUREAU = "서울특별시/행정국"
MANAGER = Person("kim", "김국장", BUREAU, "manager")


@pytest.fixture
def pilot(app_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Six of 인사과's seven accounts and all four of 총무과's used it last week; written through the services."""
    services = build_services(Settings(embed={"backend": "none"}))
    try:
        last_week = today_in_seoul() - timedelta(days=today_in_seoul().weekday() + 7)
        stamp = datetime.combine(last_week, time(1))  # 10:00 in Seoul
        for unit, size, active in (("인사과", 7, 6), ("총무과", 4, 4)):
            for n in range(size):
                person = Person(f"{unit}{n}", f"{unit} 직원{n}", f"{BUREAU}/{unit}")
                services.state.accounts.insert(AccountRow(person.id, person.name, person.department, "staff", "-",
                                                          stamp.isoformat(), grade="주무관"))
                if n < active:
                    assert services.usage.log is not None
                    services.usage.log.record(UsageEvent("manual_search", "ask", user_id=person.pseudonym,
                                                         department=person.department, role="staff", ts=stamp,
                                                         model="seoulai", latency_ms=900.0, minutes_saved=6.0))
    finally:
        services.close()


def _frames(at: AppTest) -> str:
    return " ".join(str(v) for d in at.dataframe for v in d.value.to_numpy().ravel())


def test_the_review_is_computed_when_opened_and_hides_small_units(pilot: None) -> None:
    at = _usage_page(MANAGER)
    assert not at.exception
    charts = len(at.get("plotly_chart"))
    assert not at.toggle(key="us_review").value and "이용자 / 대상자" not in {m.label for m in at.metric}
    at.toggle(key="us_review").set_value(True).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["이용자 / 대상자"] == "10명 / 11명" and "재이용률" in metrics
    assert len(at.get("plotly_chart")) == charts + 1  # the weekly adoption lines
    frames = _frames(at)
    assert "행정국 > 인사과" in frames and "86%" in frames  # 6 of 7
    assert "총무과" not in frames and "기타 (5명 미만)" in frames
    assert any("설문" in c.value and "절감 시간" in c.value for c in at.caption)  # how 절감 시간 is counted
    at.button(key="us_review_export").click().run()
    assert not at.exception
    keys = {b.proto.id for b in at.get("download_button")}
    assert sum("us_review" in k for k in keys) == 3  # XLSX, HWPX, DOCX


def test_the_survey_after_an_export_records_the_answer(app_env: pytest.MonkeyPatch, fake_ollama: FakeOllama) -> None:
    fake_ollama.responder = lambda body: "○ 시범 운영 결과를 알립니다."
    at = press_release_wizard(app_env, fake_ollama.url)
    at.button(key="dr_examples").click().run()
    at.button(key="dr_generate").click().run()
    assert not at.exception and not [r for r in at.radio if "줄어든 시간" in r.label]  # nothing asked before
    services = process_services()  # the app's own, as the download's callback uses it (AppTest cannot download)
    at.session_state["dr_survey_ref"] = services.drafting.exported(services.accounts.demo_person(), "보도자료", "hwpx")
    at.run()
    survey = at.radio(key="dr_survey")
    assert survey.label.startswith("이 초안으로 줄어든 시간은 대략 얼마인가요?") and survey.value is None
    assert at.button(key="dr_survey_send").disabled  # optional, and nothing sent without a choice
    survey.set_value("2시간").run()
    at.button(key="dr_survey_send").click().run()
    assert not at.exception and any("고맙습니다" in s.value for s in at.success)
    assert not [r for r in at.radio if r.key == "dr_survey"]  # asked once per export
    assert services.usage.log is not None
    rows = services.usage.log.query("SELECT minutes_saved, ref_id FROM events WHERE action = 'survey'")
    exports = services.usage.log.query("SELECT event_id FROM events WHERE action = 'export'")
    assert rows == [(120.0, exports[0][0])]
