"""A password reset or a disabled account ends that person's open sessions at once, on every server; a disabled
account cannot sign in (in Korean, and only to whoever knows its password); the ``users`` commands say what
happened in Korean with the contract's exit codes; every change is an audit event."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from seoulai.auth.accounts import Accounts
from seoulai.auth.people import Person
from seoulai.auth.sessions import COOKIE, Sessions
from seoulai.state import db as state_db
from seoulai.state import open_state
from seoulai.state.migrations import MIGRATIONS
from tests.servers import app_server, clean_env, cli

PASSWORD = "pilot-pass-2026"
NEW_PASSWORD = "changed-pass-2027"
GENERAL = "서울특별시/행정국/총무과"


# -- the store and the sessions, on both backends ---------------------------------------------------------------
def _person(account: str) -> Person:
    return Person(account, account, GENERAL)


def test_reset_and_disable_end_the_sessions_on_every_server(tmp_path: Path, state_url: str | None) -> None:
    one, two = open_state(state_url, tmp_path, "one"), open_state(state_url, tmp_path, "two")
    accounts = Accounts(one.accounts)
    for account in ("kim", "lee"):
        accounts.add(account, account, GENERAL, "staff", PASSWORD)
    on_one, on_two = Sessions(one.sessions, "secret", 60), Sessions(two.sessions, "secret", 60)
    kim = [on_one.open(_person("kim")), on_two.open(_person("kim"))]
    lee = on_one.open(_person("lee"))
    assert all(s.person(c) == _person("kim") for s in (on_one, on_two) for c in kim)

    ended = Accounts(two.accounts).reset_password("kim", NEW_PASSWORD)  # the other server resets it
    assert [s.person(c) for s in (on_one, on_two) for c in kim] == [None] * 4
    assert ended == 2
    assert on_two.person(lee) == _person("lee")  # nobody else is signed out

    assert Accounts(two.accounts).set_disabled("lee", True) == (True, 1)
    assert on_one.person(lee) is None and on_two.person(lee) is None
    assert Accounts(one.accounts).set_disabled("lee", True) == (False, 0)  # already disabled: nothing changes
    assert [(a.id, a.disabled) for a in accounts.list()] == [("kim", False), ("lee", True)]
    verified = accounts.verify("lee", PASSWORD)
    assert verified is not None and verified.disabled  # the password is right, and the account is disabled
    assert accounts.verify("lee", "wrong-pass-000") is None
    assert accounts.set_disabled("lee", False) == (True, 0)
    assert on_one.person(lee) is None  # enabling again does not bring an ended session back
    one.close()
    two.close()


def test_a_sign_in_checked_before_a_reset_opens_no_session(tmp_path: Path, state_url: str | None) -> None:
    """bcrypt takes a while: a sign-in with the old password that was being checked while the administrator reset
    it (or disabled the account) must not come out with a session the reset could not end."""
    state = open_state(state_url, tmp_path, "one")
    accounts, sessions = Accounts(state.accounts), Sessions(state.sessions, "secret", 60)
    accounts.add("kim", "kim", GENERAL, "staff", PASSWORD)
    accounts.add("lee", "lee", GENERAL, "staff", PASSWORD)
    before_reset, before_disable = accounts.verify("kim", PASSWORD), accounts.verify("lee", PASSWORD)
    assert before_reset is not None and before_disable is not None
    accounts.reset_password("kim", NEW_PASSWORD)
    accounts.set_disabled("lee", True)
    assert sessions.open_if_current(before_reset.person, before_reset.stamp) is None
    assert sessions.open_if_current(before_disable.person, before_disable.stamp) is None
    fresh = accounts.verify("kim", NEW_PASSWORD)
    assert fresh is not None and sessions.person(sessions.open_if_current(fresh.person, fresh.stamp)) == fresh.person
    state.close()


def test_sessions_of_an_earlier_version_end_once_on_upgrade(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sessions stored before accounts could be disabled name no account, so no reset could reach them: the
    migration ends them (everyone signs in once more after the upgrade)."""
    monkeypatch.setattr(state_db, "MIGRATIONS", MIGRATIONS[:2])
    old = open_state(None, tmp_path, "old")
    old.db.run("INSERT INTO accounts VALUES ('kim', 'kim', ?, 'staff', 'x', '2026-01-01')", [GENERAL])
    old.db.run("INSERT INTO sessions VALUES ('h1', ?, 0, ?, 0)", [json.dumps(_person("kim").to_json()),
                                                                time.time() + 600])
    assert old.sessions.get("h1") is not None
    old.close()
    monkeypatch.setattr(state_db, "MIGRATIONS", MIGRATIONS)
    new = open_state(None, tmp_path, "new")
    assert new.sessions.get("h1") is None
    assert [(a.id, a.disabled) for a in new.accounts.all()] == [("kim", False)]
    new.close()


# -- the real servers and the command line -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], list[str], Path]]:
    """Two app servers on one state store (as behind a load balancer), and the accounts kim, lee, park."""
    work = tmp_path_factory.mktemp("lifecycle")
    env = clean_env(SEOULAI_DATA_DIR=str(work / "data"), SEOULAI_INDEX_DIR=str(work / "idx"),
                    SEOULAI_AUTH__MODE="local", SEOULAI_EMBED__BACKEND="none", SEOULAI_LLM__BACKEND="none",
                    SEOULAI_USAGE__ENABLED="false")
    for account in ("kim", "lee", "park"):
        made = cli(env, "users", "add", account, "--name", account, "--department", GENERAL, "--password-stdin",
                   stdin=PASSWORD + "\n")
        assert made.returncode == 0, made.stderr
    logs = [work / "one.log", work / "two.log"]
    with app_server(env, log=logs[0]) as one, app_server(env, log=logs[1]) as two:
        yield env, [one, two], work / "data" / "state.sqlite"
    for log in logs:
        assert "Traceback" not in log.read_text()


def _sign_in(url: str, account: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=30, follow_redirects=False) as client:
        form = client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf
        return client.post("/login", data={"csrf": csrf.group(1), "account": account, "password": password})


def _cookie(url: str, account: str, password: str = PASSWORD) -> str:
    signed = _sign_in(url, account, password)
    assert signed.status_code == 303, signed.text
    found = re.search(rf"{COOKIE}=([^;]+)", signed.headers["set-cookie"])
    assert found
    return found.group(1)


def _opens_the_app(url: str, cookie: str) -> bool:
    page = httpx.get(f"{url}/", headers={"Accept": "text/html", "Cookie": f"{COOKIE}={cookie}"}, timeout=30,
                     follow_redirects=False)
    assert page.status_code in (200, 303)
    return page.status_code == 200


def _actions(state: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(state) as db:
        rows = [(r[0], r[1]) for r in db.execute("SELECT action, target FROM audit ORDER BY ts")]
    db.close()
    return rows


def test_password_reset_signs_the_person_out_on_every_server(servers: tuple[dict[str, str], list[str], Path]) -> None:
    env, urls, state = servers
    cookies = [_cookie(urls[0], "kim"), _cookie(urls[1], "kim")]
    other = _cookie(urls[0], "park")
    assert all(_opens_the_app(url, c) for url in urls for c in cookies)  # one store: every server knows them

    reset = cli(env, "users", "reset-password", "kim", "--password-stdin", stdin=NEW_PASSWORD + "\n")
    assert reset.returncode == 0 and "비밀번호를 바꿨습니다: kim" in reset.stdout
    assert not any(_opens_the_app(url, c) for url in urls for c in cookies)  # the old cookies open nothing
    assert "로그인 2개" in reset.stdout  # says what it ended
    assert _opens_the_app(urls[1], other)  # other people stay signed in
    assert _sign_in(urls[0], "kim", PASSWORD).status_code == 401
    assert _opens_the_app(urls[1], _cookie(urls[1], "kim", NEW_PASSWORD))
    assert ("password_reset", "kim (로그인 2개 종료)") in _actions(state)


def test_disabled_account_is_signed_out_and_cannot_sign_in(servers: tuple[dict[str, str], list[str], Path]) -> None:
    env, urls, state = servers
    cookie = _cookie(urls[1], "lee")
    disabled = cli(env, "users", "disable", "lee")
    assert disabled.returncode == 0 and "사용 중지했습니다: lee" in disabled.stdout and "로그인 1개" in disabled.stdout
    assert not _opens_the_app(urls[0], cookie) and not _opens_the_app(urls[1], cookie)

    refused = _sign_in(urls[0], "lee", PASSWORD)
    assert refused.status_code != 303 and COOKIE not in refused.headers.get("set-cookie", "")
    assert "사용이 중지된 계정" in refused.text and "관리자" in refused.text
    wrong = _sign_in(urls[0], "lee", "wrong-pass-000")  # without the password nobody learns it is disabled
    assert wrong.status_code == 401 and "사용이 중지된" not in wrong.text

    listed = json.loads(cli(env, "users", "list", "--json").stdout)
    assert {u["id"]: u["disabled"] for u in listed} == {"kim": False, "lee": True, "park": False}
    assert re.search(r"^lee\t.*\t사용 중지$", cli(env, "users", "list").stdout, re.M)
    again = cli(env, "users", "disable", "lee")
    assert again.returncode == 0 and "이미 사용 중지된 계정입니다: lee" in again.stdout

    enabled = cli(env, "users", "enable", "lee")
    assert enabled.returncode == 0 and "다시 사용할 수 있게 했습니다: lee" in enabled.stdout
    assert not _opens_the_app(urls[0], cookie)  # the ended session stays ended
    assert _opens_the_app(urls[0], _cookie(urls[0], "lee"))
    actions = _actions(state)
    assert ("account_disabled", "lee (로그인 1개 종료)") in actions and ("account_enabled", "lee") in actions
    assert ("sign_in_disabled", "local") in actions
    assert [a for a, _ in actions].count("account_disabled") == 1  # disabling twice changed nothing the second time


def test_users_commands_exit_codes_and_korean_messages(servers: tuple[dict[str, str], list[str], Path]) -> None:
    env, _, _ = servers
    for command in (["disable", "nobody"], ["enable", "nobody"]):
        missing = cli(env, "users", *command)
        assert missing.returncode == 2 and "없는 계정입니다: nobody" in missing.stderr and "users list" in missing.stderr
    reset = cli(env, "users", "reset-password", "nobody", "--password-stdin", stdin=NEW_PASSWORD + "\n")
    assert reset.returncode == 2 and "없는 계정입니다: nobody" in reset.stderr
    weak = cli(env, "users", "reset-password", "park", "--password-stdin", stdin="short\n")
    assert weak.returncode == 2 and "10자 이상" in weak.stderr
    bare = cli(env, "users", "disable")
    assert bare.returncode == 2 and "명령을 잘못 입력했습니다" in bare.stderr
