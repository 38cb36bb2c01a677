"""How a passage is cut for its card: the clause that matched is shown even past the first 900 characters;
one-syllable words are highlighted too."""

from __future__ import annotations

from seoulai.ui.answer_view import excerpt, highlight


def test_the_matching_clause_is_not_cut_away() -> None:
    text = ("제18조 (처리기간) " + "".join(f"{chr(0x2460 + i)} 일반 규정 {i}번째 내용입니다. " * 6 + "\n" for i in range(8))
            + "⑨ 처리기간 연장은 한 번만 할 수 있다.\n⑩ 마지막 항.")
    assert len(text) > 900 and text.index("연장은") > 900
    shown = excerpt(text, ["연장", "처리기간"])
    assert len(shown) <= 920 and shown.startswith("제18조 (처리기간)") and "⑨ 처리기간 연장은" in shown and "…" in shown


def test_short_passages_are_whole_and_one_syllable_terms_highlighted() -> None:
    assert excerpt("짧은 조문", ["조문"]) == "짧은 조문"
    assert "**끝**" in highlight("공문의 본문 마지막에 끝 표시를 한다.", ["끝", "표시하다"])
