"""Routes and middleware added to Streamlit's server (see serve.py).

- ``/login`` (GET form, POST check): on success a signed, HttpOnly, SameSite=Lax session cookie and a redirect
  into the app; failures and lockouts are answered in Korean on the same page. The form carries a CSRF token
  (double submit: cookie and field must match). With the city's SSO it shows the way to the identity provider.
- ``/logout`` and Streamlit's ``/auth/logout``: sign out (revoking the session on every server) only when the
  app's own page asked (a same-origin navigation, or the confirmation form posted with its CSRF token); a link
  or an image on another site gets the Korean confirmation instead.
- Every response gets security headers; :mod:`seoulai.web.gate` keeps everything of the app behind sign-in.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from seoulai.auth.oidc import SsoSessions
from seoulai.auth.sessions import COOKIE
from seoulai.errors import SeoulAIError
from seoulai.services import Services
from seoulai.web import login_page

CSRF_COOKIE = "seoulai_csrf"
# Where st.logout() sends the browser: Streamlit's own sign-out (OIDC); the gate answers it first (see sign_out).
STREAMLIT_LOGOUT = "/auth/logout"
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    # Nothing outside this server: a planted image or link in a manual cannot make the browser fetch it. The
    # WebSocket to this same server is covered by 'self' (CSP level 3, every current browser).
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
                               "style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; "
                               "connect-src 'self'; font-src 'self' data:; worker-src 'self' blob:; "
                               "frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
}

ServicesFactory = Callable[[], Services]
# The link that starts the SSO sign-in (Streamlit's /auth/login with its signed provider token); serve.py makes it.
SsoStart = Callable[[], str]


def client_address(request: Request, services: Services) -> str:
    if services.settings.auth.trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()  # the address our own proxy saw
    return request.client.host if request.client else ""


def _safe_next(value: str | None) -> str:
    parts = urlsplit(value or "/")
    if not (value or "").startswith("/") or (value or "").startswith("//") or parts.scheme or parts.netloc:
        return "/"
    return value or "/"


def sso_sessions(services: Services) -> SsoSessions:
    return SsoSessions(services.accounts.sessions.store, services.settings.auth.session_minutes)


def _with_csrf(services: Services, token: str, html: str, path: str, status: int = 200) -> Response:
    """A page whose form carries ``token``; the same token goes in a cookie (double submit)."""
    response = HTMLResponse(html, status_code=status)
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path=path,
                        secure=services.accounts.cookie_secure)
    return response


def _csrf(request: Request) -> str:
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)


def _csrf_ok(request: Request, sent: object) -> bool:
    expected = request.cookies.get(CSRF_COOKIE, "")
    return bool(expected) and secrets.compare_digest(expected, str(sent or ""))


def sso_page(message: str = "", status: int = 200, sso_start: SsoStart | None = None) -> Response:
    try:
        link = sso_start() if sso_start else "/"
    except Exception:  # noqa: BLE001 - Streamlit raises several kinds: missing Authlib, missing [auth] secrets
        link, message, status = "/login", ("통합인증을 시작할 수 없습니다. 관리자는 .streamlit/secrets.toml의 [auth] 설정과 "
                                           "Authlib 설치를 확인하세요."), 503
    return HTMLResponse(login_page.render_sso(link, message), status_code=status)


def routes(get_services: ServicesFactory, sso_start: SsoStart | None = None) -> list[Route]:
    def form(request: Request, message: str = "", account: str = "", status: int = 200) -> Response:
        next_path = _safe_next(request.query_params.get("next") or request.headers.get("x-next"))
        token = _csrf(request)
        return _with_csrf(get_services(), token, login_page.render(token, next_path, account, message), "/login", status)

    async def login(request: Request) -> Response:
        services = get_services()
        if services.accounts.mode == "oidc":
            return sso_page(sso_start=sso_start) if request.method == "GET" else RedirectResponse("/login", 303)
        if services.accounts.mode != "local":
            return RedirectResponse("/", status_code=303)
        if request.method == "GET":
            return form(request)
        data = await request.form()
        account = str(data.get("account", "")).strip()[:100]
        password = str(data.get("password", ""))[:1000]
        if not _csrf_ok(request, data.get("csrf")):
            return form(request, "화면이 오래되었습니다. 다시 로그인해 주세요.", account, status=400)
        try:
            result = await run_in_threadpool(services.accounts.sign_in, account, password,
                                             client_address(request, services))
        except SeoulAIError as error:
            return form(request, error.message, account, status=429)
        if result is None:
            return form(request, "아이디 또는 비밀번호가 맞지 않습니다. 잊었으면 관리자에게 비밀번호 재설정을 요청하세요.",
                        account, status=401)
        response = RedirectResponse(_safe_next(str(data.get("next", "/"))), status_code=303)
        response.set_cookie(COOKIE, result.cookie, max_age=services.settings.auth.session_minutes * 60, httponly=True,
                            samesite="lax", secure=services.accounts.cookie_secure, path="/")
        response.delete_cookie(CSRF_COOKIE, path="/login")
        return response

    return [Route("/login", login, methods=["GET", "POST"])]


async def sign_out(request: Request, services: Services) -> Response | None:
    """Answer /logout or /auth/logout. None: signed out, and Streamlit's own /auth/logout is to clear its SSO
    cookies (and send the browser to the identity provider's sign-out) next.

    A GET signs out only as a same-origin navigation (the app's sign-out button: st.logout() sends the same tab
    to /auth/logout); anything else, an old browser without Fetch Metadata included, gets the confirmation form,
    which posts back with its CSRF token.
    """
    token = _csrf(request)
    if request.method == "POST":
        data = await request.form()
        if not _csrf_ok(request, data.get("csrf")):
            return _with_csrf(services, token, login_page.render_sign_out(
                token, "화면이 오래되었습니다. 로그아웃하려면 아래 버튼을 다시 누르세요."), "/logout", 400)
    elif request.headers.get("sec-fetch-site") != "same-origin":
        return _with_csrf(services, token, login_page.render_sign_out(token), "/logout")
    if services.accounts.mode == "oidc":
        person = await run_in_threadpool(sso_sessions(services).end, request.cookies)
        if person is not None:
            await run_in_threadpool(services.accounts.sign_out, person)
        if request.url.path == STREAMLIT_LOGOUT:
            return None
        response: Response = RedirectResponse(STREAMLIT_LOGOUT, status_code=303)
    else:
        cookie = request.cookies.get(COOKIE)
        person = await run_in_threadpool(services.accounts.session_person, cookie)
        if person is not None:
            await run_in_threadpool(services.accounts.sign_out, person, cookie)
        response = RedirectResponse("/login" if services.accounts.mode == "local" else "/", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/logout")
    return response


class SecurityHeaders:
    """Adds the headers a browser needs to refuse framing, sniffing and outside requests."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()
                            if k.lower().encode() not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
