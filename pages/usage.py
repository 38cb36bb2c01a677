"""이용 현황: who uses what, how well it works and what it saves, for the manager's part of the city."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from seoulai.errors import SeoulAIError
from seoulai.services import FEATURE_LABELS, Filters
from seoulai.ui import get_person, get_services
from seoulai.ui.dashboard import render_charts, render_comments, render_kpis

services = get_services()
person = get_person()
st.title("📊 이용 현황")

scope = services.usage.scope(person)
if scope is None:
    st.warning("이용 현황은 관리자(부서장)와 시스템 관리자만 볼 수 있습니다.", icon="🔒")
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
period = c1.date_input("기간", value=(max(first, last - timedelta(days=29)), last), min_value=first,
                       max_value=last, key="us_period")
start, end = (period if isinstance(period, tuple) and len(period) == 2 else (period, period))  # type: ignore[misc]
department = c2.selectbox("부서", paths, key="us_department",
                          format_func=lambda p: "　" * (p.count("/") - scope.count("/")) + p.rsplit("/", 1)[-1])
features = c3.multiselect("기능", list(FEATURE_LABELS), format_func=FEATURE_LABELS.__getitem__, key="us_features",
                          placeholder="전체 기능")
filters = Filters(start=start if isinstance(start, date) else first, end=end if isinstance(end, date) else last,
                  department=department, features=features)

try:
    dashboard = services.usage.dashboard(person, filters)
except SeoulAIError as error:
    st.error(error.message, icon="⚠️")
    st.stop()

render_kpis(dashboard.kpis)
render_charts(dashboard)
st.subheader("의견")
render_comments(dashboard.comments)

st.subheader("내려받기")
st.caption(f"현재 필터의 이용 기록을 내려받습니다 (XLSX는 앞의 {services.settings.usage.xlsx_rows:,}건까지).")
if st.button("내보낼 파일 만들기", key="us_export"):
    with st.spinner("파일을 만들고 있습니다…"):
        st.session_state["us_files"] = services.usage.export(person, filters)
if (export := st.session_state.get("us_files")) is not None:
    d1, d2 = st.columns(2)
    d1.download_button(f"CSV ({export.rows:,}건)", export.csv, file_name="이용현황.csv", mime="text/csv", key="us_csv")
    d2.download_button("XLSX", export.xlsx, file_name="이용현황.xlsx", key="us_xlsx",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
