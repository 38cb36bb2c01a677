"""Topics of the 이용 현황 page are real topics: compounds kept whole, generic words dropped, each once."""

from __future__ import annotations

from seoulai.usage.queries import GENERIC, count_topics


def test_topics() -> None:
    counts = count_topics(["민원 처리기간은 어떻게 계산하나요?", "민원 처리기간 연장 절차는?", "정보공개 청구 기한은?",
                           "처리 절차와 방법을 알려 주세요", "처리기간 처리기간 처리기간"])
    assert counts["처리기간"] == 3  # once per question, however often it is said
    assert counts["정보공개"] == 1 and "정보" not in counts
    assert not set(counts) & GENERIC  # 절차, 민원, 기한, 방법 … are no topics
