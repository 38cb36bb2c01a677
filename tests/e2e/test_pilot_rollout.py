"""The pilot rollout in a real browser (issue #34): the system administrator imports an 인사 export on 계정 관리
(preview, 적용, the initial passwords downloaded once), opens 행정국 and 디지털도시국 today and 재무국 next week on
개통·공지 and posts a 점검 안내; a 재무과 employee signs in with their initial password, must first change it for
their own, and then sees only 준비 중 with the date under the banner; the administrator opens 시범 운영
결과 on 이용 현황 and downloads the one-page report.
Every screen is checked like the other journeys (no English, no serious axe violation). The waves and the notice
are removed at the end: the other journeys share this server and must meet an open product."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import zipfile
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from seoulai.text.times import today_in_seoul
from tests.e2e.conftest import ROOT, SHOTS
from tests.e2e.pages import LONG, LoginPage, ManualSearchPage
from tests.e2e.pilot_pages import AccountsPage, ReviewPage, RolloutPage
from tests.e2e.screen_checks import check_page

FINANCE = "서울특별시/재무국/재무과"
NOTICE = "12월 8일(화) 18시~20시 정기 점검으로 잠시 쓸 수 없습니다."
OWN_PASSWORD = "재무과비밀번호2026"
PEOPLE = ("사번,이름,부서,직급,이메일,권한\n"
          f"fin01,정재무,{FINANCE},주무관,fin01@seoul.go.kr,staff\n"
          f"fin02,강재무,{FINANCE},사무관,,dept_admin\n"
          "gen11,윤총무,서울특별시/행정국/총무과,주무관,,staff\n")


def _sign_in(page: Page, url: str, account: str, password: str) -> None:
    page.goto(url)
    page.get_by_label("아이디").fill(account)
    page.get_by_label("비밀번호").fill(password)
    page.get_by_role("button", name="로그인").click()


def _server_cli(server: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The command line against the running server's own store (its environment read back from the process)."""
    env = dict(line.split("=", 1) for line in
               Path(f"/proc/{server['pid']}/environ").read_text(encoding="utf-8").split("\0") if "=" in line)
    return subprocess.run([sys.executable, "-m", "seoulai.cli", *args], env=env, cwd=ROOT, text=True,
                          capture_output=True, timeout=120)


def test_pilot_rollout(server: dict[str, str], browser: object, page: Page, tmp_path: Path) -> None:
    url, password = server["url"], server["password"]
    next_week = today_in_seoul() + timedelta(days=7)
    login = LoginPage(page, url, SHOTS)
    login.sign_in("admin01", password)
    try:
        search = ManualSearchPage(page, url, SHOTS)  # one question, so 이용 현황 has a figure to show
        search.open("매뉴얼 검색")
        search.ask("당직 근무는 누가 편성하나요?")
        expect(page.get_by_text("제목을 누르면 원문이 펼쳐집니다").last).to_be_visible(timeout=LONG)

        accounts = AccountsPage(page, url, SHOTS)
        accounts.open("계정 관리")
        people = tmp_path / "인사.csv"
        people.write_text(PEOPLE, encoding="utf-8")
        passwords = accounts.import_people(people)
        assert sorted(passwords) == ["fin01", "fin02", "gen11"]
        # 이메일 kept: the table is a canvas grid whose cells are in the page for screen readers, not drawn as text
        expect(page.locator("[role='gridcell']").filter(has_text="fin01@seoul.go.kr")).not_to_have_count(0)
        accounts.screenshot("14-accounts-import")
        check_page(accounts, "계정 관리 (일괄 가져오기)")

        rollout = RolloutPage(page, url, SHOTS)
        rollout.open("개통·공지")
        rollout.open_unit("행정국")
        rollout.open_unit("디지털도시국")
        rollout.open_unit("재무국", f"{next_week:%Y/%m/%d}")
        rollout.announce_maintenance(NOTICE)
        expect(page.get_by_text(NOTICE).first).to_be_visible()  # the banner, on this page too
        rollout.screenshot("15-rollout")
        check_page(rollout, "개통·공지")

        review = ReviewPage(page, url, SHOTS)
        review.open("이용 현황")
        review.open_review()
        review.screenshot("17-pilot-review")
        check_page(review, "이용 현황 (시범 운영 결과)")
        report = tmp_path / "시범운영결과.hwpx"
        review.download_report().save_as(report)
        with zipfile.ZipFile(report) as archive:
            assert "시범 운영 결과" in archive.read("Contents/section0.xml").decode("utf-8")
        login.sign_out()

        other = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ko-KR")  # type: ignore[attr-defined]  # a Browser
        try:
            second = other.new_page()
            waiting = LoginPage(second, url, SHOTS)
            _sign_in(second, url, "fin01", passwords["fin01"])
            expect(second.get_by_role("heading", name="처음 비밀번호를 바꾸세요")).to_be_visible(timeout=LONG)
            check_page(waiting, "처음 비밀번호 바꾸기")
            second.get_by_label("지금 비밀번호 (처음 비밀번호)").fill(passwords["fin01"])
            second.get_by_label("새 비밀번호", exact=True).fill(OWN_PASSWORD)
            second.get_by_label("새 비밀번호 확인").fill(OWN_PASSWORD)
            second.get_by_role("button", name="비밀번호 바꾸기").click()  # and on, in the same session
            expect(second.get_by_role("heading", name="준비 중입니다")).to_be_visible(timeout=LONG)
            day = f"{next_week.year}. {next_week.month}. {next_week.day}."
            expect(second.get_by_text(re.compile(f"재무국 > 재무과는 {re.escape(day)}부터 쓸 수 있습니다"))).to_be_visible()
            expect(second.get_by_text(NOTICE).first).to_be_visible()
            expect(second.get_by_role("link", name="매뉴얼 검색")).to_have_count(0)  # no pages at all
            waiting.screenshot("16-preparing")
            check_page(waiting, "준비 중")
        finally:
            other.close()
    finally:
        for unit in ("서울특별시/행정국", "서울특별시/디지털도시국", "서울특별시/재무국"):
            _server_cli(server, "rollout", "close", unit)
        listed = _server_cli(server, "announce", "list", "--json")
        for notice_id in re.findall(r'"id": "([^"]+)"', listed.stdout):
            _server_cli(server, "announce", "remove", notice_id)
        time.sleep(6)  # the servers' short cache of waves and notices (5 s)
