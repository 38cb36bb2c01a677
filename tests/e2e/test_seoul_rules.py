"""A fresh install answers from the city's own rules (demo/manuals/서울특별시, put in by `seoulai demo-library`):
a 복무 question is grounded in 「서울특별시 공무원 복무 조례」 제24조 with its 시행일 on the card and its 담당부서 inside,
and "어느 과 담당이에요?" gets the 담당 부서 card from the 사무분장 of the 행정기구 설치 조례 시행규칙, above the usual
answer and evidence. Only the cards (document facts) are checked; of the model's words only the scripted reply."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import REPLY, SHOTS
from tests.e2e.pages import LONG, LoginPage, SeoulRulesSearchPage
from tests.e2e.screen_checks import check_page

LEAVE = "아들 군대 들어가는 날 하루 휴가 낼 수 있나요?"
DUTY = "시청 당직 편성은 어느 과 담당이에요?"


def test_seoul_rules(server: dict[str, str], page: Page) -> None:
    url = server["url"]
    LoginPage(page, url, SHOTS).sign_in("admin01", server["password"])
    search = SeoulRulesSearchPage(page, url, SHOTS)
    search.open("매뉴얼 검색")
    search.start_fresh()

    # 1. A 복무 question: the evidence includes the city's 조례, its article, 종류 and 시행일 on the collapsed card.
    # The same clause is also in the 기간제노동자 관리 규정 (both are right, for different staff): the passages are
    # checked in 검색만, where every one is shown, since the scripted model cites [1] whatever it is.
    page.get_by_text("검색만", exact=True).click()
    search.settle()
    search.ask(LEAVE)
    summary = page.locator("summary", has_text="서울특별시 공무원 복무 조례 · 제24조 (특별휴가)")
    expect(summary.first).to_be_visible(timeout=LONG)
    for fact in (re.compile(r"· 조례 ·"), "시행일 2025-09-29"):
        expect(summary.first).to_contain_text(fact)  # title · 조 · 종류 · 시행일 (the rule's 시행일자)
    assert search.department_card().count() == 0  # not a "which department" question: no 담당 부서 card
    summary.first.click()
    search.settle()
    card = page.get_by_test_id("stExpander").filter(has=summary.first).first
    expect(card.get_by_text("담당 인사과").first).to_be_visible(timeout=LONG)  # the rule's 담당부서, opened
    expect(card.get_by_text("자녀 입영 당일").first).to_be_visible()  # the clause that answers, in the excerpt
    page.get_by_text("답변 생성", exact=True).click()
    search.settle()

    # 2. "Which 과?": the 담당 부서 card names the unit, the duty line and the article it is written in.
    search.new_conversation()
    search.ask(DUTY)
    expect(page.get_by_text(REPLY).first).to_be_visible(timeout=LONG)
    department = search.department_card()
    expect(department).to_be_visible()
    expect(department.locator("strong").nth(1)).to_have_text("행정국 총무과")  # the best unit first
    expect(department).to_contain_text("당직 및 보안에 관한 사항")
    expect(department).to_contain_text("서울특별시 행정기구 설치 조례 시행규칙 제17조의5")
    expect(search.citation_card(1)).to_be_visible()  # the usual answer and evidence below it
    expect(search.card_title(1)).to_contain_text(re.compile(r"시행(일| 예정) \d{4}-\d{2}-\d{2}"))
    search.open_card(1)
    expect(search.citation_card(1).get_by_text("출처 파일").first).to_be_visible(timeout=LONG)
    search.screenshot_whole("08-seoul-rules")
    check_page(search, "서울시 규정")
