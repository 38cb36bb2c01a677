"""Page objects for the browser journey: tests say what a person does, these know where things are."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Download, Locator, Page, expect

LONG = 60_000  # ms: generation through the fake model, first Kiwi load on the server


class AppPage:
    def __init__(self, page: Page, base_url: str, shots: Path) -> None:
        self.page = page
        self.base_url = base_url
        self.shots = shots

    def nav(self, title: str) -> Locator:
        return self.page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=title)

    def open(self, title: str) -> None:
        self.settle()  # a click on the navigation while a script run is still going can be lost
        self.nav(title).click()
        expect(self.page.get_by_role("heading", name=title).first).to_be_visible(timeout=LONG)
        self.settle()

    def settle(self) -> None:
        """Wait until the script run is over and nothing on the page is faded out as stale."""
        idle = """() => !document.querySelector('[data-testid="stStatusWidget"]')
                   && !document.querySelector('[data-stale="true"]')"""
        for _ in range(2):  # twice: a run can start right after the first quiet moment (st.rerun)
            self.page.wait_for_function(idle, timeout=LONG)
            self.page.wait_for_timeout(400)

    def screenshot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def text(self) -> str:
        return self.page.locator("section.main, [data-testid='stMain']").first.inner_text()

    def all_text(self) -> str:
        """Everything a person reads or hears on the page (main area, sidebar, accessible names)."""
        labels = self.page.eval_on_selector_all("[aria-label]", "nodes => nodes.map(n => n.getAttribute('aria-label'))")
        return self.page.locator("body").inner_text() + "\n" + "\n".join(labels)  # and what a screen reader says

    def accessibility_violations(self) -> list[dict]:
        """Serious and critical axe-core violations of the page as it is now."""
        from axe_playwright_python.sync_playwright import Axe

        self.settle()
        results = Axe().run(self.page)
        return [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


class LoginPage(AppPage):
    def sign_in(self, account: str, password: str) -> None:
        self.page.goto(self.base_url)
        self.page.get_by_label("아이디").fill(account)
        self.page.get_by_label("비밀번호").fill(password)
        self.page.get_by_role("button", name="로그인").click()
        expect(self.nav("매뉴얼 검색")).to_be_visible(timeout=LONG)

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="로그아웃").click()
        expect(self.page.get_by_label("아이디")).to_be_visible(timeout=LONG)


class ManualSearchPage(AppPage):
    def ask(self, question: str) -> None:
        box = self.page.get_by_placeholder("질문을 입력하세요 (예: 민원 처리기간은 어떻게 계산하나요?)")
        box.fill(question)
        box.press("Enter")  # keyboard only
        expect(self.page.get_by_text("제목을 누르면 원문이 펼쳐집니다").last).to_be_visible(timeout=LONG)
        self.settle()

    def citation_card(self, number: int) -> Locator:
        title = self.page.locator("summary", has_text=f"[{number}]")
        return self.page.get_by_test_id("stExpander").filter(has=title).first

    def open_card(self, number: int) -> None:
        self.page.get_by_role("button", name=f"[{number}] 근거 열기").first.click()
        self.settle()

    def new_conversation(self) -> None:
        self.page.get_by_role("button", name="새 대화").click()
        expect(self.page.get_by_text("아래 입력창에 질문을 적어 보세요")).to_be_visible(timeout=LONG)

    def reopen(self, title_part: str) -> None:
        self.page.get_by_test_id("stSidebar").get_by_role("button", name=title_part).first.click()
        self.settle()


class DocQAPage(AppPage):
    def upload(self, files: list[Path]) -> None:
        self.page.locator("input[type='file']").first.set_input_files([str(f) for f in files])
        self.page.get_by_role("button", name="올리기", exact=True).click()
        for file in files:
            expect(self.page.get_by_text(f"{file.name}: ").first).to_be_visible(timeout=LONG)

    def ask(self, question: str) -> None:
        self.page.get_by_role("tab", name="질문하기").click()
        self.page.get_by_label("올린 문서에 대한 질문").fill(question)
        self.page.get_by_role("button", name="묻기").click()
        expect(self.page.get_by_text("제목을 누르면 원문이 펼쳐집니다").last).to_be_visible(timeout=LONG)


class DraftingPage(AppPage):
    def fill_examples_and_generate(self) -> None:
        self.page.get_by_role("button", name="예시로 채우기").click()
        self.page.get_by_role("button", name="모든 부분 생성").click()
        expect(self.page.get_by_role("button", name="HWPX (한글)")).to_be_visible(timeout=LONG)

    def edit_section(self, label: str, text: str) -> None:
        box = self.page.get_by_label(label, exact=True)
        box.fill(text)
        box.press("Tab")  # Streamlit takes the value when the field loses focus
        self.settle()

    def regenerate(self, section_id_label: str) -> None:
        self.page.get_by_role("button", name="다시 생성").first.click()
        expect(self.page.get_by_text(f"이전 판 1개 ({section_id_label})")).to_be_visible(timeout=LONG)
        self.settle()

    def open_versions(self, section_label: str) -> None:
        self.page.get_by_text(f"이전 판 1개 ({section_label})").click()
        self.settle()

    def restore_first_version(self) -> None:
        self.page.get_by_role("button", name="이 판으로 되돌리기").first.click()
        self.settle()

    def download_hwpx(self) -> Download:
        with self.page.expect_download(timeout=LONG) as info:
            self.page.get_by_role("button", name="HWPX (한글)").click()
        return info.value


class UsagePage(AppPage):
    def metric(self, label: str) -> str:
        metric = self.page.locator("[data-testid='stMetric']").filter(has_text=label).first
        expect(metric).to_be_visible(timeout=LONG)
        return metric.locator("[data-testid='stMetricValue']").inner_text()


class SeoulRulesSearchPage(ManualSearchPage):
    """매뉴얼 검색 with the city's own rules: the 담당 부서 card above an answer, a fresh conversation."""

    def start_fresh(self) -> None:
        """A new conversation unless the page is already empty (the same account may have asked before)."""
        if self.page.get_by_role("button", name="새 대화").is_enabled():
            self.new_conversation()

    def department_card(self) -> Locator:
        """The bordered 담당 부서 card (the innermost block that holds its heading)."""
        heading = self.page.get_by_text("🏢 담당 부서", exact=True)
        return self.page.get_by_test_id("stVerticalBlock").filter(has=heading).last

    def card_title(self, number: int) -> Locator:
        """The collapsed line of card [n]: title · 조 · 종류 · 시행일."""
        return self.citation_card(number).locator("summary").first

    def screenshot_whole(self, name: str) -> Path:
        """The whole conversation in one picture: Streamlit scrolls its main area inside a fixed-height page, so a
        full-page screenshot holds one screen only. The viewport grows (same width) to the main area's height for
        the picture and is put back after."""
        size = self.page.viewport_size or {"width": 1366, "height": 768}
        height = size["height"]
        for _ in range(3):  # the layout may move a little once it has more room
            needed = self.page.evaluate(
                "document.querySelector('[data-testid=\"stAppScrollToBottomContainer\"], .stMain').scrollHeight")
            if needed <= height:
                break
            height = needed
            self.page.set_viewport_size({"width": size["width"], "height": height})
            self.page.wait_for_timeout(300)
        try:
            return self.screenshot(name)
        finally:
            self.page.set_viewport_size(size)
            self.settle()


class DocQAMorePage(DocQAPage):
    """문서 Q&A's 요약 and 비교 tabs."""

    def choose(self, label: str, option: str) -> None:
        self.page.get_by_label(label).click()
        self.page.get_by_role("option", name=option, exact=True).click()
        self.settle()

    def summarise(self, doc: str) -> None:
        self.page.get_by_role("tab", name="요약").click()
        self.choose("요약할 문서", doc)
        self.page.get_by_role("button", name="요약하기").click()
        expect(self.page.get_by_role("button", name="요약 HWPX (한글)로 내려받기")).to_be_visible(timeout=LONG)
        self.settle()

    def compare(self, before: str, after: str) -> None:
        self.page.get_by_role("tab", name="비교").click()
        self.choose("이전 문서 (초안)", before)
        self.choose("이후 문서 (수정안)", after)
        self.page.get_by_role("button", name="비교하기").click()
        expect(self.page.get_by_role("button", name="비교 HWPX (한글)로 내려받기")).to_be_visible(timeout=LONG)
        self.settle()


class DraftSharePage(DraftingPage):
    """초안 작성's DOCX export and its 공유 section, and a colleague's 공유받은 초안."""

    def download_docx(self) -> Download:
        with self.page.expect_download(timeout=LONG) as info:
            self.page.get_by_role("button", name="DOCX (워드)").click()
        self.settle()  # the click's run (the export is counted) is over before the next step
        return info.value

    def share_with_first_colleague(self) -> None:
        """Open 공유 and share, read-only, with the first colleague listed (the only one of the 과 here)."""
        self.open_share_section()
        self.page.get_by_role("button", name="공유", exact=True).click()  # the row below says it was shared
        expect(self.page.get_by_text(re.compile(r"· 읽기 전용$"))).to_have_count(1, timeout=LONG)
        self.settle()
        self.open_share_section()  # the run after 공유 may draw the section folded again

    def open_share_section(self) -> None:
        """Unfold 공유 and see its 공유 button. A run still going (a download's click, the autosave) may draw the
        section anew, folded: unfold it again once the page is quiet, a few times at most."""
        summary = self.page.locator("summary").filter(has_text="공유").filter(has_not_text="공유받은").last
        details = self.page.locator("details").filter(has=summary).last
        button = self.page.get_by_role("button", name="공유", exact=True)
        for attempt in range(4):
            self.settle()
            if details.get_attribute("open") is None:
                summary.click()
            try:
                expect(button).to_be_visible(timeout=LONG if attempt == 3 else 10_000)
            except AssertionError:
                continue
            self.settle()
            if button.is_visible():
                return
        expect(button).to_be_visible()

    def open_shared(self, title: str) -> None:
        self.page.locator("summary").filter(has_text="공유받은 초안").click()
        row = self.page.get_by_test_id("stHorizontalBlock").filter(has_text=title).last
        row.get_by_role("button", name="열기").click()
        expect(self.page.get_by_text("동료가 공유한 초안입니다.", exact=False)).to_be_visible(timeout=LONG)
        self.settle()
