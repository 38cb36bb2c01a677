"""Page objects for the pilot rollout journey: 계정 관리's import, 개통·공지, the 준비 중 page, 시범 운영 결과."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from playwright.sync_api import Download, expect

from tests.e2e.pages import LONG, AppPage


class AccountsPage(AppPage):
    def import_people(self, csv_file: Path) -> dict[str, str]:
        """Upload an 인사 export, preview it, apply it; returns the initial passwords (사번 -> password) from the
        one-time download."""
        self.page.locator("input[type='file']").first.set_input_files(str(csv_file))
        self.settle()
        self.page.get_by_role("button", name="미리 보기").click()
        expect(self.page.get_by_text("미리 보기: 추가", exact=False)).to_be_visible(timeout=LONG)
        self.settle()
        self.page.get_by_role("button", name="적용").click()
        expect(self.page.get_by_text("가져왔습니다:", exact=False)).to_be_visible(timeout=LONG)
        self.settle()
        with self.page.expect_download(timeout=LONG) as info:
            self.page.get_by_role("button", name="처음 비밀번호 내려받기(CSV)").click()
        rows = csv.reader(io.StringIO(_text(info.value)))
        next(rows)  # 사번,처음 비밀번호
        return {row[0]: row[1] for row in rows}


class RolloutPage(AppPage):
    def open_unit(self, label: str, day: str | None = None) -> None:
        """개통일 지정 for ``label`` (as the 부서 list names it); ``day`` "2026/12/14" or today when None."""
        self.page.get_by_label("부서", exact=True).click()
        self.page.keyboard.type(label)
        self.page.get_by_role("option", name=label, exact=True).click()
        if day is not None:
            box = self.page.get_by_label("개통일", exact=True)
            box.click()
            box.press("Control+a")
            box.type(day.replace("/", ""))
            box.press("Escape")
        self.page.get_by_role("button", name="개통일 지정").click()
        expect(self.page.get_by_text(f"{label}의 개통일을", exact=False)).to_be_visible(timeout=LONG)
        self.settle()

    def announce_maintenance(self, body: str) -> None:
        """A 점검 안내 (the form's first kind, chosen as it opens)."""
        expect(self.page.get_by_role("combobox", name="종류")).to_have_value("점검 안내")
        self.page.get_by_label("내용 (그대로 표시됩니다)").fill(body)
        self.page.get_by_role("button", name="공지 등록").click()
        expect(self.page.get_by_text("공지를 등록했습니다.")).to_be_visible(timeout=LONG)
        self.settle()


class ReviewPage(AppPage):
    def open_review(self) -> None:
        self.page.get_by_text("시범 운영 결과 보기", exact=True).click()
        expect(self.page.locator("[data-testid='stMetric']").filter(has_text="이용자 / 대상자")).to_be_visible(
            timeout=LONG)
        self.settle()

    def download_report(self) -> Download:
        self.page.get_by_role("button", name="시범 운영 결과 파일 만들기").click()
        button = self.page.get_by_role("button", name="보고서 HWPX (한글)")
        expect(button).to_be_visible(timeout=LONG)
        self.settle()
        with self.page.expect_download(timeout=LONG) as info:
            button.click()
        self.settle()
        return info.value


def _text(download: Download) -> str:
    path = download.path()
    return Path(path).read_text(encoding="utf-8") if path else ""
