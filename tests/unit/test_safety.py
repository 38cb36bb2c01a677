"""The Markdown sanitiser against hostile payloads, rendered by a CommonMark renderer and by a GFM-style one
that links bare addresses itself: no image, no link, no HTML survives; the words and the line breaks do."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from seoulai.answer.safety import escape_markdown, safe_markdown

COMMONMARK = MarkdownIt("commonmark")
GFM = MarkdownIt("gfm-like")  # tables, strikethrough and linkify (bare www. / http:// / e-mail become links)

HOSTILE = [
    "![x](http://evil.example/track.png)",
    "![alt [with] brackets](http://evil.example/a.png)",
    "![](//evil.example/pixel.gif)",
    "![ref][img]\n\n[img]: http://evil.example/r.png",
    "![ref]\n\n[ref]: http://evil.example/r.png",
    "[이 링크](http://evil.example/phish)",
    "[link](//evil.example/x)",
    "[link](https:evil.example)",
    "[link](javascript:alert(1))",
    "[link][r]\n\n[r]: https://evil.example/ref",
    "<http://evil.example/auto>",
    "<mailto:who@evil.example>",
    "바로가기 www.evil.example/login 에서 확인",
    "http://evil.example/bare 를 여세요",
    "https:evil.example 주소",
    "//evil.example/x 로 가세요",
    "담당자 메일 attacker@evil.example 로",
    "<img src=http://evil.example/i.png>",
    "<script>alert(1)</script>",
    '<a href="http://evil.example">클릭</a>',
    "&lt;img src=x onerror=alert(1)&gt;",
    "[![nested](http://evil.example/n.png)](http://evil.example/n)",
    "**굵게 [링크](http://evil.example)** 그리고 `코드`",
    "| 표 | 링크 |\n|---|---|\n| a | [x](http://evil.example) |",
    "> 인용 ![i](http://evil.example/q.png)",
    "- 목록 [x](http://evil.example)\n  - 하위 ![i](http://evil.example/s.png)",
    "```\n![code](http://evil.example)\n```",
    "$\\href{http://evil.example}{수식}$",
    "[x](<http://evil.example/a b>)",
    "[\\[1\\]](http://evil.example) 근거",
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_no_image_link_or_html_survives(payload: str) -> None:
    shown = safe_markdown(payload)
    for renderer in (COMMONMARK, GFM):
        html = renderer.render(shown)
        assert "<img" not in html and "<a href" not in html and "<script" not in html, (payload, shown, html)


def test_words_formatting_and_addresses_stay_visible() -> None:
    html = GFM.render(safe_markdown("**굵게** [안내](http://evil.example/p) ![로고](http://x.example/l.png)"))
    assert "<strong>굵게</strong>" in html and "안내" in html and "<code>http://evil.example/p</code>" in html
    assert "이미지 차단됨: 로고" in html


def test_bullet_lines_keep_their_line_breaks() -> None:
    html = COMMONMARK.render(safe_markdown("□ 개요\n○ 목적: 민원 처리 [1]\n- 세부 내용\n· 참고"))
    assert html.count("<br />") + html.count("<li>") == 3 and "[1]" in html  # four lines, not one paragraph


def test_metadata_is_shown_verbatim() -> None:
    for text in ("제목 **굵게** [링크](http://evil.example) www.evil.example", "시행일 2025-07-16 · a_b_c.hwp"):
        html = GFM.render(escape_markdown(text))
        assert "<a href" not in html and "<strong>" not in html
    assert "a_b_c.hwp" in GFM.render(escape_markdown("a_b_c.hwp"))
