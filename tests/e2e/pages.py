"""Page objects for the browser journey: tests say what a person does, these know where things are."""

from __future__ import annotations

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
        self.nav(title).click()
        expect(self.page.get_by_role("heading", name=title).first).to_be_visible(timeout=LONG)

    def screenshot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def text(self) -> str:
        return self.page.locator("section.main, [data-testid='stMain']").first.inner_text()


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
        expect(self.page.get_by_text("근거", exact=True).first).to_be_visible(timeout=LONG)

    def citation_card(self, number: int) -> Locator:
        return self.page.get_by_text(f"[{number}] ", exact=False).first


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
        expect(self.page.get_by_text("근거", exact=True).first).to_be_visible(timeout=LONG)


class DraftingPage(AppPage):
    def fill_examples_and_generate(self) -> None:
        self.page.get_by_role("button", name="예시로 채우기").click()
        self.page.get_by_role("button", name="모든 부분 생성").click()
        expect(self.page.get_by_role("button", name="HWPX (한글)")).to_be_visible(timeout=LONG)

    def download_hwpx(self) -> Download:
        with self.page.expect_download(timeout=LONG) as info:
            self.page.get_by_role("button", name="HWPX (한글)").click()
        return info.value


class UsagePage(AppPage):
    def metric(self, label: str) -> str:
        metric = self.page.locator("[data-testid='stMetric']").filter(has_text=label).first
        expect(metric).to_be_visible(timeout=LONG)
        return metric.locator("[data-testid='stMetricValue']").inner_text()
