"""개통·공지: which 실/국/과 may use the product from which date (단계별 개통), and the announcement banner every
signed-in person sees on top of each page; for system administrators. The rules live in the rollout service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from seoulai.services import SeoulAIError, today_in_seoul
from seoulai.services.rollout import KINDS, MAX_BODY, seoul_date
from seoulai.ui import get_person, get_services

services = get_services()
person = get_person()
rollout = services.rollout
st.title("🚦 개통·공지")
try:
    waves = rollout.waves(person)
except SeoulAIError as error:
    st.warning(error.message, icon="🔒")
    st.stop()
if notice := st.session_state.pop("rollout_notice", None):
    st.success(notice, icon="✅")


def _done(message: str) -> None:
    """Say what happened after the rerun that redraws the tables (and the banner) with the change."""
    st.session_state["rollout_notice"] = message
    st.rerun()


def _apply(change: Callable[[], object]) -> bool:
    """Run a change; a refusal or bad input is said in Korean on the page."""
    try:
        change()
    except SeoulAIError as error:
        st.error(error.message, icon="⚠️")
        return False
    return True


st.subheader("단계별 개통")
st.caption("개통 일정이 하나도 없으면 모든 부서가 쓸 수 있습니다. 일정이 하나라도 있으면, 부서 자신이나 그 위 실·국의 개통일이 "
           "된 부서만 쓸 수 있고 나머지는 로그인 뒤 '준비 중' 안내만 봅니다. 시스템 관리자는 언제나 쓸 수 있습니다.")
if waves:
    st.dataframe(pd.DataFrame({"부서": [w.label for w in waves], "개통일": [seoul_date(w.opens_on) for w in waves],
                               "상태": ["개통됨" if w.open else "준비 중" for w in waves]}),
                 hide_index=True, width="stretch")
else:
    st.info("개통 일정이 없어 모든 부서가 쓸 수 있습니다.", icon="ℹ️")

units = services.accounts.units()
root = units[0].path.split("/", 1)[0] if units else "서울특별시"
choices = {root: f"{root} 전체", **{u.path: u.label for u in units}}
with st.form("rollout_open_form", border=True):
    unit = st.selectbox("부서", list(choices), format_func=choices.__getitem__, key="rollout_unit",
                        help="실·국을 고르면 그 아래 과도 함께 열립니다.")
    day = st.date_input("개통일", value=today_in_seoul(), key="rollout_date", format="YYYY.MM.DD",
                        help="오늘이나 지난 날짜면 바로 열립니다.")
    if st.form_submit_button("개통일 지정", type="primary", key="rollout_open") and _apply(
            lambda: rollout.open_unit(unit, day, by=person)):
        _done(f"{choices[unit]}의 개통일을 {seoul_date(day)}로 정했습니다.")
if waves:
    labels = {w.unit: f"{w.label} ({seoul_date(w.opens_on)})" for w in waves}
    picked = st.selectbox("개통 일정 삭제", list(labels), format_func=labels.__getitem__, key="rollout_remove_pick",
                          help="삭제하면 그 위 실·국의 일정이 적용되고, 없으면 다시 준비 중이 됩니다.")
    if st.button("일정 삭제", key="rollout_close") and _apply(lambda: rollout.close_unit(picked, by=person)):
        _done(f"{labels[picked]}의 개통 일정을 삭제했습니다.")

st.subheader("공지 배너")
st.caption("표시 중인 공지는 로그인한 모든 사람의 화면 맨 위에 나옵니다(준비 중 화면 포함). 점검 안내는 노란색으로 보입니다.")
notices = rollout.announcements(active_only=False, by=person)
today = today_in_seoul()


def _state(start: date | None, active: bool) -> str:
    if active:
        return "표시 중"
    return "예정" if start is not None and today < start else "지남"


if notices:
    st.dataframe(pd.DataFrame({
        "번호": [a.id for a in notices], "종류": [a.kind_label for a in notices], "내용": [a.body for a in notices],
        "시작일": [seoul_date(a.starts_on) if a.starts_on else "—" for a in notices],
        "종료일": [seoul_date(a.ends_on) if a.ends_on else "—" for a in notices],
        "상태": [_state(a.starts_on, a.active) for a in notices]}), hide_index=True, width="stretch")
else:
    st.info("등록된 공지가 없습니다.", icon="📭")
with st.form("announce_form", border=True, clear_on_submit=True):
    kind = st.selectbox("종류", list(KINDS), format_func=KINDS.__getitem__, key="announce_kind")
    body = st.text_area("내용 (그대로 표시됩니다)", max_chars=MAX_BODY, key="announce_body")
    start_col, end_col = st.columns(2)
    starts = start_col.date_input("시작일 (비우면 바로)", value=None, key="announce_from", format="YYYY.MM.DD")
    ends = end_col.date_input("종료일 (비우면 삭제할 때까지)", value=None, key="announce_until", format="YYYY.MM.DD")
    if st.form_submit_button("공지 등록", type="primary", key="announce_add") and _apply(
            lambda: rollout.announce(kind, body, starts, ends, by=person)):
        _done("공지를 등록했습니다.")
if notices:
    texts = {a.id: f"[{a.kind_label}] {a.body[:40]}" for a in notices}
    chosen = st.selectbox("공지 삭제", list(texts), format_func=texts.__getitem__, key="announce_remove_pick")
    if st.button("공지 삭제", key="announce_remove") and _apply(lambda: rollout.remove(chosen, by=person)):
        _done("공지를 삭제했습니다.")
