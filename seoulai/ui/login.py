"""The sign-in gate inside the app: the session cookie (local accounts) or the city's SSO (st.login).

The sign-in form itself is the server's /login page (seoulai/web), which sets the HttpOnly cookie; a reload or a
new tab therefore stays signed in. Until someone is signed in, the navigation shows nothing but the way in.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from seoulai.errors import SeoulAIError
from seoulai.services import COOKIE, Person, Services, oidc_problems

# AppTest cannot send cookies; tests hand the same signed cookie value in through the session state.
TEST_COOKIE = "auth_cookie"


def session_cookie() -> str | None:
    cookie = st.context.cookies.get(COOKIE)
    if isinstance(cookie, str) and cookie:  # (AppTest answers with a mock object)
        return cookie
    test = st.session_state.get(TEST_COOKIE)
    return test if isinstance(test, str) else None


def require_person(services: Services) -> Person | None:
    """The signed-in person, or None after drawing only the way to sign in (the caller then stops)."""
    mode = services.accounts.mode
    if mode == "oidc":
        person = st.session_state.get("auth_person")
        started = st.session_state.get("auth_at", 0.0)
        if isinstance(person, Person) and time.time() - started <= services.settings.auth.session_minutes * 60:
            return person
        st.session_state.pop("auth_person", None)
        return _only(lambda: _oidc(services))
    person = services.accounts.session_person(session_cookie())
    if person is not None:
        st.session_state["auth_person"] = person
        return person
    st.session_state.pop("auth_person", None)
    return _only(_sign_in_pointer)


def _only(draw: Callable[[], None]) -> None:
    """A navigation of one hidden page: no page names (not even the admin pages) before sign-in."""
    st.navigation([st.Page(draw, title="로그인", icon="🔐", url_path="signin")], position="hidden").run()
    return None


def _sign_in_pointer() -> None:
    st.title("🏛️ 서울시 행정 AI 도우미")
    st.info("로그인이 필요합니다. 로그인 시간이 지났으면 다시 로그인하세요.", icon="🔐")
    if st.button("로그인 화면으로", type="primary", key="to_login"):
        # st.logout's redirect (same tab, to /auth/logout) is answered by the server's sign-in gate with /login.
        st.logout()


def _oidc(services: Services) -> None:
    st.title("🏛️ 서울시 행정 AI 도우미")
    problems = oidc_problems(st.secrets.to_dict() if hasattr(st.secrets, "to_dict") else dict(st.secrets))
    if problems:
        st.error("통합인증 설정이 완전하지 않습니다. 관리자는 .streamlit/secrets.toml을 확인하세요.\n\n"
                 + "\n".join(f"- {p}" for p in problems), icon="🛑")
        return
    if not st.user.is_logged_in:
        if st.button("서울시 통합인증으로 로그인", type="primary", key="login_oidc"):
            st.login()
        return
    try:
        person = services.accounts.sign_in_oidc(st.user.to_dict())
    except SeoulAIError as error:
        st.error(error.message, icon="⚠️")
        return
    st.session_state["auth_person"] = person
    st.session_state["auth_at"] = time.time()
    st.rerun()


def sign_out_button(services: Services) -> None:
    if services.accounts.mode == "none" or not st.sidebar.button("로그아웃", key="logout"):
        return
    person = st.session_state.pop("auth_person", None)
    if isinstance(person, Person):
        services.accounts.sign_out(person, session_cookie())  # revoked on every server, now
    # The browser goes to /auth/logout: for OIDC Streamlit's own sign-out, for local accounts the server's gate
    # clears the cookie and shows /login.
    st.logout()
