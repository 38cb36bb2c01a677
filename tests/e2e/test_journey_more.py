"""The rest of the journey in a real browser, as one 총무과 employee: ask → follow up → upload two versions of a
plan → summarise one → compare them → draft → export (HWPX and DOCX) → share the draft with a colleague of the
same 과, who signs in elsewhere and opens it from 공유받은 초안. Everything is done by 총무과 (행정국), so none of it
counts in the 디지털도시국 figures test_journey.py checks on 이용 현황. Every screen is checked as test_journey.py
checks its own: no English a civil servant should not meet, no serious accessibility violation."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import REPLY, SHOTS
from tests.e2e.screen_checks import check_page
from tests.e2e.pages import DocQAMorePage, DraftSharePage, LoginPage, ManualSearchPage, SeoulRulesSearchPage

FIRST = "민원의 처리기간은 어떻게 계산하나요?"
FOLLOW_UP = "그 기간은 연장할 수 있나요?"
TITLE = "서울시, 공공 행정에 생성형 AI 도입"  # the start of the 보도자료 example title (예시로 채우기)
PLAN = """# 청사 에너지 절약 추진 계획

## 추진 배경

여름철 전력 수요가 늘어 청사의 냉방 전력을 줄일 필요가 있다. 각 부서는 점심시간에 사무실 조명을 끄고 \
퇴근할 때 컴퓨터 전원을 반드시 끈다. 실내 냉방 온도는 26도 이상으로 유지하고 복도 조명은 절반만 켠다. \
에너지 절약 실적은 매월 총무과에 보고한다.
"""
# Three edits, each between unchanged words: 26도 → 28도, 절반만 → 3분의 1만, 매월 → 분기마다.
REVISED = PLAN.replace("26도", "28도").replace("절반만", "3분의 1만").replace("매월", "분기마다")


def _plans(folder: Path) -> tuple[Path, Path]:
    before, after = folder / "에너지절약_초안.md", folder / "에너지절약_수정안.md"
    before.write_text(PLAN, encoding="utf-8")
    after.write_text(REVISED, encoding="utf-8")
    return before, after


def test_journey_more(server: dict[str, str], colleague: str, browser: object, page: Page, tmp_path: Path) -> None:
    url, password = server["url"], server["password"]
    login = LoginPage(page, url, SHOTS)
    login.sign_in("staff01", password)

    search = ManualSearchPage(page, url, SHOTS)
    search.open("매뉴얼 검색")
    if page.get_by_role("button", name="새 대화").is_enabled():  # the same account may have asked before
        search.new_conversation()
    search.ask(FIRST)
    expect(page.get_by_text(REPLY).first).to_be_visible(timeout=60_000)
    search.ask(FOLLOW_UP)  # refers to the first question: "그 기간"
    expect(page.get_by_test_id("stChatMessage").filter(has_text=FOLLOW_UP)).to_have_count(1, timeout=60_000)
    expect(page.get_by_text("제목을 누르면 원문이 펼쳐집니다")).to_have_count(2, timeout=60_000)  # both answered
    expect(page.get_by_text("🔁 앞 대화에 이어지는 질문으로 보고 이렇게 찾았습니다").first).to_be_visible()
    SeoulRulesSearchPage(page, url, SHOTS).screenshot_whole("09-follow-up")  # the whole conversation
    check_page(search, "매뉴얼 검색 (이어지는 질문)")

    documents = DocQAMorePage(page, url, SHOTS)
    documents.open("문서 Q&A")
    before, after = _plans(tmp_path)
    documents.upload([before, after])
    documents.summarise(after.name)
    expect(page.get_by_text(re.compile(r"요약$")).filter(has_text="에너지").first).to_be_visible()
    expect(page.get_by_text(REPLY.removesuffix(" [1].")).first).to_be_visible()  # what the fake model wrote
    documents.screenshot("10-doc-summary")
    check_page(documents, "문서 Q&A (요약)")
    documents.compare(before.name, after.name)
    expect(page.get_by_text(re.compile(r"변경 3건")).first).to_be_visible(timeout=60_000)  # the three edits
    documents.screenshot("11-doc-compare")
    check_page(documents, "문서 Q&A (비교)")

    drafting = DraftSharePage(page, url, SHOTS)
    drafting.open("초안 작성")
    drafting.fill_examples_and_generate()
    drafting.settle()
    hwpx = tmp_path / "초안.hwpx"
    drafting.download_hwpx().save_as(hwpx)
    drafting.settle()  # the click's run is over before the next click
    with zipfile.ZipFile(hwpx) as archive:
        assert "Contents/section0.xml" in archive.namelist()
        assert TITLE in archive.read("Contents/section0.xml").decode("utf-8")
    docx = tmp_path / "초안.docx"
    drafting.download_docx().save_as(docx)
    with zipfile.ZipFile(docx) as archive:
        assert TITLE in archive.read("word/document.xml").decode("utf-8")
    drafting.share_with_first_colleague()
    expect(page.get_by_text(re.compile(r"최주무관 · 읽기 전용")).first).to_be_visible()
    drafting.screenshot("12-draft-share")
    check_page(drafting, "초안 작성 (공유)")
    login.sign_out()

    other = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ko-KR")  # type: ignore[attr-defined]  # a Browser
    try:
        second = other.new_page()
        LoginPage(second, url, SHOTS).sign_in(colleague, password)
        shared = DraftSharePage(second, url, SHOTS)
        shared.open("초안 작성")
        shared.open_shared(TITLE)
        expect(second.get_by_text("읽기 전용이라 고친 내용은 저장되지 않습니다.", exact=False)).to_be_visible()
        expect(second.get_by_label("제목 *", exact=True)).to_have_value(re.compile(re.escape(TITLE)), timeout=60_000)
        expect(second.get_by_label("리드 문단", exact=True)).to_be_disabled()  # read-only: nothing can be changed
        shared.screenshot("13-shared-draft")
        check_page(shared, "공유받은 초안 (읽기 전용)")
    finally:
        other.close()
