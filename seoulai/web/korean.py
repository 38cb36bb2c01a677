"""Korean for the few words Streamlit's own widgets print in English (it has no translations).

Streamlit's front end is a set of hashed JavaScript bundles served from /static/js/. This middleware replaces
known English literals in the bundles that hold them (the file uploader's "Drag and drop files here", the
multiselect's "Select all", the input hint "Press Enter to apply", the status "Running…", the data-frame and
chart toolbars) with Korean, once per bundle. Replacements are exact strings: a Streamlit upgrade that changes
one leaves it English, and the browser test that walks every page's text for English fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

Replace = tuple[str, str] | tuple[re.Pattern[str], Callable[[re.Match[str]], str] | str]

# Bundle name prefix -> replacements (literals are backtick template strings in the bundles).
TABLE: dict[str, list[Replace]] = {
    "FileUploader.": [
        ("`Drag and drop files here`", "`여기로 파일을 끌어 놓거나 [파일 선택]을 누르세요`"),
        ("`Drag and drop a file here`", "`여기로 파일을 끌어 놓거나 [파일 선택]을 누르세요`"),
        ("`Drag and drop directories here`", "`여기로 폴더를 끌어 놓으세요`"),
        ("`Upload directories`", "`폴더 선택`"),
        ("`Upload`", "`파일 선택`"),
        (re.compile(r"`\$\{([^`]*?)\} per file`"), r"`파일당 ${\1}까지`"),
    ],
    "Multiselect.": [
        ("`Select all`", "`모두 선택`"),
        (re.compile(r"`Select \$\{([^}]*)\} matches`"), r"`찾은 ${\1}개 모두 선택`"),
        ("`Clear all`", "`모두 지우기`"),
        ("`No results`", "`결과 없음`"),
        ('"aria-label":`Open`', '"aria-label":`목록 열기`'),  # what a screen reader says for the dropdown button
    ],
    "Selectbox.": [("`No results`", "`결과 없음`"), ('"aria-label":`Open`', '"aria-label":`목록 열기`')],
    "InputInstructions.": [
        ("`submit form`:`apply`", "`보내기`:`적용`"),
        (re.compile(r"`Press \$\{(r\(\)\?`⌘`:`Ctrl`)\}\+Enter to \$\{e\}`"), r"`${\1}+Enter: ${e}`"),
        ("`Press Enter to ${e}`", "`Enter: ${e}`"),
    ],
    "DataFrame.": [
        ("`Download as CSV`", "`CSV로 내려받기`"),
        ("`Search`", "`검색`"),
        ("`Show/hide columns`", "`열 보이기·숨기기`"),
    ],
    "Toolbar.": [("`Fullscreen`", "`전체 화면`"), ("`Close fullscreen`", "`전체 화면 닫기`")],
    "PlotlyChart.": [("`Fullscreen`", "`전체 화면`"), ("`Close fullscreen`", "`전체 화면 닫기`")],
    "TextInput.": [("`Show password`", "`비밀번호 보기`"), ("`Hide password`", "`비밀번호 숨기기`")],
    "useCopyToClipboard.": [("`Copy to clipboard`", "`복사`"), ("`Copied`", "`복사했습니다`")],
    "utils.": [("`Choose an option`", "`선택하세요`"), ("`Choose options`", "`선택하세요`")],
    "index.": [
        ("`Running...`", "`처리 중…`"),
        ("`Connecting`", "`연결 중`"),
        ("`Rerun`", "`다시 실행`"),
        ("`Copied`", "`복사했습니다`"),
        # What a screen reader says: landmarks and icon buttons.
        ("children:`Skip to main content`", "children:`본문으로 건너뛰기`"),
        ('"aria-label":`App pages`', '"aria-label":`화면 목록`'),
        ('"aria-label":`Sidebar`', '"aria-label":`사이드바`'),
        ('"aria-label":`Expand sidebar`', '"aria-label":`사이드바 펼치기`'),
        ('"aria-label":`Collapse sidebar`', '"aria-label":`사이드바 접기`'),
        ('"aria-label":`Close`', '"aria-label":`닫기`'),
        ('"aria-label":`Notifications`', '"aria-label":`알림`'),
        ('"aria-label":`Main menu`', '"aria-label":`메뉴`'),
        ('"aria-label":`Running...`', '"aria-label":`처리 중`'),
        ('"aria-label":`Scroll tabs left`', '"aria-label":`탭 왼쪽으로`'),
        ('"aria-label":`Scroll tabs right`', '"aria-label":`탭 오른쪽으로`'),
        ('"aria-label":`Navigate to home page`', '"aria-label":`홈으로`'),
        (re.compile(r'"aria-label":`Chat message from \$\{(\w+)\}`'),
         r'"aria-label":`${\1===`user`?`내 질문`:\1===`assistant`?`도우미 답변`:\1}`'),
    ],
    "ChatInput.": [('"aria-label":`Send message`', '"aria-label":`보내기`')],
    "StreamlitMarkdown.": [
        ('"aria-label":`Link to heading`', '"aria-label":`이 제목으로 가는 링크`'),
        ("`Help`:`Help for ${t.replaceAll(/\\s+/g,` `)}`", "`도움말`:`${t.replaceAll(/\\s+/g,` `)} 도움말`"),
    ],
}


def translate(name: str, script: str) -> str:
    for prefix, replacements in TABLE.items():
        if name.startswith(prefix):
            for old, new in replacements:
                script = old.sub(new, script) if isinstance(old, re.Pattern) else script.replace(old, new)  # type: ignore[arg-type]  # str pairs str
    return script


class KoreanAssets:
    """Rewrites the English literals of Streamlit's JS bundles on their way out (results cached per bundle)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._cache: dict[str, tuple[list[tuple[bytes, bytes]], bytes]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        name = path.rsplit("/", 1)[-1]
        if not (path.startswith("/static/") and name.endswith(".js") and
                any(name.startswith(p) for p in TABLE)):
            await self.app(scope, receive, send)
            return
        if path in self._cache:
            headers, body = self._cache[path]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        # Ask for the plain bundle (no gzip) so the text can be rewritten.
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]}
        start: Message = {}
        chunks: list[bytes] = []

        async def collect(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, collect)
        body = b"".join(chunks)
        status = int(start.get("status", 500))
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        if status == 200:
            body = translate(name, body.decode("utf-8")).encode("utf-8")
        headers.append((b"content-length", str(len(body)).encode()))
        if status == 200:
            self._cache[path] = (headers, body)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
