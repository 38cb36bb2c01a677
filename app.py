"""서울시 행정 AI 도우미 — Streamlit entry point: page config, navigation and the sidebar status only."""

from __future__ import annotations

import streamlit as st

from seoulai.ui.hardening import unsafe_options
from seoulai.ui.login import require_person, sign_out_button
from seoulai.ui.state import get_health, get_person, get_services
from seoulai.ui.widgets import sidebar_person, sidebar_status

st.set_page_config(page_title="서울시 행정 AI 도우미", page_icon="🏛️", layout="wide")

if get_services().settings.production and (problems := unsafe_options(st.get_option)):
    st.error("운영 모드에서 안전하지 않은 서버 설정으로는 시작할 수 없습니다. 관리자는 .streamlit/config.toml을 고치세요.\n\n"
             + "\n".join(f"- {p}" for p in problems), icon="🛑")
    st.stop()

if get_services().settings.auth.mode != "none" and require_person(get_services()) is None:
    st.stop()
person = get_person()
pages = {
    "": [st.Page("pages/home.py", title="홈", icon="🏠", default=True),
         st.Page("pages/manual_search.py", title="매뉴얼 검색", icon="📚"),
         st.Page("pages/doc_qa.py", title="문서 Q&A", icon="📄"),
         st.Page("pages/drafting.py", title="초안 작성", icon="✍️")],
}
admin_pages = []
if get_services().manageable(person):
    admin_pages.append(st.Page("pages/library.py", title="매뉴얼 관리", icon="🗂️"))
if get_services().usage_scope(person) is not None:
    admin_pages.append(st.Page("pages/usage.py", title="이용 현황", icon="📊"))
if person.role == "admin":
    admin_pages.append(st.Page("pages/audit.py", title="감사 기록", icon="🧾"))
if admin_pages:
    pages["관리"] = admin_pages

navigation = st.navigation(pages)
sidebar_person(person, get_services().settings.auth.mode)
sign_out_button(get_services())
sidebar_status(get_health())
navigation.run()
