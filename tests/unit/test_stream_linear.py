"""The streaming guard and sanitiser read each delta once: at every step of many random and hostile chunkings
they answer exactly what the whole-text functions answer on the same prefix, and their work grows with the
answer's length, not with its square (counted in Python lines run, not timed)."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

import pytest

from seoulai.answer.guard import OutputGuard, _norm, looping
from seoulai.answer.safety import StreamSanitiser, safe_markdown

MARKDOWN = [
    "□ 민원 처리기간 개요", "○ 목적: 민원 처리 [1]", "○ **기간**: 7일 이내 [2]", "- 세부 사항 하나", "* 별표 항목",
    "1. 첫째", "2) 둘째", "10. 열째", "# 제목", "## 소제목 [3]", "제목\n===", "부제\n---", "---", "***", "> 인용 문단",
    "> > 겹친 인용", "| 구분 | 내용 |", "|---|:-:|", "| a | [x](http://evil.example) |", "```", "```python", "~~~",
    "    들여쓴 코드", "\t탭 들여쓰기", "<div>", "</div>", "<!-- 주석", "-->", "<script>alert(1)</script>",
    "<a href=\"http://evil.example\">클릭</a>", "![로고](http://x.example/l.png)", "[안내](http://evil.example/p)",
    "[링크][r]", "[r]: http://evil.example/ref", "[1]: 근거", "[이어지는\n링크](http://evil.example)",
    "<http://evil.example/auto>", "www.evil.example/login", "attacker@evil.example", "https:evil.example",
    "*기울임", "기울임*", "**굵게", "굵게**", "_밑줄_", "a_b_c.hwp", "~~취소~~", "9시~18시", "`코드", "코드`",
    "\\*이스케이프\\*", "줄 끝 역슬래시\\", "두 칸 공백  ", "&lt;img&gt; &amp; &#42;", "[미완성 괄호", "괄호 끝]",
    "[1] 근거 문단", "[2]", "(괄호) 안내", "\u3000전각 공백", "\r\n", "\r", "\0", "", " ", "  - 들여쓴 목록",
    "공휴일과 토요일은 산입하지 아니한다.", "처리기간은 일 단위로 계산합니다 [1].", "[안내](http://evil.example/p",
    "\"제목\") 이어서", "|---|---", "---|---그리고", "셋 | 넷",
]
SEPARATORS = ["\n", "\n", "\n", "\n\n", "", " ", "\r\n", "\n   "]


def _texts(count: int, seed: int) -> Iterator[str]:
    rng = random.Random(seed)
    for _ in range(count):
        parts = rng.choices(MARKDOWN, k=rng.randint(3, 40))
        yield "".join(part + rng.choice(SEPARATORS) for part in parts)


def _chunks(text: str, rng: random.Random) -> Iterator[str]:
    at = 0
    while at < len(text):
        step = rng.choice([1, 1, 2, 3, 5, 8, 13, 40])
        yield text[at : at + step]
        at += step


def test_the_stream_sanitiser_equals_safe_markdown_at_every_step() -> None:
    rng = random.Random(32)
    for text in _texts(120, 1):
        sanitiser, received = StreamSanitiser(), ""
        for delta in _chunks(text, rng):
            received += delta
            assert sanitiser.feed(delta) == safe_markdown(received), repr(received)


@pytest.mark.parametrize("text", [
    "□ 개요\n○ 목적 [1]\n○ 기간 [2]\n○ 대상\n제목이 되는 문단\n===",  # a setext line turns every kept line bold
    "머리 | 칸\n○ 줄\n○ 줄 둘\n○ 셋 | 넷\n---|---\n| 1 | 2 |",  # a late table header
    "[a]: /url 'ti\ntle\nmore'\n\n[a]",  # a reference whose title closes lines later
    "[a\\]\nb]:\n/u\n\n[a\\]\nb]",  # an escaped bracket: the label goes on, the address comes later
    "○ **굵게** 시작\n○ 보통 줄\n○ *열린 강조\n○ 중간 줄\n○ 닫는 줄*\n○ 끝",  # emphasis closed two lines on
    "○ [안내](http://evil.example/p\n\"제목\") 이어서\n○ 다음 줄\n○ 끝",  # a link's title on the next line
    "문단 첫 줄\n셋 | 넷\n---|---그리고\n끝 줄\n마지막",  # a table until its delimiter row goes on
    "○ [열린 괄호\n○ 중간\n○ 닫힘](http://evil.example) 끝\n○ 더",  # a link text over three lines
    "○ `열린 코드\n○ 중간\n○ 닫는` 끝\n○ 더",
    "○ <span\n○ title=x> 중간\n○ 끝\n○ 더",
    "1. 하나\n2. 둘\n\n\n3. 셋\n\n```\n열린 코드\n\n",
    "- 세부 하나\n- 세부 둘\n○ 이어지는 줄\n○ 또 이어지는 줄\n- 세부 셋\n* 다른 표시\n* 넷\n- 다섯\n- 여섯",
    "7. 칠\n8. 팔\n9. 구\n10. 십\n11. 십일\n1) 괄호\n2) 괄호 둘\n3) 셋\n\n12. 십이",
    "0. 영\n1. 일\n2. 이\n3. 삼",
    "-   가\n  - 나\n  - 다\n  - 라\n- 마",  # items two spaces in, after a wide marker: still siblings
    "- 가\n  - 안쪽\n- 나\n - 한 칸 들여\n- 다\n- - -\n- 라\n- 마",
    "- 가\n\n- 나\n\n  이어지는 문단\n- 다\n```\n- 코드\n```\n- 라\n- 마",
    "- 가\n-\n- \n- 나\n| x | y |\n|---|---|\n- 다\n- 라",
    "- 가\n- 나\n    - 코드 같은 줄\n- 다\n  ```\n- 열린 코드 안\n- 라\n- 마",
    "안녕\r\n하세요\r\r\n\n끝\r",
])
def test_the_stream_sanitiser_on_lines_that_change_what_came_before(text: str) -> None:
    for size in (1, 2, 3, 7):
        sanitiser, received = StreamSanitiser(), ""
        for at in range(0, len(text), size):
            received += text[at : at + size]
            assert sanitiser.feed(text[at : at + size]) == safe_markdown(received), repr(received)


INSTRUCTIONS = ("당신은 서울특별시 공무원의 행정 업무를 돕는 AI 도우미입니다.\n규칙:\n1. 아래 번호 붙은 문단에만 근거하여 답합니다.\n"
                "2. 문장마다 근거 문단 번호를 [1], [2]처럼 대괄호로 표시합니다. 주어진 번호(5번까지)만 사용합니다.")
PASSAGE = "민원의 처리기간을 6일 이상으로 정한 경우에는 일 단위로 계산하고 첫날을 산입하되, 공휴일과 토요일은 산입하지 아니한다."
GUARDED = MARKDOWN + [INSTRUCTIONS, PASSAGE, "○ 민원 처리기간은 7일입니다 [1]", "  ○ 민원 처리기간은 7일입니다 [1]\t",
                      "공휴일은 산입하지 아니한다. ", "반복 반복 반복 ", "\x0b", "\x1c", "\u2028", "\x85"]


def _looping_as_it_was(text: str, times: int = 3) -> bool:
    """looping() of commit c37b8dd, word for word: the oracle for today's quicker one."""
    tail = _norm(text[-700:])
    for period in range(8, min(200, len(tail) // times) + 1):
        unit = tail[-period:]
        if tail.endswith(unit * times):
            return True
    lines = [line.strip() for line in text.splitlines() if len(line.strip()) >= 10]
    return any(lines.count(line) >= times for line in set(lines))


def _whole_text_check(guard: OutputGuard, text: str) -> str | None:
    """check_stream as it was: the whole text every time."""
    if _looping_as_it_was(text):
        return "loop"
    head = text[:300]
    return "echo" if len(_norm(head)) >= 120 and guard.copied(head) >= 0.6 else None


def test_looping_answers_as_it_did_for_every_period() -> None:
    rng, found = random.Random(8), 0
    words = ["공휴일은", "산입하지", "아니한다.", "[1]", " ", "\n", "  ", "가", "나나", "가가가가가가가가가"]
    for _ in range(3000):
        unit = "".join(rng.choices(words, k=rng.randint(1, 40)))
        text = "".join(rng.choices(words, k=rng.randint(0, 30))) + unit * rng.randint(1, 4)
        text = text[: len(text) - rng.choice([0, 0, 1, 3])]
        assert looping(text) == _looping_as_it_was(text), repr(text)
        found += looping(text)
    assert 300 < found < 2700, found  # both answers were met often


def test_the_stream_guard_equals_the_whole_text_check_at_every_step() -> None:
    rng = random.Random(30)
    answers = {None: 0, "loop": 0, "echo": 0}
    for _ in range(300):
        text = "".join(rng.choice(GUARDED) + rng.choice(SEPARATORS) for _ in range(rng.randint(2, 30)))
        guard, received = OutputGuard(INSTRUCTIONS + "\n" + PASSAGE, PASSAGE), ""
        for delta in _chunks(text, rng):
            received += delta
            expected = _whole_text_check(guard, received)
            assert guard.check_stream(received) == expected, repr(received)
            answers[expected] += 1
    assert all(answers.values()), answers  # the chunkings met usable, looping and echoing text


@pytest.mark.parametrize("size", [1, 2, 5])
def test_a_third_copy_of_a_line_is_caught_while_it_is_written(size: int) -> None:
    line = "○ 민원 처리기간은 7일입니다 [1]"
    text = f"{line}\n○ 다른 항목 [2]\n  {line}\t\n○ 또 다른 항목 [3]\n\u3000 {line}  \n끝"
    guard, received, answers = OutputGuard(INSTRUCTIONS, PASSAGE), "", []
    for at in range(0, len(text), size):
        received += text[at : at + size]
        answers.append(guard.check_stream(received))
        assert answers[-1] == _whole_text_check(guard, received), repr(received)
    assert "loop" in answers and answers[0] is None


def test_a_guard_given_a_text_that_does_not_continue_starts_over() -> None:
    guard = OutputGuard(INSTRUCTIONS + "\n" + PASSAGE, PASSAGE)
    looped = "○ 민원 처리기간은 7일입니다 [1]\n" * 3
    assert guard.check_stream(looped) == "loop"
    assert guard.check_stream("○ 다른 답변입니다 [2]\n") is None
    assert guard.check_stream(INSTRUCTIONS) == "echo"
    assert guard.check_stream("처리기간은 " + PASSAGE + " [1]") is None


def _answer(length: int) -> str:
    """A Korean answer of about ``length`` characters in the shapes models write: 개조식 lines, lists, bold."""
    rng, parts = random.Random(length), []
    while sum(map(len, parts)) < length:
        number = len(parts)
        parts.append(f"□ {number}번째 항목의 처리 기준\n" + "".join(
            f"○ **{rng.choice(['목적', '기간', '대상', '근거'])}**: 민원 {number}-{line}번 사항은 {rng.randint(1, 30)}일 이내에"
            f" 처리합니다 [{rng.randint(1, 5)}]\n" for line in range(rng.randint(3, 8)))
            + "".join(f"- 세부 내용 {number}-{item}: 공휴일과 토요일은 산입하지 아니합니다\n" for item in range(3)) + "\n")
    return "".join(parts)[:length]


def _lines_run(stream: Callable[[str, int], None], text: str, chunks: int) -> int:
    count = 0

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        count += event == "line"
        return tracer

    sys.settrace(tracer)
    try:
        stream(text, chunks)
    finally:
        sys.settrace(None)
    return count


def _stream(text: str, chunks: int) -> None:
    guard, sanitiser, received, size = OutputGuard(INSTRUCTIONS, PASSAGE), StreamSanitiser(), "", len(text) // chunks
    for at in range(0, len(text), size):
        received += text[at : at + size]
        guard.check_stream(received)
        sanitiser.feed(text[at : at + size])


@pytest.mark.parametrize("blank_lines", [True, False])  # without them, "- " items and ○ lines are one list
def test_work_per_stream_grows_with_its_length_not_its_square(blank_lines: bool) -> None:
    def answer(length: int) -> str:
        return _answer(length) if blank_lines else _answer(length).replace("\n\n", "\n")

    short = _lines_run(_stream, answer(2000), 200)
    long = _lines_run(_stream, answer(4000), 400)
    assert long / short < 2.4, (short, long)  # the whole-text rescan per delta: about 4x


def _guard_only(text: str, chunks: int) -> None:
    guard, received, size = OutputGuard(INSTRUCTIONS, PASSAGE), "", len(text) // chunks
    for at in range(0, len(text), size):
        received += text[at : at + size]
        guard.check_stream(received)


def test_the_guards_work_grows_with_the_answers_length() -> None:
    short = _lines_run(_guard_only, _answer(4000), 400)
    long = _lines_run(_guard_only, _answer(16000), 1600)
    assert long / short < 4.4, (short, long)  # 4x the answer; the whole-text rescan per delta: about 5.7x
