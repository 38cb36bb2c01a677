"""이용 현황 page: charts for a manager, refused for staff, filters change the numbers, locked DB."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from seoulai.auth.people import Person
from tests.ui.conftest import APP

MANAGER = Person("kim", "김국장", "서울특별시/행정국", "manager")
ADMIN = Person("lee", "이관리", "서울특별시/디지털도시국/디지털정책과", "admin")
STAFF = Person("park", "박주무관", "서울특별시/행정국/총무과", "staff")


@pytest.fixture
def demo_usage(app_env: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    app_env.setenv("SEOULAI_DATA_DIR", str(data))
    subprocess.run([sys.executable, "-m", "seoulai.cli", "usage", "demo-data", "--events", "8000"], check=True,
                   capture_output=True, timeout=120, env={**__import__("os").environ})
    return data


def _usage_page(person: Person) -> AppTest:
    at = AppTest.from_file(str(Path(APP).parent / "views" / "usage.py"), default_timeout=120)
    at.session_state["auth_person"] = person
    return at.run()


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_manager_sees_kpis_and_charts_for_their_subtree(demo_usage: Path) -> None:
    at = _usage_page(MANAGER)
    assert not at.exception
    metrics = _metrics(at)
    assert set(metrics) >= {"이용자", "질문", "만족도 (👍 비율)", "절감 시간 (추정)", "응답 시간 중앙값", "오류율"}
    assert len(at.get("plotly_chart")) == 5
    assert all(m.delta and "지난 기간 대비" in m.delta for m in at.metric if m.label in ("질문", "이용자"))
    assert any("절감 시간 = 성공한 이용 건수" in c.value for c in at.caption)  # how the estimate is made
    assert any(c.value.startswith("모델 사용량") and "읽은 글" in c.value for c in at.caption)
    admin = _usage_page(ADMIN)
    assert any("아직 이용하지 않은 과" in w.value for w in admin.warning)  # the demo leaves some 과 idle
    gaps = [d.value for d in admin.dataframe if "매뉴얼 담당" in d.value.columns]
    assert gaps and gaps[0]["근거 없는 질문"].sum() > 0 and "공통 매뉴얼" in set(gaps[0]["매뉴얼 담당"])
    topics = [t for t in admin.get("plotly_chart")]
    assert len(topics) == 5
    options = at.selectbox(key="us_department").options
    assert options[0].strip() == "행정국" and all("총무과" in o or "과" in o or "행정국" in o for o in options)
    assert not any("디지털" in o for o in options)  # another 실/국 is outside the manager's subtree


def test_filters_change_the_numbers(demo_usage: Path) -> None:
    at = _usage_page(ADMIN)
    everyone = _metrics(at)
    at.selectbox(key="us_department").select_index(1).run()
    one_unit = _metrics(at)
    assert one_unit["질문"] != everyone["질문"] and one_unit["이용자"] != everyone["이용자"]
    at.multiselect(key="us_features").set_value(["doc_qa"]).run()
    assert _metrics(at)["질문"] != one_unit["질문"]
    at.button(key="us_export").click().run()
    assert not at.exception and len(at.get("download_button")) == 2


def test_staff_is_refused(demo_usage: Path) -> None:
    at = _usage_page(STAFF)
    assert any("관리자" in w.value for w in at.warning) and not at.metric and not at.get("plotly_chart")


def test_locked_database_keeps_the_app_serving(app_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "locked.duckdb"
    app_env.setenv("SEOULAI_USAGE__DB_PATH", str(path))
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time, duckdb
        con = duckdb.connect({str(path)!r})  # kept open: the lock lasts as long as the connection
        con.execute("CREATE TABLE IF NOT EXISTS x (a INT)")
        print("held", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        home = AppTest.from_file(APP, default_timeout=60).run()
        assert not home.exception and home.title  # the app serves
        at = _usage_page(ADMIN)
        assert not at.exception and any("다른 프로그램" in i.value for i in at.info)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()  # type: ignore[union-attr]  # started with stdout=PIPE: never None
