"""An imported account's first sign-in (issue #34): only the 비밀번호 바꾸기 page, whatever page the URL names,
until the initial password is changed; then the product opens in the same session, and the new password is the one
that signs in."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from seoulai.ui.login import TEST_COOKIE
from tests.ui.conftest import APP
from tests.ui.test_account_admin import local  # noqa: F401 - the fixture

NEW = "내비밀번호2026abc"


def _imported(local: pytest.MonkeyPatch) -> tuple[str, str]:  # noqa: F811 - the imported fixture
    from seoulai.ui import get_services

    csv = "사번,이름,부서,직급,이메일,권한\nnew01,신입,서울특별시/행정국/총무과,주무관,,staff\n"
    result = get_services().accounts.import_users(csv.encode(), "인사.csv")
    (account_id, password), = result.passwords
    signed = get_services().accounts.sign_in(account_id, password)
    assert signed is not None
    return password, signed.cookie


def test_the_initial_password_is_changed_before_anything_else(local: pytest.MonkeyPatch) -> None:  # noqa: F811 - local is the imported fixture
    from seoulai.ui import get_services

    initial, cookie = _imported(local)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[TEST_COOKIE] = cookie
    at.run()
    assert [t.value for t in at.title] == ["🔑 처음 비밀번호를 바꾸세요"]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/manual_search.py")  # no page but this one
    at.text_input(key="new_pw_current").input(initial)
    at.text_input(key="new_pw_1").input(NEW)
    at.text_input(key="new_pw_2").input("다른비밀번호2026")
    at.button(key="new_pw_submit").click().run()
    assert any("다릅니다" in e.value for e in at.error)
    at.text_input(key="new_pw_current").input(initial)
    at.text_input(key="new_pw_1").input(NEW)
    at.text_input(key="new_pw_2").input(NEW)
    at.button(key="new_pw_submit").click().run()
    assert not at.exception and "🔑 처음 비밀번호를 바꾸세요" not in [t.value for t in at.title]
    assert any("비밀번호를 바꿨습니다" in t.value for t in at.success)
    at.switch_page("views/manual_search.py").run()  # the product, in the same session
    assert not at.exception and any("매뉴얼 검색" in t.value for t in at.title)
    assert get_services().accounts.sign_in("new01", NEW) is not None
    assert get_services().accounts.sign_in("new01", initial) is None
