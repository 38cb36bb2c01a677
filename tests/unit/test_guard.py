"""Broken model output: prompt echo and repetition loops are found; quoting the passages is not echo."""

from __future__ import annotations

from seoulai.answer.guard import OutputGuard, cut_loop, looping

SYSTEM = ("당신은 서울특별시 공무원의 행정 업무를 돕는 AI 도우미입니다.\n규칙:\n1. 아래 번호 붙은 문단에만 근거하여 답합니다.\n"
          "2. 문장마다 근거 문단 번호를 [1], [2]처럼 대괄호로 표시합니다. 주어진 번호(5번까지)만 사용합니다.")
PASSAGE = "민원의 처리기간을 6일 이상으로 정한 경우에는 일 단위로 계산하고 첫날을 산입하되, 공휴일과 토요일은 산입하지 아니한다."
GUARD = OutputGuard(SYSTEM + "\n" + PASSAGE, PASSAGE)


def test_an_echo_of_the_instructions_is_caught_and_dropped() -> None:
    echo = SYSTEM + "\n\n질문에 답합니다."
    assert GUARD.check_stream(echo) == "echo"
    verdict = GUARD.verdict(echo, "echo")
    assert verdict.echoed and "[1], [2]" not in verdict.text  # the rules' own [1] cannot count as a citation


def test_quoting_the_passage_is_an_answer() -> None:
    answer = f"처리기간은 다음과 같이 계산합니다. {PASSAGE} [1]"
    assert GUARD.check_stream(answer) is None
    verdict = GUARD.verdict(answer)
    assert not verdict.broken and "[1]" in verdict.text


def test_loops_are_found_and_cut() -> None:
    loop = "처리기간은 일 단위로 계산합니다 [1]. " + "공휴일은 산입하지 아니한다. " * 5
    assert looping(loop) and GUARD.check_stream(loop) == "loop"
    assert cut_loop(loop).count("공휴일은 산입하지 아니한다") == 1
    lines = "\n".join(["○ 민원 처리기간은 7일입니다 [1]", "○ 다른 항목입니다 [2]"] + ["○ 민원 처리기간은 7일입니다 [1]"] * 3)
    assert looping(lines)
    assert not looping("□ 개요\n○ 목적: 민원 처리\n○ 기간: 7일\n- 세부 사항 하나\n- 세부 사항 둘")
