"""The first sign-in of an imported account: its initial password (handed over by an administrator) is changed
for one only its owner knows before anything else is shown (app.py stops after this page, like the 준비 중 page).
The session it is changed in goes on; any other open session of the account ends."""

from __future__ import annotations

import streamlit as st

from seoulai.services import Person, SeoulAIError, Services
from seoulai.ui.login import session_cookie, sign_out_button

_CHECKED = "password_checked"  # the account whose password was found not to be an initial one, this session
_CHANGED = "password_changed"  # just changed: say so once on the next page


def password_gate(services: Services, person: Person) -> bool:
    """True when ``person`` may go on; else only the 비밀번호 바꾸기 page was drawn (the caller stops)."""
    if st.session_state.get(_CHECKED) == person.id:
        return True
    if not services.accounts.must_change_password(person):
        st.session_state[_CHECKED] = person.id
        if st.session_state.pop(_CHANGED, False):
            # Above the page (a toast is a dialog without an accessible name: axe flags it)
            st.success("비밀번호를 바꿨습니다. 다음부터 새 비밀번호로 로그인하세요.", icon="✅")
        return True
    st.navigation([st.Page(lambda: _change(services, person), title="비밀번호 바꾸기", icon="🔑",
                           url_path="new-password")], position="hidden").run()
    return False


def _change(services: Services, person: Person) -> None:
    st.title("🔑 처음 비밀번호를 바꾸세요")
    st.info("관리자가 준 처음 비밀번호로 로그인했습니다. 본인만 아는 비밀번호로 바꾸고 새 비밀번호로 다시 로그인하면 "
            "쓸 수 있습니다.", icon="ℹ️")
    with st.form("new_password_form", clear_on_submit=True):
        # 72: bcrypt's byte limit, which the service checks (a Korean password reaches it at 24 characters)
        current = st.text_input("지금 비밀번호 (처음 비밀번호)", type="password", key="new_pw_current", max_chars=72)
        first = st.text_input("새 비밀번호", type="password", key="new_pw_1", max_chars=72,
                              help="10자 이상, 글자와 숫자를 함께 쓰세요.")
        second = st.text_input("새 비밀번호 확인", type="password", key="new_pw_2", max_chars=72)
        if st.form_submit_button("비밀번호 바꾸기", type="primary", key="new_pw_submit"):
            if first != second:
                st.error("두 새 비밀번호가 다릅니다. 다시 입력하세요.", icon="⚠️")
            else:
                try:
                    services.accounts.change_password(person, current, first, session_cookie())
                except SeoulAIError as error:
                    st.error(error.message, icon="⚠️")
                else:
                    st.session_state[_CHANGED] = True
                    st.rerun()  # on to the product: the gate finds the new password
    sign_out_button(services)
