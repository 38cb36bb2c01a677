"""What the real server shows before sign-in and after sign-out: nothing of the app (no page shell, no WebSocket,
no media, no metrics) without a valid session; sign-out only on the person's own request (no sign-out CSRF);
a CSP that lets the browser connect to this server only."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.fakes.oidc_provider import FakeIdentityProvider
from tests.servers import app_server, clean_env, cli, free_port

PASSWORD = "pilot-pass-2026"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("exposure")
    env = clean_env(SEOULAI_DATA_DIR=str(work / "data"), SEOULAI_INDEX_DIR=str(work / "idx"),
                    SEOULAI_AUTH__MODE="local", SEOULAI_EMBED__BACKEND="none", SEOULAI_LLM__BACKEND="none")
    made = cli(env, "users", "add", "kim", "--name", "김주무관", "--department", "서울특별시/행정국/총무과",
               "--password-stdin", stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    log = work / "server.log"
    with app_server(env, log=log) as url:
        yield url
    assert "Traceback" not in log.read_text()


def _sign_in(url: str) -> str:
    """A fresh session; returns its Cookie header value."""
    with httpx.Client(base_url=url, timeout=30) as client:
        form = client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf
        signed = client.post("/login", data={"csrf": csrf.group(1), "account": "kim", "password": PASSWORD})
        assert signed.status_code == 303
        return f"seoulai_session={client.cookies['seoulai_session']}"


def _signed_in(url: str, cookie: str) -> bool:
    return httpx.get(f"{url}/", headers={**HTML, "Cookie": cookie}, timeout=30).status_code == 200


def _websocket_opens(url: str, cookie: str = "") -> bool:
    stream = url.replace("http://", "ws://") + "/_stcore/stream"
    try:
        with connect(stream, subprotocols=["streamlit"], open_timeout=30,  # type: ignore[list-item]  # a NewType
                     additional_headers={"Cookie": cookie} if cookie else {}):
            return True
    except InvalidStatus as refused:
        assert refused.response.status_code == 403
        return False


def test_first_anonymous_visitor_after_start_gets_the_sign_in_page(server: str) -> None:
    # The first requests this server ever answers: a page route, however the browser asks for it.
    for headers in (HTML, {"Accept": "*/*"}, {}):
        first = httpx.get(f"{server}/home", headers=headers, timeout=30)
        assert first.status_code == 303 and first.headers["location"] == "/login?next=/home", headers
        assert "<html" not in first.text.lower()
    assert not _websocket_opens(server)
    # Paths next to the open ones are pages like any other (Streamlit serves its shell for any unknown path).
    for path in ("/loginx", "/favicon.pngx", "/static"):
        assert httpx.get(f"{server}{path}", timeout=30).status_code == 303, path


def test_media_downloads_need_a_session(server: str) -> None:
    # Usage exports and draft downloads are served from /media/<id>: whoever holds the link got the file.
    anonymous = httpx.get(f"{server}/media/0123456789abcdef.csv", timeout=30)
    assert anonymous.status_code == 403 and "로그인" in anonymous.text
    cookie = _sign_in(server)
    # With a session the request reaches Streamlit's media store (which has no such file).
    assert httpx.get(f"{server}/media/0123456789abcdef.csv", headers={"Cookie": cookie}, timeout=30).status_code == 404


def test_no_websocket_and_no_app_parts_before_sign_in(server: str) -> None:
    assert not _websocket_opens(server)  # the page list travels over it: refused at the handshake
    for path in ("/_stcore/host-config", "/app/static/x", "/component/x/index.html",
                 "/_stcore/upload_file/s/f"):
        answer = httpx.get(f"{server}{path}", timeout=30)
        assert answer.status_code in (401, 403), (path, answer.status_code)
        assert "로그인" in answer.text
    cookie = _sign_in(server)
    assert _websocket_opens(server, cookie)  # the same requests pass with a session
    assert httpx.get(f"{server}/_stcore/host-config", headers={"Cookie": cookie}, timeout=30).status_code == 200
    assert httpx.get(f"{server}/_stcore/health", timeout=30).text == "ok"  # health checks stay open


def test_metrics_are_not_served(server: str) -> None:
    cookie = _sign_in(server)
    for headers in ({}, {"Cookie": cookie}):
        answer = httpx.get(f"{server}/_stcore/metrics", headers=headers, timeout=30)
        assert answer.status_code == 404 and "session_events" not in answer.text


def test_csp_lets_the_browser_connect_to_this_server_only(server: str) -> None:
    policy = httpx.get(f"{server}/login", timeout=30).headers["content-security-policy"]
    connect_src = re.search(r"connect-src ([^;]*)", policy)
    assert connect_src and connect_src.group(1).strip() == "'self'"


def test_sign_out_only_on_the_persons_own_request(server: str) -> None:
    cookie = _sign_in(server)
    for path in ("/logout", "/auth/logout"):  # a link or an <img> on another site
        for site in ({"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}, {}):
            forged = httpx.get(f"{server}{path}", headers={**HTML, **site, "Cookie": cookie}, timeout=30)
            assert forged.status_code == 200 and "로그아웃할까요?" in forged.text, (path, site)
            assert _signed_in(server, cookie), (path, site)
    with httpx.Client(base_url=server, timeout=30, headers={"Cookie": cookie}) as client:
        assert client.post("/logout", data={"csrf": "guess"}).status_code == 400
        assert _signed_in(server, cookie)
        form = client.get("/logout")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf
        done = client.post("/logout", data={"csrf": csrf.group(1)},
                           headers={"Cookie": f"{cookie}; seoulai_csrf={client.cookies['seoulai_csrf']}"})
        assert done.status_code == 303 and done.headers["location"] == "/login"
    assert not _signed_in(server, cookie)


def test_the_apps_own_sign_out_still_works(server: str) -> None:
    # st.logout() sends the same tab to /auth/logout: a same-origin navigation.
    cookie = _sign_in(server)
    answer = httpx.get(f"{server}/auth/logout", headers={**HTML, "Sec-Fetch-Site": "same-origin", "Cookie": cookie},
                       timeout=30)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert not _signed_in(server, cookie)


# -- the city's SSO (st.login) ---------------------------------------------------------------------------------
CLIENT_ID = "seoulai-pilot"
COOKIE_SECRET = "sso-cookie-secret-for-tests-0123456789abcdef"


@pytest.fixture(scope="module")
def sso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, FakeIdentityProvider, Path]]:
    work = tmp_path_factory.mktemp("sso")
    port = free_port()
    with FakeIdentityProvider(CLIENT_ID) as provider:
        # Streamlit reads ~/.streamlit/secrets.toml: a home of the test's own, so the repository's is not touched.
        (work / ".streamlit").mkdir()
        (work / ".streamlit" / "secrets.toml").write_text(
            f'[auth]\nredirect_uri = "http://127.0.0.1:{port}/oauth2callback"\ncookie_secret = "{COOKIE_SECRET}"\n'
            f'client_id = "{CLIENT_ID}"\nclient_secret = "client-secret"\n'
            f'server_metadata_url = "{provider.url}/.well-known/openid-configuration"\n')
        env = clean_env(HOME=str(work), SEOULAI_DATA_DIR=str(work / "data"), SEOULAI_INDEX_DIR=str(work / "idx"),
                        SEOULAI_AUTH__MODE="oidc", SEOULAI_AUTH__SESSION_MINUTES="30",
                        SEOULAI_EMBED__BACKEND="none", SEOULAI_LLM__BACKEND="none")
        log = work / "server.log"
        with app_server(env, port=port, log=log) as url:
            yield url, provider, work / "data" / "state.sqlite"
        assert "Traceback" not in log.read_text()


def _provider_token() -> str:
    """What st.login() puts in its /auth/login link: Streamlit's short-lived, signed provider token."""
    return jwt.encode({"alg": "HS256"}, {"provider": "default", "exp": int(time.time()) + 120},
                      OctKey.import_key(COOKIE_SECRET))


def _sso_sign_in(url: str, provider: FakeIdentityProvider, code: str, department: str) -> httpx.Response:
    """The SSO round trip up to the app's /oauth2callback answer; returns that answer."""
    with httpx.Client(base_url=url, timeout=30) as client:
        start = client.get(f"/auth/login?provider={_provider_token()}")
        assert start.status_code == 302 and start.headers["location"].startswith(provider.url), start.text
        query = parse_qs(urlsplit(start.headers["location"]).query)
        provider.issue(code, query["nonce"][0], sub=f"{code}@seoul.go.kr", name="최주무관", department=department)
        return client.get("/oauth2callback", params={"code": code, "state": query["state"][0]})


def _identity(answer: httpx.Response) -> str:
    cookies = [c.split(";")[0] for c in answer.headers.get_list("set-cookie") if c.startswith("_streamlit_user=")]
    assert cookies and cookies[0] != '_streamlit_user=""', answer.headers
    return cookies[0]


def test_sso_sign_out_ends_the_identity_on_the_server(sso: tuple[str, FakeIdentityProvider, Path]) -> None:
    url, provider, state = sso
    identity = _identity(_sso_sign_in(url, provider, "code-1", "서울특별시/행정국/총무과"))
    assert _signed_in(url, identity) and _websocket_opens(url, identity)
    signed_out = httpx.get(f"{url}/auth/logout", headers={**HTML, "Sec-Fetch-Site": "same-origin", "Cookie": identity},
                           timeout=30)
    assert signed_out.status_code in (302, 303)
    # A copy of the identity cookie kept from before the sign-out opens nothing, on any server.
    replay = httpx.get(f"{url}/home", headers={**HTML, "Cookie": identity}, timeout=30)
    assert replay.status_code == 303 and replay.headers["location"].startswith("/login")
    assert not _websocket_opens(url, identity)
    # The identity lasts the configured minutes (30 here), not Streamlit's 30 days.
    with sqlite3.connect(state) as db:
        lifetimes = [r[0] for r in db.execute("SELECT expires_at - created_at FROM sessions WHERE token_hash LIKE 'sso:%'")]
    assert lifetimes and all(abs(life - 30 * 60) < 5 for life in lifetimes)
    page = httpx.get(f"{url}/login", timeout=30)  # the way in, without the app
    assert "서울시 통합인증으로 로그인" in page.text and 'href="/auth/login?provider=' in page.text


def test_sso_person_outside_the_org_chart_is_refused_at_the_door(sso: tuple[str, FakeIdentityProvider, Path]) -> None:
    url, provider, _ = sso
    answer = _sso_sign_in(url, provider, "code-2", "서울특별시/없는국/없는과")
    assert answer.status_code == 403 and "조직도에서 부서를 찾을 수 없습니다" in answer.text
    identities = [c.split(";")[0] for c in answer.headers.get_list("set-cookie") if c.startswith("_streamlit_user=")]
    assert not any(_signed_in(url, cookie) for cookie in identities)
