"""Which questions continue the conversation (a table of both kinds)."""

from __future__ import annotations

import pytest

from seoulai.answer.engine import Turn
from seoulai.answer.followup import is_follow_up

HISTORY = [Turn("user", "민원의 처리기간은 어떻게 계산하나요?"), Turn("assistant", "일 단위로 계산합니다 [1].")]
FOLLOW_UPS = ["그 기간을 연장할 수 있나요?", "이 경우 민원인에게 알려야 하나요?", "연장은요?", "그럼 공휴일은요?",
              "해당 서류는 무엇인가요?", "그것도 마찬가지인가요?", "위 내용의 근거 조문은?", "토요일은?",
              "예외도 있나요?", "그렇다면 기한을 넘기면 어떻게 되나요?"]
NEW_TOPICS = ["개인정보 보호위원회는 어떻게 구성되나요?", "처분의 사전 통지는 언제 해야 하나요?",
              "공공기록물의 폐기 절차를 알려 주세요", "다수인관련민원은 어떻게 처리하나요?",
              "행정청이 송달하는 방법에는 무엇이 있나요?", "이의신청 기간은 얼마나 되나요?",
              "정보공개 청구의 처리 기한은 며칠인가요?", "전자민원창구는 누가 운영하나요?"]


@pytest.mark.parametrize("question", FOLLOW_UPS)
def test_follow_up(question: str) -> None:
    assert is_follow_up(question, HISTORY)


@pytest.mark.parametrize("question", NEW_TOPICS)
def test_new_topic(question: str) -> None:
    assert not is_follow_up(question, HISTORY)


def test_nothing_to_follow() -> None:
    assert not is_follow_up("그 기간을 연장할 수 있나요?", [])
