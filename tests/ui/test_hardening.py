"""Production mode refuses unsafe server options; limits on model calls per person."""

from __future__ import annotations


import pytest
from streamlit.testing.v1 import AppTest

from seoulai.ui.hardening import unsafe_options
from tests.ui.conftest import APP

SAFE = {"server.enableXsrfProtection": True, "client.showErrorDetails": "none", "browser.gatherUsageStats": False}


def test_safe_options_pass() -> None:
    assert unsafe_options(SAFE.__getitem__) == []


@pytest.mark.parametrize(("option", "value", "phrase"), [
    ("server.enableXsrfProtection", False, "XSRF"),
    ("client.showErrorDetails", "full", "오류 상세"),
    ("client.showErrorDetails", True, "오류 상세"),
    ("browser.gatherUsageStats", True, "사용 통계"),
])
def test_each_unsafe_option_is_named(option: str, value: object, phrase: str) -> None:
    options = {**SAFE, option: value}
    problems = unsafe_options(options.__getitem__)
    assert len(problems) == 1 and phrase in problems[0]


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



def test_repository_server_config_is_safe() -> None:
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(APP).parent / ".streamlit" / "config.toml").read_text(encoding="utf-8"))

    def get(name: str) -> object:
        section, key = name.split(".")
        return config[section][key]

    assert unsafe_options(get) == []
    assert config["server"]["maxUploadSize"] == 50  # equal to SEOULAI_INGEST__MAX_FILE_MB's default
