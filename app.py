"""서울시 행정 AI 도우미 — Streamlit entry point: page config, sign-in gate, navigation and the sidebar only."""

from __future__ import annotations

import streamlit as st

from seoulai.ui import get_health, get_person, get_services
from seoulai.ui.hardening import page_boundary, unsafe_options
from seoulai.ui.history import sidebar_history
from seoulai.ui.login import require_person, sign_out_button
from seoulai.ui.print_style import print_stylesheet
from seoulai.ui.password import password_gate
from seoulai.ui.rollout import announcement_banner, rollout_gate
from seoulai.ui.widgets import sidebar_person, sidebar_status

st.set_page_config(page_title="서울시 행정 AI 도우미", page_icon="🏛️", layout="wide")
print_stylesheet()  # every page, the sign-in form too: printing leaves the sidebar out
services = get_services()

# Also when started as `streamlit run app.py`, past serve.py's own refusal (seoulai.web.launch.refuse_unsafe_start).
if services.settings.production and (problems := [p for p in [services.settings.unsafe_to_serve()] if p]
                                     + unsafe_options(st.get_option)):
    st.error("운영 모드에서 안전하지 않은 설정으로는 시작할 수 없습니다. 관리자는 아래 설정(.streamlit/config.toml 또는 "
             "SEOULAI_ 환경 변수)을 고치세요.\n\n" + "\n".join(f"- {p}" for p in problems), icon="🛑")
    st.stop()

if services.accounts.mode != "none" and require_person(services) is None:
    st.stop()  # only the way to sign in was drawn
person = get_person()
announcement_banner(services)  # on every page for everyone signed in, the 준비 중 page too
if not password_gate(services, person):
    st.stop()  # an imported account's initial password is changed before anything else
if not rollout_gate(services, person):
    st.stop()  # only the 준비 중 page was drawn: whatever page the URL named never runs
ADMIN_PAGES = {"library": st.Page("views/library.py", title="매뉴얼 관리", icon="🗂️"),
               "accounts": st.Page("views/accounts.py", title="계정 관리", icon="👥"),
               "usage": st.Page("views/usage.py", title="이용 현황", icon="📊"),
               "rollout": st.Page("views/rollout.py", title="개통·공지", icon="🚦"),
               "audit": st.Page("views/audit.py", title="감사 기록", icon="🧾")}
pages = [st.Page("views/home.py", title="홈", icon="🏠", default=True),
         st.Page("views/manual_search.py", title="매뉴얼 검색", icon="📚"),
         st.Page("views/doc_qa.py", title="문서 Q&A", icon="📄"),
         st.Page("views/drafting.py", title="초안 작성", icon="✍️")]
# One flat list: Streamlit draws a section header inside the navigation's <ul>, which screen readers cannot follow.
pages += [ADMIN_PAGES[name] for name in services.accounts.admin_pages(person)]

navigation = st.navigation(pages)


def sidebar() -> None:
    sidebar_person(person, services.accounts.mode)
    sidebar_history(services, person)
    sign_out_button(services)
    sidebar_status(get_health(), services.semantic_status(person))


page_boundary(sidebar)
page_boundary(navigation.run)
