"""Production mode: the app refuses to serve with unsafe Streamlit options or without sign-in, also when started
directly as `streamlit run app.py` (the checks themselves: tests/unit/test_server_options.py)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import APP
from tests.unit.test_server_options import SAFE


def test_app_refuses_to_serve_in_production_with_unsafe_options(app_env: pytest.MonkeyPatch) -> None:
    from streamlit import config

    app_env.setenv("SEOULAI_PRODUCTION", "true")
    saved = {name: config.get_option(name) for name in SAFE}
    try:
        for name, value in {**SAFE, "server.enableXsrfProtection": False}.items():
            config.set_option(name, value)
        at = AppTest.from_file(APP, default_timeout=30).run()
        assert any("시작할 수 없습니다" in e.value and "XSRF" in e.value for e in at.error)
        assert not at.title  # no page was served
        for name, value in SAFE.items():  # the values of the repository's .streamlit/config.toml
            config.set_option(name, value)
        at = AppTest.from_file(APP, default_timeout=30).run()  # safe options, but nobody signs in (auth none)
        assert any("시작할 수 없습니다" in e.value and "SEOULAI_AUTH__MODE" in e.value for e in at.error)
        assert not at.title
        app_env.setenv("SEOULAI_PRODUCTION", "false")
        at = AppTest.from_file(APP, default_timeout=30).run()
        assert not at.error and at.title
    finally:
        for name, value in saved.items():
            config.set_option(name, value)


def test_a_failure_inside_a_page_is_a_korean_notice_not_streamlits_error_page(
        app_env: pytest.MonkeyPatch, tmp_path) -> None:
    """Whatever breaks inside a page (here: the search itself) shows a Korean notice with an incident number; the
    page's exception never reaches Streamlit, whose error page links to Google and ChatGPT."""
    from seoulai.retrieval.index import SearchIndex

    def broken(*args, **kwargs):
        raise IndexError("index 349 is out of bounds for axis 0 with size 349")

    app_env.setenv("SEOULAI_EMBED__BACKEND", "none")
    app_env.setattr(SearchIndex, "search", broken)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("views/manual_search.py").run()
    at.chat_input[0].set_value("민원의 처리기간은 어떻게 계산하나요?").run()
    assert not at.exception
    notices = [e.value for e in at.error]
    assert any("문제가 생겼습니다" in n and "기록 번호" in n for n in notices), notices
    assert not any("IndexError" in n or "out of bounds" in n for n in notices)
    assert at.sidebar.markdown  # the rest of the app is still drawn
