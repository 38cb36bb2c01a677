"""계정 관리: the accounts a system administrator (the whole city) or a 부서 관리자 (their own 과 or 실/국) manages —
사용 중지, 다시 사용, 비밀번호 재설정, 부서 이동 (a 부서 관리자 hands their unit's collections to a successor),
권한 변경, each of which ends the person's open sessions at once — and the bulk import of an 인사 export (a preview
first, then 적용)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from seoulai.services import SeoulAIError
from seoulai.ui import get_person, get_services

services = get_services()
person = get_person()
st.title("👥 계정 관리")


def _done(message: str) -> None:
    """Say what happened after the rerun that redraws the tables with the change."""
    st.session_state["account_admin_notice"] = message
    st.rerun()


def account_controls() -> None:
    if services.accounts.mode != "local":
        st.info("이 설치는 통합인증으로 로그인합니다: 계정의 사용 중지·부서·권한은 통합인증 시스템에서 관리하세요. 여기서는 "
                "로컬 계정을 쓸 때 계정을 관리합니다.", icon="ℹ️")
        return
    if notice := st.session_state.pop("account_admin_notice", None):
        st.success(notice, icon="✅")
    try:
        users = {u.id: u for u in services.accounts.users(person)}
    except SeoulAIError as error:
        st.warning(error.message, icon="🔒")
        st.stop()
    scope = services.accounts.account_scope_label(person)
    st.caption(f"관리하는 조직: {scope} — 여기 보이는 계정만 바꿀 수 있습니다.")
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
        units = {u.path: u.label for u in services.accounts.units(by=person)}
        current = users[chosen].department
        moved_to = st.selectbox("옮길 부서", list(units), key="account_admin_department", format_func=units.__getitem__,
                                index=list(units).index(current) if current in units else 0)
        successor, without = None, False
        if users[chosen].role == "dept_admin":
            # A 부서 관리자 keeps the unit's collections: who takes them over when they leave.
            heirs = {u.id: f"{u.id} — {u.name}" for u in users.values()
                     if u.department == current and u.id != chosen and not u.disabled}
            heirs[""] = "없음 (시스템 관리자가 맡음)"
            picked = st.selectbox("이어받을 사람 (이 과의 문서함 관리)", list(heirs), key="account_admin_successor",
                                  format_func=heirs.__getitem__,
                                  help="부서 관리자가 옮기면 이 사람이 이 과의 부서 관리자가 됩니다.")
            successor, without = picked or None, not picked
        if st.button("부서 이동", key="account_admin_transfer", help="열린 로그인을 끝내 새 부서의 권한이 바로 적용됩니다."):
            change = services.accounts.transfer_user(chosen, moved_to, by=person, successor=successor,
                                                     without_successor=without)
            _done(f"부서를 옮겼습니다: {chosen} → {units[moved_to]} (열려 있던 로그인 {change.sessions_ended}개를 끝냈습니다)"
                  + (f". {change.note}" if change.note else "") if change.changed else f"이미 그 부서입니다: {chosen}")
        labels = services.accounts.role_labels(person)
        roles = list(labels)
        role = st.selectbox("권한", roles, key="account_admin_role", index=roles.index(users[chosen].role)
                            if users[chosen].role in roles else 0, format_func=labels.__getitem__)
        if st.button("권한 변경", key="account_admin_role_apply"):
            change = services.accounts.change_role(chosen, role, by=person)
            _done(f"권한을 바꿨습니다: {chosen} → {labels[role]} (열려 있던 로그인 {change.sessions_ended}개를 끝냈습니다)"
                  if change.changed else f"이미 그 권한입니다: {chosen}")
    except SeoulAIError as error:
        st.error(error.message, icon="⚠️")


_KINDS = {"added": "추가", "changed": "변경", "unchanged": "그대로"}


def bulk_import() -> None:
    """인사 자료 upload → preview (what would change, and each bad line with its reason) → 적용. The initial
    passwords of new accounts are offered once, as a download, right after 적용."""
    if services.accounts.mode != "local":
        return
    st.subheader("계정 일괄 가져오기")
    st.caption("머리글: 사번, 이름, 부서(조직도 경로 또는 부서 코드), 직급, 이메일, 권한(직원, 부서 관리자, 관리자, 시스템 관리자 — "
               "영문 코드도 됩니다). "
               "CSV(UTF-8·CP949) 또는 XLSX, 20,000줄·5MB까지. 잘못된 줄이 하나라도 있으면 아무것도 적용하지 않습니다.")
    if passwords := st.session_state.pop("account_import_passwords", None):
        st.warning("새 계정의 처음 비밀번호입니다. 지금 한 번만 받을 수 있으니 내려받아 본인에게만 전하세요.", icon="🔑")
        st.download_button("처음 비밀번호 내려받기(CSV)", passwords, file_name="처음_비밀번호.csv", mime="text/csv",
                           key="account_import_passwords_download", on_click="ignore")
    upload = st.file_uploader("인사 자료 (CSV, XLSX)", type=["csv", "xlsx"], key="account_import_file")
    if upload is not None and st.button("미리 보기", key="account_import_preview"):
        st.session_state["account_import_data"] = (upload.name, upload.getvalue())
    staged = st.session_state.get("account_import_data")
    if staged is None:
        return
    name, data = staged
    try:
        plan = services.accounts.import_users(data, name, dry_run=True, by=person).plan
    except SeoulAIError as error:
        st.error(error.message.split("\n", 1)[0], icon="⚠️")
        bad = getattr(error, "plan", None)
        if bad is not None:
            st.dataframe(pd.DataFrame({"줄": [e.line for e in bad.errors], "사유": [e.reason for e in bad.errors]}),
                         hide_index=True, use_container_width=True)
        return
    st.info(f"미리 보기: {plan.summary()}", icon="🔎")
    shown = [c for c in plan.changes if c.kind != "unchanged"]
    labels = services.accounts.role_labels()
    if shown:
        st.dataframe(pd.DataFrame({"줄": [c.line for c in shown], "변경": [_KINDS[c.kind] for c in shown],
                                   "바뀌는 항목": ["/".join(c.fields) or "—" for c in shown],
                                   "사번": [c.id for c in shown], "이름": [c.name for c in shown],
                                   "부서": [c.department for c in shown],
                                   "권한": [labels.get(c.role, c.role) for c in shown]}),
                     hide_index=True, use_container_width=True)
        if st.button("적용", key="account_import_apply", type="primary"):
            try:
                result = services.accounts.import_users(data, name, by=person)
            except SeoulAIError as error:
                st.error(error.message, icon="⚠️")
                return
            del st.session_state["account_import_data"]
            if result.passwords:
                st.session_state["account_import_passwords"] = "사번,처음 비밀번호\n" + "".join(
                    f"{i},{p}\n" for i, p in result.passwords)
            _done(f"가져왔습니다: {result.plan.summary()}")


account_controls()
bulk_import()
