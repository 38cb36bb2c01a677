"""The sign-in gate: no sign-in (single-person evaluation), local accounts, or the city's SSO (st.login)."""

from __future__ import annotations

import time

import streamlit as st

from seoulai.auth.oidc import oidc_problems
from seoulai.auth.people import Person
from seoulai.errors import SeoulAIError
from seoulai.services import Services


def _expired(services: Services) -> bool:
    started = st.session_state.get("auth_at", 0.0)
    return time.time() - started > services.settings.auth.session_minutes * 60


def require_person(services: Services) -> Person | None:
    """The signed-in person, or None after drawing the sign-in form (the caller then stops)."""
    mode = services.settings.auth.mode
    person = st.session_state.get("auth_person")
    if mode == "none":
        return person if isinstance(person, Person) else None  # get_person() gives the demo person
    if isinstance(person, Person) and not _expired(services):
        return person
    if isinstance(person, Person):
        st.session_state.pop("auth_person", None)
        st.info("로그인 시간이 지나 다시 로그인해야 합니다.", icon="⏰")
    st.title("🏛️ 서울시 행정 AI 도우미")
    if mode == "oidc":
        return _oidc(services)
    with st.form("login_form"):
        account = st.text_input("아이디", key="login_id")
        password = st.text_input("비밀번호", type="password", key="login_password")
        submitted = st.form_submit_button("로그인", type="primary")
    if submitted:
        try:
            signed_in = services.accounts.sign_in(account.strip(), password)
        except SeoulAIError as error:
            st.error(error.message, icon="⚠️")
            return None
        if signed_in is None:
            st.error("아이디 또는 비밀번호가 맞지 않습니다. 잊었으면 관리자에게 비밀번호 재설정을 요청하세요.", icon="⚠️")
            return None
        st.session_state["auth_person"] = signed_in
        st.session_state["auth_at"] = time.time()
        st.rerun()
    st.caption("계정은 관리자가 `seoulai users add`로 만듭니다.")
    return None


def _oidc(services: Services) -> Person | None:
    problems = oidc_problems(st.secrets.to_dict() if hasattr(st.secrets, "to_dict") else dict(st.secrets))
    if problems:
        st.error("통합인증 설정이 완전하지 않습니다. 관리자는 .streamlit/secrets.toml을 확인하세요.\n\n"
                 + "\n".join(f"- {p}" for p in problems), icon="🛑")
        return None
    if not st.user.is_logged_in:
        if st.button("서울시 통합인증으로 로그인", type="primary", key="login_oidc"):
            st.login()
        return None
    try:
        person = services.accounts.sign_in_oidc(st.user.to_dict())
    except SeoulAIError as error:
        st.error(error.message, icon="⚠️")
        return None
    st.session_state["auth_person"] = person
    st.session_state["auth_at"] = time.time()
    return person


def sign_out_button(services: Services) -> None:
    if services.settings.auth.mode == "none":
        return
    if st.sidebar.button("로그아웃", key="logout"):
        person = st.session_state.pop("auth_person", None)
        if isinstance(person, Person):
            services.accounts.sign_out(person)
        if services.settings.auth.mode == "oidc":
            st.logout()
        st.rerun()
