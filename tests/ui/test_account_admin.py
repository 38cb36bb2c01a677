"""The 계정 관리 page (system administrators; 부서 관리자 for their own unit): disable and enable an account,
reset a password; each ends the person's open sessions at once and is an audit event; mistakes are said in
Korean; without local accounts the page shows no controls."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from seoulai.ui.login import TEST_COOKIE
from tests.ui.conftest import APP

PASSWORD = "seoul-pilot-2026"
NEW_PASSWORD = "seoul-reset-2027"


@pytest.fixture
def local(app_env: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    from seoulai.ui import get_services

    app_env.setenv("SEOULAI_AUTH__MODE", "local")
    app_env.setenv("SEOULAI_EMBED__BACKEND", "none")
    accounts = get_services().accounts
    accounts.add_user("admin", "관리자", "서울특별시/디지털도시국/디지털정책과", "admin", PASSWORD)
    accounts.add_user("staff", "김직원", "서울특별시/행정국/총무과", "staff", PASSWORD)
    return app_env


def _cookie(account: str, password: str = PASSWORD) -> str:
    from seoulai.ui import get_services

    result = get_services().accounts.sign_in(account, password)
    assert result is not None
    return result.cookie


def _accounts_page(account: str = "admin") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[TEST_COOKIE] = _cookie(account)
    at.run()
    at.switch_page("views/accounts.py").run()
    assert not at.exception
    return at


def _signed_in(cookie: str) -> bool:
    from seoulai.ui import get_services

    return get_services().accounts.session_person(cookie) is not None


def _states(at: AppTest) -> dict[str, str]:
    table = next(d.value for d in at.dataframe if "상태" in d.value.columns)
    return dict(zip(table["아이디"], table["상태"], strict=True))


def _actions(at: AppTest) -> set[str]:
    """The audit log's actions as the 감사 기록 page labels them."""
    from seoulai.services.accounts import AUDIT_ACTIONS
    from seoulai.ui import get_services

    return {AUDIT_ACTIONS.get(row[4], row[4]) for row in get_services().state.audit.recent(100)}


def test_administrator_disables_and_enables_an_account(local: pytest.MonkeyPatch) -> None:
    staff = _cookie("staff")
    at = _accounts_page()
    assert any("계정 관리" in h.value for h in at.title)
    assert _states(at) == {"admin": "사용 중", "staff": "사용 중"}
    at.selectbox(key="account_admin_pick").select("staff").run()
    at.button(key="account_admin_disable").click().run()
    assert not at.exception and any("사용 중지했습니다" in s.value and "로그인 1개" in s.value for s in at.success)
    assert not _signed_in(staff)  # ended at once, in the shared store
    assert _states(at)["staff"] == "사용 중지" and "계정 사용 중지" in _actions(at)
    refused = AppTest.from_file(APP, default_timeout=60)
    refused.session_state[TEST_COOKIE] = staff
    refused.run()
    assert "auth_person" not in refused.session_state  # the staff member's open tab shows only the way to sign in

    at.button(key="account_admin_enable").click().run()
    assert any("다시 사용할 수 있게 했습니다" in s.value for s in at.success)
    assert _states(at)["staff"] == "사용 중" and "계정 다시 사용" in _actions(at)
    assert _signed_in(_cookie("staff"))


def test_administrator_resets_a_password(local: pytest.MonkeyPatch) -> None:
    staff = _cookie("staff")
    at = _accounts_page()
    at.selectbox(key="account_admin_pick").select("staff").run()
    at.text_input(key="account_admin_pw1").input(NEW_PASSWORD)
    at.text_input(key="account_admin_pw2").input("something-else-1")
    at.button(key="account_admin_reset").click().run()
    assert any("두 비밀번호가 다릅니다" in e.value for e in at.error) and _signed_in(staff)
    at.text_input(key="account_admin_pw1").input("short1")
    at.text_input(key="account_admin_pw2").input("short1")
    at.button(key="account_admin_reset").click().run()
    assert any("10자 이상" in e.value for e in at.error) and _signed_in(staff)

    at.text_input(key="account_admin_pw1").input(NEW_PASSWORD)
    at.text_input(key="account_admin_pw2").input(NEW_PASSWORD)
    at.button(key="account_admin_reset").click().run()
    assert not at.exception and any("비밀번호를 바꿨습니다" in s.value for s in at.success)
    assert not _signed_in(staff) and "비밀번호 재설정" in _actions(at)
    assert _signed_in(_cookie("staff", NEW_PASSWORD))


def test_administrator_cannot_disable_their_own_account(local: pytest.MonkeyPatch) -> None:
    at = _accounts_page()
    at.selectbox(key="account_admin_pick").select("admin").run()
    at.button(key="account_admin_disable").click().run()
    assert any("자기 계정은 사용 중지할 수 없습니다" in e.value for e in at.error)
    assert _states(at)["admin"] == "사용 중"


def test_no_account_controls_without_local_accounts(app_env: pytest.MonkeyPatch) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()  # sign-in mode none: the demo person is an administrator
    at.switch_page("views/accounts.py").run()
    assert not at.exception
    assert not [s for s in at.selectbox if s.key == "account_admin_pick"]
    assert any("로컬 계정" in c.value and "통합인증" in c.value for c in at.info)
