"""References inside articles (linked rules) and the question kinds the ranking reads."""

from __future__ import annotations

import pytest

from seoulai.retrieval.query import analyze_query, asks_department
from seoulai.retrieval.references import cited_articles, defined_aliases

RULE = "서울특별시 공무국외출장 조례 시행규칙"


def test_titled_same_this_and_bare_references() -> None:
    text = ("제9조 (준용)\n「지방공무원법」 제27조제2항에 따라 같은 법 제28조를 적용하고, 이 규칙 제7조와 조례 제5조제1항, "
            "제9조의2를 준용한다.")
    assert cited_articles(text, RULE) == [
        ("지방공무원법", "제27조"), ("지방공무원법", "제28조"), ("서울특별시공무국외출장조례시행규칙", "제7조"),
        ("서울특별시공무국외출장조례", "제5조"), ("서울특별시공무국외출장조례시행규칙", "제9조의2")]


def test_defined_short_names_are_followed() -> None:
    aliases = defined_aliases(['제1조 (목적)\n이 조례는 「지방자치법」(이하 "법"이라 한다) 제9조에 따라 …'])
    assert aliases == {"법": "지방자치법", "영": "지방자치법시행령"}
    text = "제3조 (위임)\n법 제117조 및 영 제5조에 따라 위임한다."
    assert cited_articles(text, "서울특별시 사무위임 조례", aliases) == [("지방자치법", "제117조"),
                                                                  ("지방자치법시행령", "제5조")]


def test_a_word_ending_in_이_is_not_this_rule() -> None:
    text = "제4조 (출장의 변경)\n당초 통보된 내용이 조례 제5조제1항에 해당하는 경우"
    assert cited_articles(text, RULE) == [("서울특별시공무국외출장조례", "제5조")]


def test_own_heading_and_amendment_notes_are_not_references() -> None:
    text = ("제24조 (의무복무 제대군인에 대한 지원)\n시장은 … 연장하여 적용할 수 있다.\n[본조신설 2025.1.3]\n"
            "[종전 제24조는 제25조로 이동 <2025.1.3>]")
    assert cited_articles(text, "서울특별시 청년 기본 조례") == []


def test_a_law_named_without_an_article_sets_what_같은_법_means() -> None:
    text = "제2조 (정의)\n「민원 처리에 관한 법률」에 따른 민원으로서 같은 법 시행령 제2조의 민원을 말한다."
    assert cited_articles(text, "서울특별시 메시지민원 처리 규정") == [("민원처리에관한법률시행령", "제2조")]
    text = "제2조 (정의)\n「민원 처리에 관한 법률」에 따른 민원으로서 같은 법 제2조의 민원을 말한다."
    assert cited_articles(text, "서울특별시 메시지민원 처리 규정") == [("민원처리에관한법률", "제2조")]


@pytest.mark.parametrize("question", [
    "서울광장 사용 관련해서 문의하려면 어느 과에 연락해야 하나요?", "시청 당직 편성은 어느 과 담당이에요?",
    "공무원 징계위원회 여는 건 어디 소관이에요?", "공무국외여행 심사는 어느 부서에서 해요?",
    "민간위탁 총괄 부서가 어디예요?", "금연 사업은 어느 과에 물어봐야 해요?", "자원봉사 활동 지원은 어느 과가 맡고 있어요?",
    "정보공개 청구는 누구한테 문의하면 돼요?", "청사 출입증 발급 담당 부서 알려주세요"])
def test_department_questions(question: str) -> None:
    assert asks_department(question) and analyze_query(question).department


@pytest.mark.parametrize("question", [
    "아들 군대 들어가는 날 하루 휴가 낼 수 있나요?", "광화문광장 행사장에서 물건 팔아도 돼요?",
    "조례 공포되면 바로 효력이 생기나요?", "해외 출장 신청부터 다녀와서 보고까지 일정이 어떻게 돼요?",
    "공무원증 잃어버렸으면 어떻게 해야 돼요?", "주거급여 받으려면 소득이 얼마 이하여야 해요?"])
def test_other_questions(question: str) -> None:
    assert not asks_department(question) and not analyze_query(question).department


def test_colloquial_words_reach_the_rules_terms() -> None:
    terms = analyze_query("관용차 기름값을 현금으로 줘도 되나요? 나눠 내도 돼요?").terms
    assert {"공무", "차량", "연료비", "분납"} <= set(terms)
    assert analyze_query("아들 군대 가는 날").terms.get("입영", 0) > 0
    assert "얼마" not in analyze_query("과태료 얼마예요?").content_terms()


@pytest.mark.timeout(60)  # a quadratic pattern would take hours on these strings; linear ones take milliseconds
def test_long_adversarial_text_is_scanned_in_linear_time() -> None:
    assert asks_department("어디" * 20_000 + "어느 과") is True
    assert len(cited_articles("제1조\n" + "「" * 30_000 + "제1조" * 5_000, RULE)) == 1
    assert defined_aliases(["「" * 30_000 + "(이하 " * 5_000]) == {}


def test_amount_questions_need_an_amount_of_their_kind() -> None:
    from seoulai.retrieval.floor import states_what_is_asked
    from seoulai.retrieval.hits import Hit

    def hit(text: str) -> Hit:
        return Hit(source="a.md", title="규정", section="제1조", page=None, text=text, score=1.0)

    assert states_what_is_asked("과태료 얼마예요?", [hit("과태료는 10만원으로 한다.")])
    assert not states_what_is_asked("수당이 얼마 나와요?", [hit("휴직할 수 있다.")])
    assert states_what_is_asked("점용료는 얼마예요?", [hit("점용료는 별표 3과 같다.")])  # the amount is in a table
    assert not states_what_is_asked("지급률이 몇 퍼센트예요?", [hit("지급률은 위원회가 정한다.")])
    assert states_what_is_asked("몇 퍼센트 깎아줘요?", [hit("100분의 50을 경감한다.")])
    assert not states_what_is_asked("몇 살부터 받아요?", [hit("세 살의 범위에서 연장한다.")])
    assert states_what_is_asked("며칠 전까지 신청해요?", [hit("사용일 5일 전까지 신청한다.")])
    assert states_what_is_asked("어떻게 신청해요?", [hit("신청서를 낸다.")])  # no amount asked: nothing to check
