"""The 계정 관리 section's bulk import, transfer and role change: an upload is previewed first (what would change,
and each bad line with its Korean reason) and applied only by 적용; a file with a bad line offers no 적용; the
initial passwords are offered once as a download; a transfer or role change ends the person's sessions."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.test_account_admin import _accounts_page, _actions, _cookie, _signed_in, local  # noqa: F401 - the fixture

GENERAL = "서울특별시/행정국/총무과"
DIGITAL = "서울특별시/디지털도시국/디지털정책과"
HEADER = "사번,이름,부서,직급,이메일,권한\n"


def _accounts() -> dict[str, tuple[str, str]]:
    from seoulai.ui import get_services

    return {u.id: (u.department, u.role) for u in get_services().accounts.users()}


def _upload(at: AppTest, text: str, name: str = "인사.csv") -> AppTest:
    at.file_uploader(key="account_import_file").set_value([(name, text.encode("cp949"), "text/csv")]).run()
    at.button(key="account_import_preview").click().run()
    assert not at.exception
    return at


def test_a_bad_file_names_its_lines_and_offers_no_apply(local: pytest.MonkeyPatch) -> None:  # noqa: F811 - local is the imported fixture
    at = _upload(_accounts_page(), f"{HEADER}2026001,김서울,{GENERAL},,,staff\n2026002,,없는과,,,boss\n")
    assert any("적용하지 않았습니다" in e.value for e in at.error)
    table = next(d.value for d in at.dataframe if "사유" in d.value.columns)
    assert list(table["줄"]) == [3] and "이름" in table["사유"][0] and "권한" in table["사유"][0]
    assert not [b for b in at.button if b.key == "account_import_apply"]
    assert "2026001" not in _accounts()


def test_preview_then_apply_then_nothing_to_change(local: pytest.MonkeyPatch) -> None:  # noqa: F811 - local is the imported fixture
    text = f"{HEADER}2026001,김서울,{GENERAL},주무관,,staff\nstaff,김직원,{DIGITAL},,,staff\n"
    at = _upload(_accounts_page(), text)
    assert any("추가 1명, 변경 1명" in i.value for i in at.info)
    preview = next(d.value for d in at.dataframe if "변경" in d.value.columns)
    assert list(preview["변경"]) == ["추가", "변경"] and list(preview["바뀌는 항목"]) == ["—", "부서"]
    assert "2026001" not in _accounts()  # a preview applies nothing
    staff = _cookie("staff")
    at.button(key="account_import_apply").click().run()
    assert not at.exception and any("가져왔습니다" in s.value for s in at.success)
    assert _accounts()["2026001"] == (GENERAL, "staff") and _accounts()["staff"] == (DIGITAL, "staff")
    assert not _signed_in(staff)  # moved: the next request signs in with the new unit
    download = at.get("download_button")
    assert download and "처음 비밀번호" in download[0].proto.label
    at = _upload(at, text)
    assert any("변경 없음" in i.value for i in at.info)


def test_transfer_and_role_change_per_account(local: pytest.MonkeyPatch) -> None:  # noqa: F811 - local is the imported fixture
    staff = _cookie("staff")
    at = _accounts_page()
    at.selectbox(key="account_admin_pick").select("staff").run()
    at.selectbox(key="account_admin_department").select(DIGITAL).run()
    at.button(key="account_admin_transfer").click().run()
    assert not at.exception and any("부서를 옮겼습니다" in s.value and "로그인 1개" in s.value for s in at.success)
    assert _accounts()["staff"] == (DIGITAL, "staff") and not _signed_in(staff)
    at.selectbox(key="account_admin_pick").select("staff").run()
    at.selectbox(key="account_admin_role").select("manager").run()
    at.button(key="account_admin_role_apply").click().run()
    assert any("권한을 바꿨습니다" in s.value for s in at.success)
    assert _accounts()["staff"] == (DIGITAL, "manager")
    assert {"부서 이동", "권한 변경"} <= _actions(at)
