"""시범 운영 결과 on 이용 현황: the headline numbers, the weekly adoption chart, the tables and the files to file.

Drawn only when the person opens it (the toggle): the dashboard above loads without computing it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from seoulai.services import Filters, Person, SeoulAIError, Services
from seoulai.services.review import Review
from seoulai.services.usage import MIN_GROUP, figures

CHART = {"displayModeBar": False, "locale": "ko"}
RATES = ("이용률", "재이용률", "만족도")  # shares: shown as 75%, kept as numbers in the XLSX
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _pct(value: float | None) -> str:
    return "–" if value is None or value != value else f"{value:.0%}"  # NaN != NaN: a rate withheld or undefined


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    for column in RATES:
        if column in out.columns:
            out[column] = out[column].map(_pct)
    return out.astype(object).where(out.notna(), "–")


def render_review(review: Review) -> None:
    h = review.headline
    row = st.columns(4)
    row[0].metric("이용자 / 대상자", f"{h.active:,}명 / {h.imported:,}명",
                  f"이용률 {h.active / h.imported:.0%}" if h.imported else None, delta_color="off")
    row[1].metric("재이용률", _pct(h.repeat_rate), help="기간 중 2주 이상, 3일 이상 이용한 사람의 비율")
    row[2].metric("만족도 (👍 비율)", _pct(h.satisfaction))
    row[3].metric("절감 시간", "–" if h.hours_saved is None else f"{h.hours_saved:,.1f}시간",
                  f"설문 응답 {h.surveys:,}건", delta_color="off")
    st.caption(review.savings_rule)
    st.plotly_chart(figures.adoption_weeks(review.weekly), use_container_width=True, config=CHART)
    st.caption(f"대상자는 이 앱에 등록된 계정(사용 중지 제외)입니다. 계정과 이용자가 모두 {MIN_GROUP}명 미만인 부서와 "
               f"{MIN_GROUP}명 미만이 가진 직급은 '기타 ({MIN_GROUP}명 미만)'으로 묶고, 뒤에 {MIN_GROUP}명이 안 되는 "
               "비율·시간은 '–'로 둡니다 (한 사람의 이용이 드러나지 않도록).")
    for name, table in review.tables.items():
        st.markdown(f"**{name}**")
        if table.empty:
            st.caption("이 기간의 자료가 없습니다.")
        else:
            st.dataframe(_shown(table), hide_index=True, use_container_width=True)


def review_section(services: Services, person: Person, filters: Filters) -> None:
    """The section under the dashboard: computed when opened, with its downloads."""
    st.subheader("시범 운영 결과")
    if not st.toggle("시범 운영 결과 보기", key="us_review",
                     help="부서별 이용률(주별), 재이용, 만족도, 절감 시간, 모델 사용, 근거 없는 질문을 봅니다"):
        st.caption("켜면 고른 기간·부서의 시범 운영 결과를 계산해 보여 주고, 엑셀·한글·워드 파일로 내려받을 수 있습니다.")
        return
    try:
        with st.spinner("시범 운영 결과를 계산하고 있습니다…"):
            review = services.review.review(person, filters)
    except SeoulAIError as error:
        st.error(error.message, icon="⚠️")
        return
    render_review(review)
    key = (filters.start, filters.end, filters.department)
    if st.button("시범 운영 결과 파일 만들기", key="us_review_export"):
        with st.spinner("파일을 만들고 있습니다…"):
            st.session_state["us_review_files"] = (key, services.review.export(person, filters))
    made = st.session_state.get("us_review_files")
    if made is None or made[0] != key:  # files of another period or 부서 are not offered for this one
        return
    files, stem = made[1], f"시범운영결과_{filters.start:%Y%m%d}_{filters.end:%Y%m%d}"
    d1, d2, d3 = st.columns(3)
    d1.download_button("엑셀(XLSX) 내려받기", files.xlsx, file_name=f"{stem}.xlsx", mime=XLSX, key="us_review_xlsx")
    d2.download_button("보고서 HWPX (한글)", files.hwpx, file_name=f"{stem}.hwpx", mime="application/hwp+zip",
                       key="us_review_hwpx")
    d3.download_button("보고서 DOCX (워드)", files.docx, file_name=f"{stem}.docx", mime=DOCX, key="us_review_docx")
