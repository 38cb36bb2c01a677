"""Sign-in through the local accounts file; each role sees exactly its pages; OIDC configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from seoulai.auth.oidc import oidc_problems, person_from_claims
from seoulai.auth.people import Person
from seoulai.errors import InputError
from tests.ui.conftest import APP

PAGES = ["pages/home.py", "pages/manual_search.py", "pages/doc_qa.py", "pages/drafting.py", "pages/library.py",
         "pages/usage.py", "pages/audit.py"]
EVERYONE = {"pages/home.py", "pages/manual_search.py", "pages/doc_qa.py", "pages/drafting.py"}
EXPECTED = {
    "staff": EVERYONE,
    "dept_admin": EVERYONE | {"pages/library.py"},
    "manager": EVERYONE | {"pages/usage.py"},
    "admin": set(PAGES),
}
PASSWORD = "seoul-pilot-2026"


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "seoulai.cli", *args], input=stdin, capture_output=True,
                          text=True, timeout=60, env=dict(os.environ))


@pytest.fixture
def accounts(app_env: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    app_env.setenv("SEOULAI_AUTH__MODE", "local")
    app_env.setenv("SEOULAI_EMBED__BACKEND", "none")
    for role, department in (("staff", "서울특별시/행정국/총무과"), ("dept_admin", "서울특별시/행정국/총무과"),
                             ("manager", "서울특별시/행정국"), ("admin", "서울특별시/디지털도시국/디지털정책과")):
        made = _cli("users", "add", role, "--name", f"{role} 사용자", "--department", department, "--role", role,
                    "--password-stdin", stdin=PASSWORD + "\n")
        assert made.returncode == 0, made.stderr
    return app_env


def _sign_in(account: str, password: str = PASSWORD) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="login_id").input(account)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    return at


def _reachable(at: AppTest) -> set[str]:
    reachable = set()
    for page in PAGES:
        try:
            at.switch_page(page)
        except ValueError:
            continue
        reachable.add(page)
    return reachable


def test_login_form_first_and_wrong_password_refused(accounts: pytest.MonkeyPatch) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.text_input(key="login_password") and not at.get("plotly_chart")
    wrong = _sign_in("staff", "not-the-password-1")
    assert any("맞지 않습니다" in e.value for e in wrong.error)
    assert "auth_person" not in wrong.session_state


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_exactly_its_pages(accounts: pytest.MonkeyPatch, role: str) -> None:
    at = _sign_in(role)
    assert not at.exception and at.session_state["auth_person"].role == role
    assert _reachable(at) == EXPECTED[role]


def test_session_expires(accounts: pytest.MonkeyPatch) -> None:
    import time

    staff = Person("staff", "staff 사용자", "서울특별시/행정국/총무과", "staff")
    fresh = AppTest.from_file(APP, default_timeout=60)
    fresh.session_state["auth_person"] = staff
    fresh.session_state["auth_at"] = time.time() - 60
    fresh.run()
    assert not fresh.text_input and fresh.session_state["auth_person"] == staff
    stale = AppTest.from_file(APP, default_timeout=60)
    stale.session_state["auth_person"] = staff
    stale.session_state["auth_at"] = time.time() - 481 * 60  # past SEOULAI_AUTH__SESSION_MINUTES (480)
    stale.run()
    assert any("다시 로그인" in i.value for i in stale.info) and stale.text_input(key="login_password")


def test_sign_ins_are_audited_for_administrators(accounts: pytest.MonkeyPatch) -> None:
    _sign_in("staff", "wrong-password-9")
    at = _sign_in("admin")
    at.switch_page("pages/audit.py").run()
    actions = set(at.dataframe[0].value["동작"])
    assert {"로그인", "로그인 실패"} <= actions


def test_page_opened_directly_without_sign_in_is_refused(accounts: pytest.MonkeyPatch) -> None:
    at = AppTest.from_file(str(Path(APP).parent / "pages" / "manual_search.py"), default_timeout=60).run()
    assert any("로그인이 필요합니다" in w.value for w in at.warning) and not at.chat_input


def test_accounts_cli_refuses_weak_and_duplicate(accounts: pytest.MonkeyPatch) -> None:
    weak = _cli("users", "add", "kim", "--name", "김", "--department", "서울특별시/행정국/총무과",
                "--password-stdin", stdin="1234\n")
    assert weak.returncode == 2 and "10자 이상" in weak.stderr
    dup = _cli("users", "add", "staff", "--name", "x", "--department", "서울특별시/행정국/총무과", "--password-stdin",
               stdin=PASSWORD + "\n")
    assert dup.returncode == 2 and "이미 있는 계정" in dup.stderr
    unknown = _cli("users", "add", "lee", "--name", "이", "--department", "서울특별시/없는국", "--password-stdin",
                   stdin=PASSWORD + "\n")
    assert unknown.returncode == 2 and "조직도" in unknown.stderr
    reset = _cli("users", "reset-password", "staff", "--password-stdin", stdin="new-password-2027\n")
    assert reset.returncode == 0
    assert _sign_in("staff", "new-password-2027").session_state["auth_person"].id == "staff"
    listing = _cli("users", "list")
    assert "password" not in listing.stdout and "staff" in listing.stdout


def test_oidc_configuration_is_validated() -> None:
    good = {"auth": {"redirect_uri": "https://ai.seoul.go.kr/oauth2callback", "cookie_secret": "x" * 40,
                     "client_id": "seoulai", "client_secret": "s3cret",
                     "server_metadata_url": "https://sso.seoul.go.kr/.well-known/openid-configuration"}}
    assert oidc_problems(good) == []
    assert oidc_problems({}) == ["secrets.toml에 [auth] 항목이 없습니다."]
    bad = {"auth": {**good["auth"], "client_secret": "", "cookie_secret": "short",
                    "server_metadata_url": "http://sso.seoul.go.kr/oidc"}}
    problems = " ".join(oidc_problems(bad))
    assert "client_secret" in problems and "32자" in problems and "https" in problems


def test_claims_map_to_a_person_of_the_org_chart() -> None:
    departments = {"서울특별시/행정국/총무과", "서울특별시/행정국"}
    person = person_from_claims({"sub": "u-123", "name": "김서울", "department": "서울특별시/행정국/총무과",
                                 "role": "manager"}, departments)
    assert person == Person("u-123", "김서울", "서울특별시/행정국/총무과", "manager")
    assert person_from_claims({"sub": "u", "department": "서울특별시/행정국", "role": "superuser"},
                              departments).role == "staff"  # unknown roles get the least privilege
    assert person_from_claims({"sub": "u", "dept": "서울특별시/행정국", "grp": "팀장"}, departments, "dept", "grp",
                              {"팀장": "manager"}).role == "manager"
    with pytest.raises(InputError):
        person_from_claims({"sub": "u", "department": "부산광역시"}, departments)
