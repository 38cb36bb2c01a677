"""The /login form of the real server: HttpOnly session cookie, CSRF, per-account and per-client lockout,
passwords over bcrypt's 72 bytes, sign-out revoking the session, no open redirect, nothing before sign-in."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import app_server, clean_env, cli

PASSWORD = "pilot-pass-2026"
LOCK_SECONDS = 10  # the eight failed sign-ins of the client test (bcrypt each) must fit in one window, even on busy cores


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    work = tmp_path_factory.mktemp("web")
    env = clean_env(SEOULAI_DATA_DIR=str(work / "data"), SEOULAI_INDEX_DIR=str(work / "idx"),
                    SEOULAI_AUTH__MODE="local", SEOULAI_EMBED__BACKEND="none", SEOULAI_LLM__BACKEND="none",
                    SEOULAI_AUTH__LOCKOUT_ATTEMPTS="3", SEOULAI_AUTH__CLIENT_ATTEMPTS="8",
                    SEOULAI_AUTH__LOCKOUT_MINUTES=str(LOCK_SECONDS / 60))
    for account in ("kim", "lee", "park", "choi", "jung"):
        made = cli(env, "users", "add", account, "--name", account, "--department", "서울특별시/행정국/총무과",
                   "--password-stdin", stdin=PASSWORD + "\n")
        assert made.returncode == 0, made.stderr
    log = work / "server.log"
    with app_server(env, log=log) as url:
        yield url, work / "data" / "state.sqlite"
    assert "Traceback" not in log.read_text()


def _client(url: str, address: str = "") -> httpx.Client:
    return httpx.Client(base_url=url, timeout=30, follow_redirects=False)


def _post(client: httpx.Client, account: str, password: str, next_path: str = "/") -> httpx.Response:
    form = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf
    return client.post("/login", data={"csrf": csrf.group(1), "account": account, "password": password,
                                       "next": next_path})


def test_nothing_of_the_app_before_sign_in(server: tuple[str, Path]) -> None:
    url, _ = server
    with _client(url) as client:
        first = client.get("/", headers={"Accept": "text/html"})
        assert first.status_code == 303 and first.headers["location"] == "/login?next=/"
        assert first.text == ""  # not the app shell, not a page list
        page = client.get("/login")
        assert page.status_code == 200 and "아이디" in page.text and "비밀번호" in page.text
        assert "매뉴얼 관리" not in page.text and "감사 기록" not in page.text and "Upload" not in page.text


def test_sign_in_sets_an_httponly_cookie_and_sign_out_revokes_it(server: tuple[str, Path]) -> None:
    url, _ = server
    with _client(url) as client:
        signed = _post(client, "kim", PASSWORD, "/manual_search")
        assert signed.status_code == 303 and signed.headers["location"] == "/manual_search"
        cookie = signed.headers["set-cookie"]
        assert "seoulai_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
        assert client.get("/", headers={"Accept": "text/html"}).status_code == 200
        client.get("/logout", headers={"Sec-Fetch-Site": "same-origin"})  # the app's own sign-out (see test_web_exposure)
        stale = httpx.get(f"{url}/", headers={"Accept": "text/html", "Cookie": cookie.split(";")[0]},
                          follow_redirects=False)
        assert stale.status_code == 303  # the old cookie no longer opens the app, on any server


def test_form_needs_its_csrf_token_and_refuses_outside_redirects(server: tuple[str, Path]) -> None:
    url, _ = server
    with _client(url) as client:
        forged = client.post("/login", data={"account": "kim", "password": PASSWORD, "csrf": "guess"})
        assert forged.status_code == 400 and "다시 로그인" in forged.text
        for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
            signed = _post(client, "kim", PASSWORD, target)
            assert signed.status_code == 303 and not signed.headers["location"].startswith(("//", "http", "/\\"))


def test_long_hangul_password_is_a_wrong_password_not_a_crash(server: tuple[str, Path]) -> None:
    url, _ = server
    with _client(url) as client:
        answer = _post(client, "lee", "가" * 30)  # 90 bytes, over bcrypt's 72
        assert answer.status_code == 401 and "맞지 않습니다" in answer.text


def test_account_lockout_with_message_audit_and_expiry(server: tuple[str, Path]) -> None:
    url, state = server
    with _client(url) as client:
        for _ in range(3):
            assert _post(client, "park", "wrong-pass-000").status_code == 401
        locked = _post(client, "park", PASSWORD)  # even the right password waits out the lockout
        assert locked.status_code == 429 and "로그인 실패가 너무 많아" in locked.text and "분 뒤" in locked.text
        assert _post(client, "choi", PASSWORD).status_code == 303  # other accounts are not locked
        with sqlite3.connect(state) as db:
            actions = [r[0] for r in db.execute("SELECT action FROM audit ORDER BY ts")]
        assert actions.count("sign_in_failed") >= 3 and "sign_in_locked" in actions
        time.sleep(LOCK_SECONDS + 0.5)
        assert _post(client, "park", PASSWORD).status_code == 303


def test_client_lockout_across_accounts(server: tuple[str, Path]) -> None:
    url, _ = server
    time.sleep(LOCK_SECONDS + 0.5)  # earlier tests' failures from this client have expired
    with _client(url) as client:
        for account in ("jung", "lee", "kim", "choi", "nobody1", "nobody2", "nobody3", "nobody4"):
            assert _post(client, account, "wrong-pass-111").status_code == 401
        assert _post(client, "jung", PASSWORD).status_code == 429  # this client is locked, whatever the account
