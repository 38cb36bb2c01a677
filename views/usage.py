"""이용 현황: who uses what, how well it works and what it saves, for the manager's part of the city."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from seoulai.services import FEATURE_LABELS, Filters, SeoulAIError, seoul_time, today_in_seoul
from seoulai.services.usage import DEFAULT_DAYS, unit_label
from seoulai.ui import get_person, get_services
from seoulai.ui.dashboard import render_charts, render_comments, render_gaps, render_idle, render_kpis
from seoulai.ui.review import review_section

services = get_services()
person = get_person()
st.title("📊 이용 현황")

scope = services.usage.scope(person)
if scope is None:
    st.warning("이용 현황은 관리자(부서장), 부서 관리자와 시스템 관리자만 볼 수 있습니다.", icon="🔒")
    st.stop()
if services.usage.unavailable:
    st.info(services.usage.unavailable, icon="ℹ️")
    st.stop()

span = services.usage.span(person)
if span is None:
    st.info("아직 이용 기록이 없습니다. 직원들이 기능을 쓰기 시작하면 여기에 나타납니다. 미리 보려면 "
            "`seoulai usage demo-data --events 20000`을 실행하세요.", icon="📭")
    st.stop()
first, last = span
paths = [u.path for u in services.usage.units(person)] or [scope]
c1, c2, c3 = st.columns([2, 2, 3])
today = today_in_seoul()  # the city's day, whatever the server's clock
PERIODS = {"최근 7일": (today - timedelta(days=6), today),
           "최근 30일": (today - timedelta(days=DEFAULT_DAYS - 1), today),  # the first view (prepared at start)
           "이번 달": (today.replace(day=1), today), "지난 달": ((today.replace(day=1) - timedelta(days=1)).replace(day=1),
                                                          today.replace(day=1) - timedelta(days=1)),
           "최근 90일": (today - timedelta(days=89), today), "전체 기간": (first, last)}
chosen = c1.selectbox("기간", list(PERIODS), index=1, key="us_period")
start, end = PERIODS[chosen]
c1.caption(f"{start.year}. {start.month}. {start.day}. ~ {end.year}. {end.month}. {end.day}.")
# Full 실/국 paths: two 과 may share a name (행정국 > 총무과, 재무국 > 총무과), and a path reads the same aloud.
department = c2.selectbox("부서", paths, key="us_department", format_func=unit_label)
features = c3.multiselect("기능", list(FEATURE_LABELS), format_func=FEATURE_LABELS.__getitem__, key="us_features",
                          placeholder="전체 기능")
filters = Filters(start=start, end=end, department=department, features=features)

try:
    dashboard = services.usage.dashboard(person, filters)
except SeoulAIError as error:
    st.error(error.message, icon="⚠️")
    st.stop()

render_kpis(dashboard)
st.caption(f"{seoul_time(dashboard.computed_at)} 기준 (여러 관리자가 함께 보는 집계라 몇 분 전 자료일 수 있습니다)")
render_idle(dashboard.idle)
render_charts(dashboard)
st.subheader("근거를 찾지 못한 질문 (매뉴얼 담당별)")
st.caption("매뉴얼을 가진 과가 무엇을 보완할지 봅니다: 가장 가까운 문단이 나온 매뉴얼의 담당 부서로 묶었습니다.")
render_gaps(dashboard.gaps)
st.subheader("의견")
render_comments(dashboard.comments)

st.subheader("내려받기")
st.caption(f"현재 필터의 이용 기록을 내려받습니다 (XLSX는 앞의 {services.settings.usage.xlsx_rows:,}건까지).")
if st.button("내보낼 파일 만들기", key="us_export"):
    with st.spinner("파일을 만들고 있습니다…"):
        st.session_state["us_files"] = services.usage.export(person, filters)
if (export := st.session_state.get("us_files")) is not None:
    d1, d2 = st.columns(2)
    d1.download_button(f"CSV 파일 내려받기 ({export.rows:,}건)", export.csv, file_name="이용현황.csv", mime="text/csv",
                       key="us_csv")
    d2.download_button("엑셀(XLSX) 파일 내려받기", export.xlsx, file_name="이용현황.xlsx", key="us_xlsx",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

# The pilot's story (시범 운영 결과): computed only when opened, so the dashboard's first load stays fast.
review_section(services, person, filters)
