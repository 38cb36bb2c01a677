"""The whole journey in a real browser: sign in → manual search with a cited answer → upload and ask →
draft a 보도자료 and export HWPX → a manager sees the usage just made. Screenshots of each page."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from seoulai.config import IngestSettings
from seoulai.ingest.readers import read_document
from tests.e2e.conftest import REPLY, SHOTS
from tests.e2e.pages import DocQAPage, DraftingPage, LoginPage, ManualSearchPage, UsagePage


def test_journey(server: dict[str, str], page: Page, shared_dir: Path, tmp_path: Path) -> None:
    url, password = server["url"], server["password"]
    login = LoginPage(page, url, SHOTS)
    page.goto(url)
    expect(page.get_by_label("아이디")).to_be_visible(timeout=60_000)
    login.screenshot("01-login")
    login.sign_in("admin01", password)
    login.screenshot("02-home")

    search = ManualSearchPage(page, url, SHOTS)
    search.open("매뉴얼 검색")
    search.ask("민원의 처리기간은 어떻게 계산하나요?")
    expect(page.get_by_text(REPLY).first).to_be_visible(timeout=60_000)  # exactly what the fake model said
    card = search.citation_card(1)
    expect(card).to_be_visible()
    expect(page.get_by_text(re.compile(r"제19조 \(처리기간의 계산\)")).first).to_be_visible()
    search.screenshot("03-manual-search")

    documents = DocQAPage(page, url, SHOTS)
    documents.open("문서 Q&A")
    samples = shared_dir / "samples"
    documents.upload([samples / "hwpx" / "mcst_press_release_2024-01-02.hwpx", samples / "pdf" / "경희규정1.pdf"])
    expect(page.get_by_text(re.compile(r"경희규정1\.pdf: 2쪽")).first).to_be_visible()
    documents.screenshot("04-doc-upload")
    documents.ask("학술상 운영위원회는 누가 구성하나요?")
    expect(page.get_by_text(REPLY).first).to_be_visible(timeout=60_000)
    documents.screenshot("05-doc-qa")

    drafting = DraftingPage(page, url, SHOTS)
    drafting.open("초안 작성")
    drafting.fill_examples_and_generate()
    drafting.screenshot("06-drafting")
    download = drafting.download_hwpx()
    saved = tmp_path / "보도자료.hwpx"
    download.save_as(saved)
    reopened = read_document(saved, IngestSettings())
    text = " ".join(b.text for b in reopened.blocks)
    assert "서울시, 공공 행정에 생성형 AI 도입" in text and REPLY in text and "02-2133-0000" in text
    login.sign_out()

    login.sign_in("manager01", password)
    usage = UsagePage(page, url, SHOTS)
    usage.open("이용 현황")
    questions = int(usage.metric("질문").replace(",", "").removesuffix("건"))
    assert questions >= 2  # the two questions asked above, by the administrator in the same 실/국
    expect(page.locator("[data-testid='stPlotlyChart']").first).to_be_visible(timeout=60_000)
    usage.screenshot("07-usage")
