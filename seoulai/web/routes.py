"""Routes and middleware added to Streamlit's server (see serve.py).

- ``/login`` (GET form, POST check): on success a signed, HttpOnly, SameSite=Lax session cookie and a redirect
  into the app; failures and lockouts are answered in Korean on the same page. The form carries a CSRF token
  (double submit: cookie and field must match).
- ``/logout``: revokes the session on every server and clears the cookie.
- Every response gets security headers; in local sign-in mode a page request without a valid session is sent to
  ``/login`` before any of the app (or its page list) is shown.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from urllib.parse import quote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from seoulai.auth.sessions import COOKIE
from seoulai.errors import SeoulAIError
from seoulai.services import Services
from seoulai.web import login_page

CSRF_COOKIE = "seoulai_csrf"
# Streamlit's own endpoints and assets: never redirected.
RESERVED = ("/_stcore", "/static", "/media", "/component", "/login", "/logout", "/oauth2callback", "/auth/",
            "/favicon", "/app/static")
# Where st.logout() sends the browser; in local mode the gate below answers it as /logout.
STREAMLIT_LOGOUT = "/auth/logout"
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    # Nothing outside this server: a planted image or link in a manual cannot make the browser fetch it.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
                               "style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; "
                               "connect-src 'self' ws: wss:; font-src 'self' data:; worker-src 'self' blob:; "
                               "frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
}

ServicesFactory = Callable[[], Services]


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


def routes(get_services: ServicesFactory) -> list[Route]:
    def form(request: Request, message: str = "", account: str = "", status: int = 200) -> Response:
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        next_path = _safe_next(request.query_params.get("next") or request.headers.get("x-next"))
        response = HTMLResponse(login_page.render(token, next_path, account, message), status_code=status)
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login",
                            secure=get_services().accounts.cookie_secure)
        return response

    async def login(request: Request) -> Response:
        services = get_services()
        if services.accounts.mode != "local":
            return RedirectResponse("/", status_code=303)
        if request.method == "GET":
            return form(request)
        data = await request.form()
        account = str(data.get("account", "")).strip()[:100]
        password = str(data.get("password", ""))[:1000]
        expected = request.cookies.get(CSRF_COOKIE, "")
        if not expected or not secrets.compare_digest(expected, str(data.get("csrf", ""))):
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

    async def logout(request: Request) -> Response:
        return await sign_out(request, get_services())

    return [Route("/login", login, methods=["GET", "POST"]), Route("/logout", logout, methods=["GET"])]


async def sign_out(request: Request, services: Services) -> Response:
    cookie = request.cookies.get(COOKIE)
    person = await run_in_threadpool(services.accounts.session_person, cookie)
    if person is not None:
        await run_in_threadpool(services.accounts.sign_out, person, cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
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


class SignInRedirect:
    """In local sign-in mode, a page request without a valid session goes to /login first."""

    def __init__(self, app: ASGIApp, get_services: ServicesFactory) -> None:
        self.app = app
        self.get_services = get_services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") == "GET":
            request = Request(scope)
            path = request.url.path
            if path == STREAMLIT_LOGOUT and self.get_services().accounts.mode == "local":
                await (await sign_out(request, self.get_services()))(scope, receive, send)
                return
            if (not path.startswith(RESERVED) and "text/html" in request.headers.get("accept", "")
                    and self.get_services().accounts.mode == "local"):
                person = await run_in_threadpool(self.get_services().accounts.session_person,
                                                 request.cookies.get(COOKIE))
                if person is None:
                    target = path + (f"?{request.url.query}" if request.url.query else "")
                    await RedirectResponse(f"/login?next={quote(target)}", status_code=303)(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def middleware(get_services: ServicesFactory) -> list[Middleware]:
    from seoulai.web.korean import KoreanAssets

    return [Middleware(SecurityHeaders), Middleware(SignInRedirect, get_services=get_services),
            Middleware(KoreanAssets)]
