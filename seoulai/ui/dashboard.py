"""The 이용 현황 page's numbers, charts and tables (the figures are pure functions in usage/figures)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from seoulai.services import escape_markdown
from seoulai.services.usage import FEATURE_LABELS, MIN_GROUP, Dashboard, figures, unit_label

CHART = {"displayModeBar": False, "locale": "ko"}  # no English toolbar over the charts


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _sec(value: float | None) -> str:
    return "–" if value is None else f"{value / 1000:.1f}초"


def _delta(now: float | None, before: float | None, show: Callable[[float], str]) -> str | None:
    if now is None or before is None:
        return None
    change = now - before
    return f"{'+' if change >= 0 else '-'}{show(abs(change))} (지난 기간 대비)"


def render_kpis(d: Dashboard) -> None:
    k, p = d.kpis, d.previous
    row1 = st.columns(4)
    row1[0].metric("이용자", f"{k.active_users:,}명", _delta(k.active_users, p.active_users, lambda v: f"{v:,.0f}명"))
    row1[1].metric("질문", f"{k.queries:,}건", _delta(k.queries, p.queries, lambda v: f"{v:,.0f}건"))
    row1[2].metric("만족도 (👍 비율)", _pct(k.satisfaction), _delta(k.satisfaction, p.satisfaction,
                                                                lambda v: f"{v * 100:.0f}%p"))
    row1[3].metric("절감 시간 (추정)", "–" if k.hours_saved is None else f"{k.hours_saved:,.0f}시간",
                   _delta(k.hours_saved, p.hours_saved, lambda v: f"{v:,.0f}시간"))
    row2 = st.columns(4)
    # Lower is better for these: Streamlit colours a rise red with delta_color="inverse".
    row2[0].metric("응답 시간 중앙값", _sec(k.p50_ms), _delta(k.p50_ms, p.p50_ms, _sec), delta_color="inverse")
    row2[1].metric("응답 시간 95%", _sec(k.p95_ms), _delta(k.p95_ms, p.p95_ms, _sec), delta_color="inverse")
    row2[2].metric("오류율", _pct(k.error_rate), _delta(k.error_rate, p.error_rate, lambda v: f"{v * 100:.0f}%p"),
                   delta_color="inverse")
    row2[3].metric("근거 없음 비율", _pct(k.no_answer_rate),
                   _delta(k.no_answer_rate, p.no_answer_rate, lambda v: f"{v * 100:.0f}%p"), delta_color="inverse")
    st.caption(d.savings_rule)
    if d.withheld:
        st.caption(d.withheld)
    if k.tokens_in or k.tokens_out:  # the model's own counts: what the GPU servers were asked to do
        st.caption(f"모델 사용량 (서버가 처리한 글의 양): 읽은 글 {k.tokens_in:,}토큰, 쓴 글 {k.tokens_out:,}토큰, "
                   f"질문 1건당 평균 읽은 글 {k.tokens_in // max(k.queries, 1):,}토큰. 토큰은 모델이 글을 세는 단위로, "
                   "한국어는 대략 한두 글자가 1토큰입니다.")


def render_idle(idle: list[str]) -> None:
    if not idle:
        st.caption("이 기간에 모든 과가 이용했습니다.")
        return
    st.warning(f"아직 이용하지 않은 과 {len(idle)}곳: " + ", ".join(escape_markdown(u.split("/", 1)[-1]) for u in idle),
               icon="📭")


def render_charts(d: Dashboard) -> None:
    left, right = st.columns(2)
    left.plotly_chart(figures.usage_over_time(d.over_time), use_container_width=True, config=CHART)
    right.plotly_chart(figures.adoption(d.adoption), use_container_width=True, config=CHART)
    left, right = st.columns(2)
    left.plotly_chart(figures.feature_mix(d.feature_mix), use_container_width=True, config=CHART)
    right.plotly_chart(figures.latency(d.latency), use_container_width=True, config=CHART)
    st.plotly_chart(figures.topics(d.topics), use_container_width=True, config=CHART)
    st.caption(f"자주 묻는 주제는 매뉴얼 검색 질문에서 {MIN_GROUP}명 이상이 물은 것만 보입니다 (문서 Q&A 질문은 본인만의 "
               f"것이라 쓰지 않습니다). 이용자가 {MIN_GROUP}명 미만인 부서는 그래프와 의견에서 "
               f"'기타 ({MIN_GROUP}명 미만)'으로 묶습니다.")


def render_gaps(gaps: pd.DataFrame) -> None:
    """Questions that found no grounds, by whose manual came closest: what each 과 may need to add."""
    if gaps.empty:
        st.caption("이 기간에 근거를 찾지 못한 질문이 없습니다.")
        return
    rows = [{"매뉴얼 담당": "공통 매뉴얼" if r.owner == "공통" else r.owner.split("/", 1)[-1],
             "가장 가까운 규정": r.rule or "—",
             "근거 없는 질문": int(r.questions),
             "예": " / ".join(str(q) for q in (r.examples if r.examples is not None else [])[:3])}
            for r in gaps.itertuples()]
    st.dataframe(pd.DataFrame(rows), hide_index=True, use_container_width=True)


def render_comments(comments: pd.DataFrame) -> None:
    if comments.empty:
        st.caption("이 기간에 남겨진 의견이 없습니다.")
        return
    table = pd.DataFrame({
        "시각": pd.to_datetime(comments["ts"]).map(lambda t: f"{t.year}. {t.month}. {t.day}. {t:%H:%M}"),
        "부서": comments["department"].map(unit_label),
        "기능": comments["feature"].map(lambda f: FEATURE_LABELS.get(f, f)),
        "평가": comments["rating"].map({1: "👍", -1: "👎"}).fillna(""),
        "의견": comments["comment"]})
    st.dataframe(table, hide_index=True, use_container_width=True)
