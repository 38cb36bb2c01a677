"""An evidence card names the rule's 종류 and 시행일 (or 시행 예정) when collapsed, and its 담당부서, 공포번호/제개정구분
and 출처 address when opened: as text, never as a link, whatever the metadata holds."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest


def _card_page() -> None:
    from seoulai.retrieval.hits import Hit
    from seoulai.ui.answer_view import passage_card

    hit = Hit(source="서울특별시 공무원 복무 조례.md", title="서울특별시 공무원 복무 조례",
              section="제3장 휴가 > 제18조 (연가일수)", page=None, text="제18조 (연가일수)\n공무원의 연가일수는 다음과 같다.",
              score=1.0, chunk_id="c18", effective_date="2099-01-01",
              metadata={"종류": "조례", "담당부서": "인사과 [문의](http://evil.example)", "공포번호": "9862",
                        "공포일자": "2025-09-29", "제개정구분": "일부개정",
                        "출처": "https://www.law.go.kr/자치법규/서울특별시공무원복무조례"})
    passage_card(1, hit, ["연가일수"], "rc")


def test_the_card_shows_the_rules_metadata_as_text() -> None:
    at = AppTest.from_function(_card_page, default_timeout=30).run()
    assert not at.exception
    label = re.sub(r"\\(.)", r"\1", at.expander[0].label)
    assert label == "[1] 서울특별시 공무원 복무 조례 · 제18조 (연가일수) · 조례 · 시행 예정 2099-01-01"
    caption = "\n".join([str(c.value) for c in at.caption] + [str(m.value) for m in at.markdown])
    shown = re.sub(r"\\(.)", r"\1", caption)
    assert "담당 인사과" in shown and "제9862호 (2025-09-29 공포) 일부개정" in shown
    assert "`https://www.law.go.kr/자치법규/서울특별시공무원복무조례`" in caption  # the address as code
    html = MarkdownIt("gfm-like").render(caption)
    assert "<a href" not in html and "<code>https://www.law.go.kr/" in html


def _linked_card_page() -> None:
    from seoulai.retrieval.hits import Hit
    from seoulai.retrieval.references import Reference
    from seoulai.ui.answer_view import passage_card

    linked = Reference("지방공무원법", "제6장 신분 보장 > 제69조 (징계 사유)",
                       "제69조 (징계 사유)\n① 공무원이 다음 각 호의 어느 하나에 해당하면 징계의결을 요구하여야 한다. **굵게**",
                       "공통", "c69")
    hit = Hit(source="고발규정.md", title="서울특별시 공무원의 직무관련 범죄 고발규정", section="제9조 (고발의무 위반자 징계)",
              page=None, text="제9조 (고발의무 위반자 징계)\n「지방공무원법」 제69조에 따라 징계한다.", score=1.0,
              chunk_id="c9", references=(linked,))
    passage_card(1, hit, ["징계"], "ln")


def test_a_card_links_the_articles_it_cites() -> None:
    at = AppTest.from_function(_linked_card_page, default_timeout=30).run()
    assert not at.exception
    popovers = at.get("popover")
    assert [re.sub(r"\\(.)", r"\1", p.proto.popover.label) for p in popovers] == ["「지방공무원법」 제69조 (징계 사유)"]
    shown = "\n".join(str(m.value) for m in popovers[0].markdown)
    assert "징계의결을 요구하여야 한다" in shown and "\\*\\*굵게\\*\\*" in shown  # the referred text, escaped
