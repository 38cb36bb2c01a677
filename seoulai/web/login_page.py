"""The sign-in, SSO and sign-out pages: plain server-rendered HTML (no script), every value HTML-escaped."""

from __future__ import annotations

from html import escape

PAGE = """<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · 서울시 행정 AI 도우미</title>
<style>
body {{ font-family: "Noto Sans CJK KR", "Malgun Gothic", sans-serif; background: #f4f6f9; margin: 0; }}
main {{ max-width: 380px; margin: 10vh auto; background: #fff; padding: 2rem; border-radius: 10px;
        box-shadow: 0 1px 4px rgba(0,0,0,.12); }}
h1 {{ font-size: 1.35rem; margin: 0 0 1.25rem; }}
label {{ display: block; margin: .9rem 0 .3rem; font-weight: 600; }}
input[type=text], input[type=password] {{ width: 100%; box-sizing: border-box; padding: .6rem; font-size: 1rem;
        border: 1px solid #8a94a6; border-radius: 6px; }}
button, a.button {{ display: block; box-sizing: border-box; margin-top: 1.4rem; width: 100%; padding: .7rem;
        font-size: 1rem; background: #0050A0; color: #fff; border: 0; border-radius: 6px; cursor: pointer;
        text-align: center; text-decoration: none; }}
button:focus, input:focus, a:focus {{ outline: 3px solid #f2a900; outline-offset: 1px; }}
.error {{ background: #fdecea; color: #8a1c12; padding: .7rem; border-radius: 6px; margin-bottom: .5rem; }}
.note {{ color: #4a5261; font-size: .85rem; margin-top: 1.2rem; }}
</style></head>
<body><main>
<h1>🏛️ 서울시 행정 AI 도우미</h1>
{message}
{body}
</main></body></html>
"""

LOCAL = """<form method="post" action="{action}">
<input type="hidden" name="csrf" value="{csrf}">
<input type="hidden" name="next" value="{next}">
<label for="account">아이디</label>
<input id="account" name="account" type="text" autocomplete="username" required autofocus value="{account}">
<label for="password">비밀번호</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">로그인</button>
</form>
<p class="note">계정은 관리자가 서버에서 <code>seoulai users add</code>로 만듭니다. 비밀번호를 잊었으면 관리자에게
재설정을 요청하세요.</p>"""

SSO = """<p>서울시 통합인증(SSO)으로 로그인합니다.</p>
<a class="button" href="{link}">서울시 통합인증으로 로그인</a>"""

SIGN_OUT = """<p>로그아웃할까요? 다른 사이트의 링크로 이 화면이 열렸다면 [돌아가기]를 누르세요.</p>
<form method="post" action="/logout">
<input type="hidden" name="csrf" value="{csrf}">
<button type="submit">로그아웃</button>
</form>
<p class="note"><a href="/">돌아가기</a></p>"""


def _page(title: str, body: str, message: str) -> str:
    shown = f'<p class="error" role="alert">{escape(message)}</p>' if message else ""
    return PAGE.format(title=escape(title), message=shown, body=body)


def render(csrf: str, next_path: str, account: str = "", message: str = "", action: str = "/login") -> str:
    body = LOCAL.format(action=escape(action), csrf=escape(csrf), next=escape(next_path), account=escape(account))
    return _page("로그인", body, message)


def render_sso(link: str, message: str = "") -> str:
    """The way in when the city's SSO is the sign-in (the app itself is not served before it)."""
    return _page("로그인", SSO.format(link=escape(link)), message)


def render_sign_out(csrf: str, message: str = "") -> str:
    """The confirmation asked when sign-out was not requested by this app's own page (it may be another site's)."""
    return _page("로그아웃", SIGN_OUT.format(csrf=escape(csrf)), message)
