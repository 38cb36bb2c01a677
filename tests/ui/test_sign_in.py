"""Sign-in inside the app: nothing before sign-in, each role sees exactly its pages, revoked sessions end,
the accounts CLI; OIDC configuration. (The /login form itself is tested over HTTP in test_web_sign_in.py.)"""

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
from seoulai.ui.login import TEST_COOKIE
from tests.ui.conftest import APP

PAGES = ["views/home.py", "views/manual_search.py", "views/doc_qa.py", "views/drafting.py", "views/library.py",
         "views/accounts.py", "views/usage.py", "views/rollout.py", "views/audit.py"]
EVERYONE = {"views/home.py", "views/manual_search.py", "views/doc_qa.py", "views/drafting.py"}
EXPECTED = {
    "staff": EVERYONE,
    # A 부서 관리자 keeps the unit's collections and accounts and sees the unit's usage roll-up (issue #34).
    "dept_admin": EVERYONE | {"views/library.py", "views/accounts.py", "views/usage.py"},
    "manager": EVERYONE | {"views/usage.py"},
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


def _signed_in(account: str, password: str = PASSWORD) -> AppTest:
    """The app as the browser sees it after /login set the session cookie (AppTest cannot send cookies)."""
    from seoulai.ui import get_services

    result = get_services().accounts.sign_in(account, password)
    assert result is not None
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[TEST_COOKIE] = result.cookie
    return at.run()


def _reachable(at: AppTest) -> set[str]:
    reachable = set()
    for page in PAGES:
        try:
            at.switch_page(page)
        except ValueError:
            continue
        reachable.add(page)
    return reachable


def test_before_sign_in_nothing_but_the_way_in(accounts: pytest.MonkeyPatch) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and _reachable(at) == set()  # no page, not even its name, before sign-in
    assert any("로그인이 필요합니다" in i.value for i in at.info) and not at.chat_input and not at.sidebar.markdown


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_exactly_its_pages(accounts: pytest.MonkeyPatch, role: str) -> None:
    at = _signed_in(role)
    assert not at.exception and at.session_state["auth_person"].role == role
    assert _reachable(at) == EXPECTED[role]


def test_a_revoked_or_forged_session_signs_out(accounts: pytest.MonkeyPatch) -> None:
    from seoulai.ui import get_services

    services = get_services()
    result = services.accounts.sign_in("staff", PASSWORD)
    assert result is not None
    services.accounts.sign_out(result.person, result.cookie)
    for cookie in (result.cookie, result.cookie[:-2] + "xx"):
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state[TEST_COOKIE] = cookie
        at.run()
        assert "auth_person" not in at.session_state and _reachable(at) == set()


def test_sign_ins_are_audited_for_administrators(accounts: pytest.MonkeyPatch) -> None:
    from seoulai.ui import get_services

    assert get_services().accounts.sign_in("staff", "wrong-password-9") is None
    at = _signed_in("admin")
    at.switch_page("views/audit.py").run()
    actions = set(at.dataframe[0].value["동작"])
    assert {"로그인", "로그인 실패"} <= actions


def test_page_opened_directly_without_sign_in_is_refused(accounts: pytest.MonkeyPatch) -> None:
    at = AppTest.from_file(str(Path(APP).parent / "views" / "manual_search.py"), default_timeout=60).run()
    assert any("로그인이 필요합니다" in w.value for w in at.warning) and not at.chat_input


def test_accounts_cli_refuses_weak_long_and_duplicate(accounts: pytest.MonkeyPatch) -> None:
    from seoulai.ui import get_services

    weak = _cli("users", "add", "kim", "--name", "김", "--department", "서울특별시/행정국/총무과",
                "--password-stdin", stdin="1234\n")
    assert weak.returncode == 2 and "10자 이상" in weak.stderr
    long = _cli("users", "add", "park", "--name", "박", "--department", "서울특별시/행정국/총무과",
                "--password-stdin", stdin="가" * 29 + "1\n")  # 88 bytes: over bcrypt's 72
    assert long.returncode == 2 and "72바이트" in long.stderr and "Traceback" not in long.stderr
    dup = _cli("users", "add", "staff", "--name", "x", "--department", "서울특별시/행정국/총무과", "--password-stdin",
               stdin=PASSWORD + "\n")
    assert dup.returncode == 2 and "이미 있는 계정" in dup.stderr
    unknown = _cli("users", "add", "lee", "--name", "이", "--department", "서울특별시/없는국", "--password-stdin",
                   stdin=PASSWORD + "\n")
    assert unknown.returncode == 2 and "조직도" in unknown.stderr
    reset = _cli("users", "reset-password", "staff", "--password-stdin", stdin="new-password-2027\n")
    assert reset.returncode == 0
    assert get_services().accounts.sign_in("staff", "new-password-2027") is not None
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
