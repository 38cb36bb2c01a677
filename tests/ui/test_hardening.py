"""Production mode: the app refuses to serve with unsafe Streamlit options (the checks themselves:
tests/unit/test_server_options.py)."""

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
        at = AppTest.from_file(APP, default_timeout=30).run()
        assert not at.error and at.title
    finally:
        for name, value in saved.items():
            config.set_option(name, value)
