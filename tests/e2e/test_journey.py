"""The whole journey in a real browser: sign in → ask → reload (still signed in, the conversation back) → a new
topic, then reopen the old conversation → upload and ask → draft, edit, regenerate, restore a version, export →
a manager sees exactly their part of the city. Every page is checked for English words a civil servant should not
meet and for serious accessibility violations (axe-core); the chat input is reached by keyboard alone."""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Page, expect

from seoulai.config import IngestSettings
from seoulai.ingest.readers import read_document
from tests.e2e.conftest import REPLY, SHOTS
from tests.e2e.screen_checks import check_page
from tests.e2e.pages import DocQAPage, DraftingPage, LoginPage, ManualSearchPage, UsagePage

FIRST = "민원의 처리기간은 어떻게 계산하나요?"


def test_journey(server: dict[str, str], page: Page, shared_dir: Path, tmp_path: Path) -> None:
    url, password = server["url"], server["password"]
    login = LoginPage(page, url, SHOTS)
    page.goto(url)
    expect(page.get_by_label("아이디")).to_be_visible(timeout=60_000)
    assert "/login" in page.url and "매뉴얼 관리" not in page.content()  # nothing of the app before sign-in
    login.screenshot("01-login")
    login.sign_in("admin01", password)
    login.screenshot("02-home")
    check_page(login, "홈")

    search = ManualSearchPage(page, url, SHOTS)
    search.open("매뉴얼 검색")
    for _ in range(40):  # keyboard only: Tab reaches the chat input
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.tagName") == "TEXTAREA":
            break
    assert page.evaluate("document.activeElement.getAttribute('placeholder') || ''").startswith("질문을 입력하세요")
    search.ask(FIRST)
    expect(page.get_by_text(REPLY).first).to_be_visible(timeout=60_000)  # exactly what the fake model said
    card = search.citation_card(1)
    expect(card).to_be_visible()
    expect(card).to_contain_text("제19조 (처리기간의 계산)")
    search.open_card(1)
    expect(card.get_by_text("8시간의 근무시간").first).to_be_visible(timeout=60_000)  # the card's text, opened
    search.screenshot("03-manual-search")
    check_page(search, "매뉴얼 검색")

    page.reload()  # F5: still signed in, the conversation back
    expect(page.get_by_text(REPLY).first).to_be_visible(timeout=60_000)
    assert page.get_by_label("비밀번호").count() == 0
    search.new_conversation()
    search.ask("개인정보 보호위원회는 어떻게 구성되나요?")
    expect(page.get_by_text(REPLY).first).to_be_visible(timeout=60_000)
    search.reopen(FIRST[:12])  # the old conversation, from the sidebar
    expect(page.get_by_text(FIRST).first).to_be_visible(timeout=60_000)

    documents = DocQAPage(page, url, SHOTS)
    documents.open("문서 Q&A")
    samples = shared_dir / "samples"
    documents.upload([samples / "hwpx" / "mcst_press_release_2024-01-02.hwpx", samples / "pdf" / "경희규정1.pdf"])
    expect(page.get_by_text(re.compile(r"경희규정1\.pdf: 2쪽")).first).to_be_visible()
    documents.screenshot("04-doc-upload")
    check_page(documents, "문서 Q&A")
    documents.ask("학술상 운영위원회는 누가 구성하나요?")
    expect(page.get_by_text(REPLY).first).to_be_visible(timeout=60_000)
    documents.screenshot("05-doc-qa")

    drafting = DraftingPage(page, url, SHOTS)
    drafting.open("초안 작성")
    drafting.fill_examples_and_generate()
    drafting.edit_section("리드 문단", "직접 고친 리드 문단입니다.")
    drafting.regenerate("리드 문단")
    drafting.open_versions("리드 문단")
    expect(page.get_by_text("직접 고친 리드 문단입니다.", exact=True).first).to_be_visible()  # the hand edit was kept
    drafting.restore_first_version()
    expect(page.get_by_label("리드 문단", exact=True)).to_have_value("직접 고친 리드 문단입니다.", timeout=60_000)
    drafting.screenshot("06-drafting")
    check_page(drafting, "초안 작성")
    download = drafting.download_hwpx()
    saved = tmp_path / "보도자료.hwpx"
    download.save_as(saved)
    reopened = read_document(saved, IngestSettings())
    text = " ".join(b.text for b in reopened.blocks)
    assert "서울시, 공공 행정에 생성형 AI 도입" in text and "직접 고친 리드 문단입니다." in text
    assert "02-2133-0000" in text and "보도 시점" in reopened.blocks[0].text  # the head block opens the file
    login.sign_out()

    login.sign_in("staff01", password)  # another 국: must not count for 디지털도시국's manager
    search.open("매뉴얼 검색")
    search.ask("처분의 사전 통지는 언제 해야 하나요?")
    login.sign_out()

    login.sign_in("manager01", password)
    usage = UsagePage(page, url, SHOTS)
    usage.open("이용 현황")
    # Figures are folded every second and reused for dashboard_cache (30 s): on busy cores the last question may
    # land after the first look, so look again for up to 75 s; staff01's question must never be counted.
    deadline = time.monotonic() + 75
    while (questions := int(usage.metric("질문").replace(",", "").removesuffix("건"))) < 3 and \
            time.monotonic() < deadline:
        page.wait_for_timeout(5_000)
        page.reload()
    assert questions == 3  # the administrator's two manual questions and one document question, not staff01's
    expect(page.locator("[data-testid='stPlotlyChart']").first).to_be_visible(timeout=60_000)
    usage.screenshot("07-usage")
    check_page(usage, "이용 현황")
