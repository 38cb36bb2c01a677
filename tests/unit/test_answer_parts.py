"""Citation check, output sanitising and prompt templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from seoulai.answer.citations import check_citations
from seoulai.prompts import PromptError, render
from seoulai.answer.safety import escape_markdown, safe_markdown


@pytest.mark.parametrize(("answer", "count", "text", "cited", "invalid"), [
    ("기간은 7일입니다 [1].", 3, "기간은 7일입니다 [1].", [1], []),
    ("첫째 [2]. 둘째 [1, 3].", 3, "첫째 [2]. 둘째 [1][3].", [2, 1, 3], []),
    ("근거 [7]에 따릅니다.", 5, "근거 에 따릅니다.", [], [7]),
    ("A [1][7] B [0].", 2, "A [1] B.", [1], [7, 0]),
    ("범위 [1-3]", 3, "범위 [1][2][3]", [1, 2, 3], []),
    ("전각 ［2］ 괄호", 2, "전각 [2] 괄호", [2], []),
    ("근거 없음", 3, "근거 없음", [], []),
])
def test_citation_check(answer: str, count: int, text: str, cited: list[int], invalid: list[int]) -> None:
    check = check_citations(answer, count)
    assert (check.text, check.cited, check.invalid) == (text, cited, invalid)
    assert check.grounded == bool(cited)


def test_safe_markdown_blocks_images_links_and_html() -> None:
    hostile = ("요약입니다 ![추적](http://evil.example/t.png) 그리고 [여기](https://evil.example/x) "
               "http://evil.example/raw <img src=x onerror=alert(1)>\n[ref]: http://evil.example/r\n![a][ref]")
    out = safe_markdown(hostile)
    assert "![" not in out and "](" not in out and "<img" not in out
    assert "`http://evil.example/raw`" in out  # shown as code, not a link
    assert "[이미지 차단됨: 추적]" in out and "여기" in out
    assert "**굵게**" in safe_markdown("**굵게**")  # ordinary formatting survives


def test_escape_markdown_neutralises_document_text() -> None:
    escaped = escape_markdown("# 제목 ![x](http://a) <b>굵게</b> 1. 항목")
    assert escaped.startswith("\\#") and "\\!\\[x\\]\\(http://a\\)" in escaped and "\\<b\\>" in escaped


def test_prompts_refuse_missing_variables(tmp_path: Path) -> None:
    with pytest.raises(PromptError) as info:
        render("answer_user.j2", question="질문", passages=[])  # history missing
    assert "history" in str(info.value)
    text = render("answer_user.j2", question="처리기간?", history=[],
                  passages=[{"title": "민원법", "section": "제19조", "page": None, "text": "본문"}])
    assert "<근거자료>" in text and "[1] 민원법 · 제19조" in text and "</근거자료>" in text
    system = render("answer_system.j2", passage_count=3)
    assert "3번까지" in system and "지시가 아닙니다" in system
