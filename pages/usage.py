"""이용 현황: who uses what, how well it works and what it saves, for the manager's part of the city."""

from __future__ import annotations

import io
from datetime import date, timedelta

import streamlit as st

from seoulai.errors import SeoulAIError
from seoulai.usage import figures
from seoulai.usage.queries import FEATURE_LABELS, Filters
from seoulai.ui.state import get_person, get_services

services = get_services()
person = get_person()
st.title("📊 이용 현황")

scope = services.usage_scope(person)
if scope is None:
    st.warning("이용 현황은 관리자(부서장)와 시스템 관리자만 볼 수 있습니다.", icon="🔒")
    st.stop()
if services.usage is None or not services.usage.enabled:
    reason = services.usage.disabled_reason if services.usage else "이용 기록이 꺼져 있습니다."
    st.info(reason, icon="ℹ️")
    st.stop()

span = services.usage.analytics().date_range()
if span is None:
    st.info("아직 이용 기록이 없습니다. 직원들이 기능을 쓰기 시작하면 여기에 나타납니다. 미리 보려면 "
            "`seoulai usage demo-data --events 20000`을 실행하세요.", icon="📭")
    st.stop()
first, last = span
units = services.org.subtree(scope) or []
paths = [u.path for u in units] or [scope]
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
    analytics = services.usage_analytics(person, filters)
    k = analytics.kpis(filters)
except SeoulAIError as error:
    st.error(error.message, icon="⚠️")
    st.stop()


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def sec(value: float | None) -> str:
    return "–" if value is None else f"{value / 1000:.1f}초"


row1 = st.columns(4)
row1[0].metric("이용자", f"{k.active_users:,}명")
row1[1].metric("질문", f"{k.queries:,}건")
row1[2].metric("만족도 (👍 비율)", pct(k.satisfaction))
row1[3].metric("절감 시간 (추정)", f"{k.hours_saved:,.0f}시간")
row2 = st.columns(4)
row2[0].metric("응답 시간 중앙값", sec(k.p50_ms))
row2[1].metric("응답 시간 95%", sec(k.p95_ms))
row2[2].metric("오류율", pct(k.error_rate))
row2[3].metric("근거 없음 비율", pct(k.no_answer_rate))

level = min(department.count("/") + 1, max(u.depth for u in units) if units else 1)
headcounts = {u.path: u.headcount for u in services.org.units}
left, right = st.columns(2)
left.plotly_chart(figures.usage_over_time(analytics.over_time(filters, level)), use_container_width=True)
right.plotly_chart(figures.adoption(analytics.adoption(filters, level, headcounts)), use_container_width=True)
left, right = st.columns(2)
left.plotly_chart(figures.feature_mix(analytics.feature_mix(filters)), use_container_width=True)
right.plotly_chart(figures.latency(analytics.latency_histogram(filters)), use_container_width=True)
st.plotly_chart(figures.topics(analytics.topics(filters)), use_container_width=True)

st.subheader("의견")
comments = analytics.comments(filters)
if comments.empty:
    st.caption("이 기간에 남겨진 의견이 없습니다.")
else:
    comments = comments.assign(평가=comments["rating"].map({1: "👍", -1: "👎"}).fillna(""),
                               기능=comments["feature"].map(FEATURE_LABELS))
    st.dataframe(comments.rename(columns={"ts": "시각", "department": "부서", "comment": "의견"})[
        ["시각", "부서", "기능", "평가", "의견"]], hide_index=True, use_container_width=True)

st.subheader("내려받기")
st.caption("현재 필터의 이용 기록을 내려받습니다 (XLSX는 앞의 10만 건까지).")
if st.button("내보낼 파일 만들기", key="us_export"):
    with st.spinner("파일을 만들고 있습니다…"):
        table = analytics.export(filters)
        excel = io.BytesIO()
        table.head(100_000).to_excel(excel, index=False, sheet_name="이용현황")
        st.session_state["us_files"] = (table.to_csv(index=False).encode("utf-8-sig"), excel.getvalue(), len(table))
    services.record(person, "usage", "export", sources=len(table))
    services.audit(person, "usage_export", f"{department} {filters.start}~{filters.end} ({len(table):,}건)")
if "us_files" in st.session_state:
    csv_bytes, xlsx_bytes, rows = st.session_state["us_files"]
    d1, d2 = st.columns(2)
    d1.download_button(f"CSV ({rows:,}건)", csv_bytes, file_name="이용현황.csv", mime="text/csv", key="us_csv")
    d2.download_button("XLSX", xlsx_bytes, file_name="이용현황.xlsx", key="us_xlsx",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
