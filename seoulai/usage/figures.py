"""Plotly figures for the 이용 현황 page (pure functions of the analytics tables)."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

LAYOUT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "height": 320, "font": {"family": "sans-serif"}}


def _empty(title: str) -> go.Figure:
    figure = go.Figure()
    figure.update_layout(title=title, annotations=[{"text": "자료 없음", "showarrow": False}], **LAYOUT)
    return figure


def usage_over_time(table: pd.DataFrame) -> go.Figure:
    if table.empty:
        return _empty("일별 이용 (질문 수)")
    table = table.assign(unit=table["unit"].str.rsplit("/", n=1).str[-1])
    figure = px.bar(table, x="day", y="questions", color="unit", title="일별 이용 (질문 수)",
                    labels={"day": "날짜", "questions": "질문 수", "unit": "부서"})
    # Korean dates (2026. 11. 8.), not plotly's English month names.
    figure.update_xaxes(tickformat="%-m. %-d.", hoverformat="%Y. %-m. %-d.")
    figure.update_layout(**LAYOUT)
    return figure


def adoption(table: pd.DataFrame) -> go.Figure:
    if table.empty:
        return _empty("부서별 이용률 (이용자 ÷ 정원)")
    figure = px.bar(table, x="name", y="adoption", text_auto=".0%", title="부서별 이용률 (이용자 ÷ 정원)",
                    hover_data={"active_users": True, "headcount": True},
                    labels={"name": "부서", "adoption": "이용률", "active_users": "이용자", "headcount": "정원"})
    figure.update_layout(yaxis_tickformat=".0%", **LAYOUT)
    return figure


def feature_mix(table: pd.DataFrame) -> go.Figure:
    if table.empty:
        return _empty("기능별 이용")
    figure = px.pie(table, names="label", values="events", title="기능별 이용", hole=0.4)
    figure.update_layout(**LAYOUT)
    return figure


def latency(table: pd.DataFrame) -> go.Figure:
    if table.empty:
        return _empty("응답 시간 분포")
    figure = px.bar(table, x="seconds", y="answers", title="응답 시간 분포",
                    labels={"seconds": "응답 시간(초)", "answers": "답변 수"})
    figure.update_layout(bargap=0.05, **LAYOUT)
    return figure


def topics(table: pd.DataFrame) -> go.Figure:
    if table.empty:
        return _empty("자주 묻는 주제")
    figure = px.bar(table.iloc[::-1], x="count", y="topic", orientation="h", title="자주 묻는 주제",
                    labels={"count": "횟수", "topic": "주제어"})
    figure.update_layout(**LAYOUT)
    return figure


def adoption_weeks(table: pd.DataFrame) -> go.Figure:
    """시범 운영 결과: each unit's share of its imported people active in each ISO week (one line per unit)."""
    title = "주별 이용률 (이용자 ÷ 대상자)"
    table = table[table["adoption"].notna()] if not table.empty else table
    if table.empty:
        return _empty(title)
    figure = px.line(table, x="week", y="adoption", color="name", markers=True, title=title,
                     hover_data={"active": True, "imported": True},
                     labels={"week": "주 (월요일)", "adoption": "이용률", "name": "부서", "active": "이용자",
                             "imported": "대상자"})
    figure.update_xaxes(tickformat="%-m. %-d.", hoverformat="%Y. %-m. %-d.")
    figure.update_layout(yaxis_tickformat=".0%", **LAYOUT)
    return figure
