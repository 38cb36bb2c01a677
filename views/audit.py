"""감사 기록: sign-ins, uploads, deletions and exports, for administrators; with local accounts also the account
controls (사용 중지, 다시 사용, 비밀번호 재설정), each of which ends the person's open sessions at once."""

from __future__ import annotations

import streamlit as st

from seoulai.services import SeoulAIError
from seoulai.ui import get_person, get_services

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
else:
    st.dataframe(table, hide_index=True, use_container_width=True)


def _done(message: str) -> None:
    """Say what happened after the rerun that redraws the tables with the change."""
    st.session_state["account_admin_notice"] = message
    st.rerun()


def account_controls() -> None:
    st.subheader("계정 관리")
    if services.accounts.mode != "local":
        st.caption("로컬 계정(SEOULAI_AUTH__MODE=local)을 쓸 때 여기서 계정을 사용 중지하거나 비밀번호를 재설정합니다. "
                   "통합인증 사용자는 통합인증 시스템에서 관리하세요.")
        return
    if notice := st.session_state.pop("account_admin_notice", None):
        st.success(notice, icon="✅")
    users = {u.id: u for u in services.accounts.users(person)}
    st.dataframe(services.accounts.account_table(person), hide_index=True, use_container_width=True)
    chosen = st.selectbox("계정", list(users), key="account_admin_pick",
                          format_func=lambda i: f"{i} — {users[i].name}{' (사용 중지)' if users[i].disabled else ''}")
    if chosen is None:
        return
    try:
        if users[chosen].disabled:
            if st.button("다시 사용", key="account_admin_enable"):
                services.accounts.enable_user(chosen, by=person)
                _done(f"계정을 다시 사용할 수 있게 했습니다: {chosen}")
        elif st.button("사용 중지", key="account_admin_disable", help="이 계정의 열린 로그인을 모든 서버에서 바로 끝냅니다."):
            change = services.accounts.disable_user(chosen, by=person)
            _done(f"계정을 사용 중지했습니다: {chosen} (열려 있던 로그인 {change.sessions_ended}개를 끝냈습니다)")
        with st.form("account_admin_reset_form", clear_on_submit=True):
            # 72: bcrypt's byte limit, which the service checks (a Korean password reaches it at 24 characters)
            first = st.text_input("새 비밀번호", type="password", key="account_admin_pw1", max_chars=72,
                                  help="10자 이상, 글자와 숫자를 함께. 바꾸면 이 사람의 열린 로그인이 모두 끝납니다.")
            second = st.text_input("새 비밀번호 확인", type="password", key="account_admin_pw2", max_chars=72)
            if st.form_submit_button("비밀번호 재설정", key="account_admin_reset"):
                if first != second:
                    st.error("두 비밀번호가 다릅니다. 다시 입력하세요.", icon="⚠️")
                else:
                    ended = services.accounts.reset_password(chosen, first, by=person)
                    _done(f"비밀번호를 바꿨습니다: {chosen} (열려 있던 로그인 {ended}개를 끝냈습니다)")
    except SeoulAIError as error:
        st.error(error.message, icon="⚠️")


account_controls()
