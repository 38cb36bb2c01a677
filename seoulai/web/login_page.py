"""The sign-in page: plain server-rendered HTML (no script), every value HTML-escaped."""

from __future__ import annotations

from html import escape

PAGE = """<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>로그인 · 서울시 행정 AI 도우미</title>
<style>
body {{ font-family: "Noto Sans CJK KR", "Malgun Gothic", sans-serif; background: #f4f6f9; margin: 0; }}
main {{ max-width: 380px; margin: 10vh auto; background: #fff; padding: 2rem; border-radius: 10px;
        box-shadow: 0 1px 4px rgba(0,0,0,.12); }}
h1 {{ font-size: 1.35rem; margin: 0 0 1.25rem; }}
label {{ display: block; margin: .9rem 0 .3rem; font-weight: 600; }}
input[type=text], input[type=password] {{ width: 100%; box-sizing: border-box; padding: .6rem; font-size: 1rem;
        border: 1px solid #8a94a6; border-radius: 6px; }}
button {{ margin-top: 1.4rem; width: 100%; padding: .7rem; font-size: 1rem; background: #0050A0; color: #fff;
        border: 0; border-radius: 6px; cursor: pointer; }}
button:focus, input:focus {{ outline: 3px solid #f2a900; outline-offset: 1px; }}
.error {{ background: #fdecea; color: #8a1c12; padding: .7rem; border-radius: 6px; margin-bottom: .5rem; }}
.note {{ color: #4a5261; font-size: .85rem; margin-top: 1.2rem; }}
</style></head>
<body><main>
<h1>🏛️ 서울시 행정 AI 도우미</h1>
{message}
<form method="post" action="{action}">
<input type="hidden" name="csrf" value="{csrf}">
<input type="hidden" name="next" value="{next}">
<label for="account">아이디</label>
<input id="account" name="account" type="text" autocomplete="username" required autofocus value="{account}">
<label for="password">비밀번호</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">로그인</button>
</form>
<p class="note">계정은 관리자가 서버에서 <code>seoulai users add</code>로 만듭니다. 비밀번호를 잊었으면 관리자에게
재설정을 요청하세요.</p>
</main></body></html>
"""


def render(csrf: str, next_path: str, account: str = "", message: str = "", action: str = "/login") -> str:
    shown = f'<p class="error" role="alert">{escape(message)}</p>' if message else ""
    return PAGE.format(message=shown, action=escape(action), csrf=escape(csrf), next=escape(next_path),
                       account=escape(account))
