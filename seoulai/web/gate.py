"""The sign-in gate in front of Streamlit: nothing of the app without a valid session.

Streamlit serves one page shell for every page path and sends the page list, the pages and their files over its
WebSocket; it has no notion of our sessions. So, with sign-in on (local or oidc), this middleware checks the
session on every request that can reveal the app: a page path is sent to /login, the WebSocket
(/_stcore/stream) is refused at the handshake, and media (usage exports, downloads), uploads, components, the
host configuration and app static files are answered 403. The check runs on each request against the shared
state store, so it holds from the first request after a start and on every server. Streamlit's metrics are never
served. Open: the sign-in and sign-out pages, the SSO round trip, health checks and Streamlit's JS/CSS bundles.

With the city's SSO, Streamlit's own /oauth2callback sets its identity cookie; the gate records that cookie as
a server-side session of the person (:class:`seoulai.auth.oidc.SsoSessions`) or, for someone the org chart does
not know, refuses it there.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocketClose

from seoulai.auth.oidc import identity_claims, identity_cookies
from seoulai.auth.people import Person
from seoulai.auth.sessions import COOKIE
from seoulai.errors import SeoulAIError
from seoulai.services import Services
from seoulai.web.korean import KoreanAssets
from seoulai.web.routes import (STREAMLIT_LOGOUT, SecurityHeaders, ServicesFactory, SsoStart, sign_out, sso_page,
                                sso_sessions)

# Exact paths (a prefix such as "/login" would also open "/loginx", for which Streamlit serves the page shell).
OPEN = {"/login", "/_stcore/health", "/favicon.png", "/favicon.ico", "/auth/login"}
OPEN_UNDER = "/static/"  # Streamlit's JS/CSS bundles: the same for everyone, nothing of this deployment
NEVER = ("/_stcore/metrics",)
# Parts of the app a page fetches, not pages: answered 403 instead of a redirect to the sign-in page.
PARTS = ("/_stcore/", "/media/", "/component/", "/app/static/")
CALLBACK = "/oauth2callback"


def signed_in(services: Services, cookies: dict[str, str]) -> Person | None:
    """The person of this request's session, checked against the state store now."""
    if services.accounts.mode == "oidc":
        return sso_sessions(services).person(cookies)
    return services.accounts.session_person(cookies.get(COOKIE))


class SignInGate:
    def __init__(self, app: ASGIApp, get_services: ServicesFactory, sso_start: SsoStart | None = None) -> None:
        self.app = app
        self.get_services = get_services
        self.sso_start = sso_start

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        if path.startswith(NEVER):
            await PlainTextResponse("찾을 수 없습니다.", status_code=404)(scope, receive, send)
            return
        if path in OPEN or path.startswith(OPEN_UNDER):
            await self.app(scope, receive, send)
            return
        # In a worker thread: the first call builds the services (seconds), which must not hold up the event loop.
        services = await run_in_threadpool(self.get_services)
        mode = services.accounts.mode
        if scope["type"] == "http" and path in ("/logout", STREAMLIT_LOGOUT):
            answer = await sign_out(Request(scope, receive), services)
            await (answer or self.app)(scope, receive, send)
            return
        if scope["type"] == "http" and path == CALLBACK and mode == "oidc":
            await self._callback(scope, receive, send, services)
            return
        if mode == "none" or path == CALLBACK:
            await self.app(scope, receive, send)
            return
        if await run_in_threadpool(signed_in, services, HTTPConnection(scope).cookies) is not None:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await WebSocketClose(code=1008)(scope, receive, send)  # before accept: the handshake gets 403
        elif path.startswith(PARTS):
            await PlainTextResponse("로그인이 필요합니다. 로그인한 뒤 다시 시도하세요.", status_code=403)(scope, receive, send)
        else:
            query = scope.get("query_string", b"").decode("latin-1")
            target = path + (f"?{query}" if query else "")
            await RedirectResponse(f"/login?next={quote(target)}", status_code=303)(scope, receive, send)

    async def _callback(self, scope: Scope, receive: Receive, send: Send, services: Services) -> None:
        """Streamlit's OIDC callback, then: record the identity cookie it set, or refuse the person."""
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, keep)
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        cookies: dict[str, str] = {}
        for name, value in (start or {}).get("headers", []):
            if name.lower() == b"set-cookie":
                cookies.update({k: m.value for k, m in SimpleCookie(value.decode("latin-1")).items()})
        if identity_cookies(cookies):
            try:
                person = await run_in_threadpool(services.accounts.sign_in_oidc, identity_claims(cookies))
            except SeoulAIError as error:
                refused = sso_page(error.message, 403, self.sso_start)
                for name, _ in identity_cookies(cookies):
                    refused.delete_cookie(name, path="/")
                await refused(scope, receive, send)
                return
            await run_in_threadpool(sso_sessions(services).bind, cookies, person)
        for message in messages:
            await send(message)


def middleware(get_services: ServicesFactory, sso_start: SsoStart | None = None) -> list[Middleware]:
    """The app's middleware, outermost first: security headers, the sign-in gate, the Korean assets."""
    return [Middleware(SecurityHeaders), Middleware(SignInGate, get_services=get_services, sso_start=sso_start),
            Middleware(KoreanAssets)]
