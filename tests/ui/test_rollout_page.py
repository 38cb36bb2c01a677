"""Rollout waves and the banner in the app (issue #34, point 2): a person of a unit not open yet sees only the
준비 중 page with the date and a sign-out button, whatever page the URL names; the banner is on top of every page
(the 준비 중 page too) as plain text; the system administrator opens a unit and edits the banner on 개통·공지."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from seoulai.services import RolloutService, today_in_seoul
from seoulai.services.rollout import seoul_date
from seoulai.ui.login import TEST_COOKIE
from tests.ui.conftest import APP
from tests.ui.test_account_admin import _cookie, local  # noqa: F401 - the fixture

BUREAU = "서울특별시/행정국"
GENERAL = "서울특별시/행정국/총무과"
LATER = today_in_seoul() + timedelta(days=30)  # within the date pickers' range
SHOWN = f"행정국 &gt; 총무과는 {seoul_date(LATER)}부터 쓸 수 있습니다."
# Every page of the app with its title (home's is the app's name).
PAGES = {"views/home.py": "🏛️ 서울시 행정 AI 도우미", "views/manual_search.py": "📚 매뉴얼 검색",
         "views/doc_qa.py": "📄 문서 Q&A", "views/drafting.py": "✍️ 초안 작성", "views/rollout.py": "🚦 개통·공지",
         "views/audit.py": "🧾 감사 기록"}


def _rollout() -> RolloutService:
    """The service of the app's own process-wide services (the same settings as the AppTest's)."""
    from seoulai.ui import get_services

    return get_services().rollout


def _app(account: str, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[TEST_COOKIE] = _cookie(account)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception
    return at


def _deep_link(account: str, page: str) -> AppTest:
    """A new tab opened on a page's own URL: before the first run AppTest names the page by its file name, which
    is the URL path st.Page gives it (what a bookmark or a shared link asks for)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[TEST_COOKIE] = _cookie(account)
    at.switch_page(page).run()
    assert not at.exception
    return at


def _html(markdown: str) -> str:
    return MarkdownIt("commonmark").render(markdown)


def _preparing(at: AppTest) -> bool:
    """Only the 준비 중 page: its title and date, no navigation, no page of the app, a sign-out button alone."""
    titles = [t.value for t in at.title]
    shown = titles == ["🚧 준비 중입니다"] and any(
        SHOWN in _html(i.value) for i in at.info)
    return (shown and not at.text_input and not at.chat_input and not at.dataframe
            and [b.key for b in at.button] == ["logout"])


def test_a_closed_unit_sees_only_the_preparing_page_whatever_the_url(local: pytest.MonkeyPatch) -> None:  # noqa: F811 - local is the imported fixture
    for page, title in list(PAGES.items())[:4]:  # the link opens the page while the unit is open
        assert [t.value for t in _deep_link("staff", page).title] == [title]
    _rollout().open_unit(BUREAU, LATER)
    at = _app("staff")
    assert _preparing(at), [t.value for t in at.title]
    for page in PAGES:  # app.py runs first for every page's URL: the gate stops there
        assert _preparing(_deep_link("staff", page)), page
    for page, title in PAGES.items():  # administrators are always in, to prepare
        assert [t.value for t in _deep_link("admin", page).title] == [title]

    _rollout().close_unit(BUREAU)  # a tab already on a page when its unit closes
    at = _app("staff", "views/drafting.py")
    _rollout().open_unit(BUREAU, LATER)
    assert _preparing(at.run())
    _rollout().open_unit(GENERAL, date(2000, 1, 1))  # its own wave has come: open, the 행정국's date left as it is
    at.run().switch_page("views/manual_search.py").run()
    assert [t.value for t in at.title] == ["📚 매뉴얼 검색"] and at.chat_input


def test_the_banner_is_on_every_page_as_plain_text(local: pytest.MonkeyPatch) -> None:  # noqa: F811 - local is the imported fixture
    _rollout().announce("점검", "오늘 18시 **bold** <b>x</b> 점검\n둘째 줄")
    _rollout().announce("새기능", "초안 공유가 생겼습니다.")
    _rollout().announce("안내", "아직 아님", "2999-01-01")
    at = _app("staff")
    for page in [None, *list(PAGES)[1:4]]:
        if page:
            at.switch_page(page).run()
        warning = next(w.value for w in at.warning if "점검 안내" in w.value)
        html = _html(warning)
        assert "**bold** &lt;b&gt;x&lt;/b&gt; 점검<br />\n둘째 줄" in html and "<b>" not in html
        assert "<strong>점검 안내</strong>" in html and html.count("<strong>") == 1
        assert any("새 기능" in i.value and "초안 공유가 생겼습니다" in i.value for i in at.info)
        assert not any("아직 아님" in i.value for i in at.info)  # not before its start date
    _rollout().open_unit(BUREAU, LATER)
    at = _deep_link("staff", "views/drafting.py")
    assert _preparing(at) and any("점검 안내" in w.value for w in at.warning)  # the 준비 중 page has it too


def test_staff_cannot_open_the_rollout_page(local: pytest.MonkeyPatch) -> None:  # noqa: F811 - local is the imported fixture
    at = _deep_link("staff", "views/rollout.py")  # not in their navigation: the home page instead
    assert [t.value for t in at.title] == [PAGES["views/home.py"]]


def test_administrator_opens_a_unit_and_edits_the_banner(local: pytest.MonkeyPatch) -> None:  # noqa: F811 - local is the imported fixture
    at = _app("admin", "views/rollout.py")
    assert [t.value for t in at.title] == ["🚦 개통·공지"]
    assert any("모든 부서가 쓸 수 있습니다" in i.value for i in at.info)
    at.selectbox(key="rollout_unit").select(GENERAL)
    at.date_input(key="rollout_date").set_value(LATER)
    at.button(key="rollout_open").click().run()
    assert not at.exception and any(f"행정국 > 총무과의 개통일을 {seoul_date(LATER)}로 정했습니다" in s.value
                                 for s in at.success)
    table = next(d.value for d in at.dataframe if "개통일" in d.value.columns)
    assert table.to_dict("records") == [{"부서": "행정국 > 총무과", "개통일": seoul_date(LATER), "상태": "준비 중"}]
    assert _preparing(_app("staff"))

    at.selectbox(key="announce_kind").select("maintenance")
    at.text_area(key="announce_body").input("오늘 18시 점검")
    at.date_input(key="announce_until").set_value(LATER)
    at.button(key="announce_add").click().run()
    assert not at.exception and any("공지를 등록했습니다" in s.value for s in at.success)
    assert any("점검 안내" in w.value and "오늘 18시 점검" in w.value for w in at.warning)  # the banner, at once
    notices = next(d.value for d in at.dataframe if "내용" in d.value.columns)
    assert list(notices["상태"]) == ["표시 중"] and list(notices["종료일"]) == [seoul_date(LATER)]

    at.button(key="announce_remove").click().run()
    assert any("공지를 삭제했습니다" in s.value for s in at.success)
    assert not any("점검 안내" in w.value for w in at.warning)
    at.button(key="rollout_close").click().run()
    assert any("개통 일정을 삭제했습니다" in s.value for s in at.success)
    assert _app("staff").title[0].value == "🏛️ 서울시 행정 AI 도우미"  # no wave left: everyone is in again
    actions = set(_app("admin", "views/audit.py").dataframe[0].value["동작"])
    assert {"개통일 지정", "개통일 삭제(다시 준비 중)", "공지 등록", "공지 삭제"} <= actions
