"""감사 기록: sign-ins, uploads, deletions and exports, for administrators."""

from __future__ import annotations

import streamlit as st

from seoulai.errors import SeoulAIError
from seoulai.ui import get_person, get_services

ACTIONS = {"sign_in": "로그인", "sign_in_failed": "로그인 실패", "sign_out": "로그아웃", "library_upload": "매뉴얼 등록",
           "library_delete": "매뉴얼 삭제", "upload": "문서 올리기", "upload_delete": "내 문서 삭제",
           "usage_export": "이용 기록 내보내기"}

services = get_services()
person = get_person()
st.title("🧾 감사 기록")
try:
    table = services.accounts.audit_log(person)
except SeoulAIError as error:
    st.warning(error.message, icon="🔒")
    st.stop()
if table.empty:
    st.info("아직 감사 기록이 없습니다.", icon="📭")
    st.stop()
table = table.assign(동작=table["action"].map(lambda a: ACTIONS.get(a, a)))
st.dataframe(table.rename(columns={"ts": "시각", "user_id": "사용자(가명)", "department": "부서", "role": "역할",
                                   "comment": "대상"})[["시각", "사용자(가명)", "부서", "역할", "동작", "대상"]],
             hide_index=True, use_container_width=True)
