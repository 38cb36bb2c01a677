"""계정 관리 for a 부서 관리자 (issue #34, point 3): the page is in their navigation and shows only their unit's
accounts and units, and the roles they may give; the system administrator moving a 부서 관리자 names who takes
over the 과's collections on the same page."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.test_account_admin import PASSWORD, _accounts_page, local  # noqa: F401 - the fixture

GENERAL = "서울특별시/행정국/총무과"


@pytest.fixture
def unit(local: pytest.MonkeyPatch) -> pytest.MonkeyPatch:  # noqa: F811 - the imported fixture, extended
    from seoulai.ui import get_services

    accounts = get_services().accounts
    accounts.add_user("chief", "이총무", GENERAL, "dept_admin", PASSWORD)
    accounts.add_user("mate", "박총무", GENERAL, "staff", PASSWORD)
    return local


def _ids(at: AppTest) -> set[str]:
    return set(next(d.value for d in at.dataframe if "아이디" in d.value.columns)["아이디"])


def test_a_department_administrator_sees_only_their_unit(unit: pytest.MonkeyPatch) -> None:
    at = _accounts_page("chief")
    assert _ids(at) == {"chief", "mate", "staff"}  # 총무과 only: not the administrator of 디지털정책과
    assert any("관리하는 조직: 행정국 > 총무과" in c.value for c in at.caption)
    assert at.selectbox(key="account_admin_department").options == ["행정국 > 총무과"]
    assert at.selectbox(key="account_admin_role").options == ["직원", "부서 관리자"]
    at.selectbox(key="account_admin_pick").select("mate").run()
    at.button(key="account_admin_disable").click().run()
    assert not at.exception and any("사용 중지했습니다" in s.value for s in at.success)


def test_staff_have_no_account_page(unit: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not in their navigation at all
        _accounts_page("mate")


def test_moving_a_department_administrator_names_who_takes_over(unit: pytest.MonkeyPatch) -> None:
    at = _accounts_page()
    at.selectbox(key="account_admin_pick").select("chief").run()
    successor = at.selectbox(key="account_admin_successor")
    assert set(successor.options) == {"mate — 박총무", "staff — 김직원", "없음 (시스템 관리자가 맡음)"}
    successor.select("mate").run()
    at.selectbox(key="account_admin_department").select("서울특별시/디지털도시국/디지털정책과").run()
    at.button(key="account_admin_transfer").click().run()
    assert not at.exception
    assert any("총무과 문서함 관리: chief → mate" in s.value for s in at.success)
    roles = dict(zip(*(next(d.value for d in at.dataframe if "역할" in d.value.columns)[c] for c in ("아이디", "역할")),
                     strict=True))
    assert (roles["chief"], roles["mate"]) == ("직원", "부서 관리자")
