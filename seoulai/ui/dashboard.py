"""The 이용 현황 page's numbers, charts and comment table (the figures are pure functions in usage/figures)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from seoulai.services.usage import Dashboard
from seoulai.usage import figures
from seoulai.usage.queries import FEATURE_LABELS, Kpis


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _sec(value: float | None) -> str:
    return "–" if value is None else f"{value / 1000:.1f}초"


def render_kpis(k: Kpis) -> None:
    row1 = st.columns(4)
    row1[0].metric("이용자", f"{k.active_users:,}명")
    row1[1].metric("질문", f"{k.queries:,}건")
    row1[2].metric("만족도 (👍 비율)", _pct(k.satisfaction))
    row1[3].metric("절감 시간 (추정)", f"{k.hours_saved:,.0f}시간")
    row2 = st.columns(4)
    row2[0].metric("응답 시간 중앙값", _sec(k.p50_ms))
    row2[1].metric("응답 시간 95%", _sec(k.p95_ms))
    row2[2].metric("오류율", _pct(k.error_rate))
    row2[3].metric("근거 없음 비율", _pct(k.no_answer_rate))


def render_charts(d: Dashboard) -> None:
    left, right = st.columns(2)
    left.plotly_chart(figures.usage_over_time(d.over_time), use_container_width=True)
    right.plotly_chart(figures.adoption(d.adoption), use_container_width=True)
    left, right = st.columns(2)
    left.plotly_chart(figures.feature_mix(d.feature_mix), use_container_width=True)
    right.plotly_chart(figures.latency(d.latency), use_container_width=True)
    st.plotly_chart(figures.topics(d.topics), use_container_width=True)


def render_comments(comments: pd.DataFrame) -> None:
    if comments.empty:
        st.caption("이 기간에 남겨진 의견이 없습니다.")
        return
    comments = comments.assign(평가=comments["rating"].map({1: "👍", -1: "👎"}).fillna(""),
                               기능=comments["feature"].map(FEATURE_LABELS))
    st.dataframe(comments.rename(columns={"ts": "시각", "department": "부서", "comment": "의견"})[
        ["시각", "부서", "기능", "평가", "의견"]], hide_index=True, use_container_width=True)
