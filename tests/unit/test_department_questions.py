"""The recogniser of "어느 과에서 해요?" questions: the Seoul dev set's department questions are its positives, its
factual and procedure questions (which also name 과, 협의 and 누구) its negatives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seoulai.services.departments import DepartmentMatch, asks_department, duty_lines


@pytest.fixture(scope="module")
def seoul_dev(shared_dir: Path) -> list[dict[str, str]]:
    path = shared_dir / "eval" / "seoul_dev.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_department_question_is_recognised(seoul_dev: list[dict[str, str]]) -> None:
    positives = [row["question"] for row in seoul_dev if row["kind"] == "department"]
    assert len(positives) == 14
    assert [q for q in positives if not asks_department(q)] == []


def test_no_factual_or_procedure_question_is(seoul_dev: list[dict[str, str]]) -> None:
    negatives = [row["question"] for row in seoul_dev if row["kind"] in ("factual", "procedure")]
    assert len(negatives) >= 41
    assert [q for q in negatives if asks_department(q)] == []


@pytest.mark.parametrize("question", [
    "서울광장 사용은 어느 부서에서 해요?", "청년수당 담당 부서가 어디예요?", "공공자전거 담당과 알려 주세요",
    "이건 어디 소관이에요?", "공무원증 재발급은 어디서 해요?", "층간소음은 누구한테 물어봐야 해요?",
    "보조금 정산은 어디에 문의하나요?", "제설 총괄 부서는?", "어디 과에서 해요?", "어느 과로 연락하면 돼요?",
    "어느과 소관이에요?", "담당 부서 알려 주세요",
])
def test_other_ways_of_asking(question: str) -> None:
    assert asks_department(question)


@pytest.mark.parametrize("question", [
    "민원 처리기간은 어떻게 계산하나요?", "입법예고 기간을 줄이려면 누구랑 협의해야 돼요?", "우리 부서는 뭘 해야 돼요?",
    "과태료는 얼마예요?", "관용차 주차위반 과태료는 누가 내요?",
])
def test_questions_that_do_not_ask_for_a_department(question: str) -> None:
    assert not asks_department(question)


@pytest.mark.parametrize("question", [
    "연계전공 학생은 어느 학과로 재입학하나요?", "어느 학과 소속인가요?", "어느학과로 전과할 수 있나요?",
    "어느 과목을 들어야 졸업하나요?", "어느 과정에 등록하나요?", "담당 과목은 몇 학점인가요?", "담당과목 변경은?",
    "어느 과태료가 부과되나요?", "어느 과세 기간에 들어가요?",
])
def test_a_word_that_only_begins_with_gwa_is_not_a_department(question: str) -> None:
    """A university's 학과, a 과목, a 과정 or a 과태료 is not one of Seoul's 과: "과" counts as a word of its own
    (followed by a particle, a space or the end), not as the first syllable of another."""
    assert not asks_department(question)


def test_duty_lines_and_the_match_shown() -> None:
    text = "제17조의5 (행정국) 행정국 총무과\n③ 총무과장은 다음 사항을 분장한다.\n9. 사무인계ㆍ인수에 관한 사항\n" \
           "10. 서울광장 사용 및 관리에 관한 사항"
    assert duty_lines(text) == ["사무인계ㆍ인수에 관한 사항", "서울광장 사용 및 관리에 관한 사항"]
    match = DepartmentMatch(name="총무과", parent="행정국", duty="서울광장 사용 및 관리에 관한 사항",
                            source="규칙/x.md", section="제2장 본청 > 제17조의5 (행정국) > 총무과",
                            title="서울특별시 행정기구 설치 조례 시행규칙", score=1.0)
    assert match.label == "행정국 총무과" and match.article == "제17조의5"
    assert match.citation == "서울특별시 행정기구 설치 조례 시행규칙 제17조의5"
    assert set(match.to_json()) == {"name", "parent", "duty", "source", "section"}
