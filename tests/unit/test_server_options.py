"""Which Streamlit options production mode refuses, and that the repository's own server config is safe."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from seoulai.ui.hardening import unsafe_options

ROOT = Path(__file__).resolve().parents[2]
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


def test_repository_server_config_is_safe() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))

    def get(name: str) -> object:
        section, key = name.split(".")
        return config[section][key]

    assert unsafe_options(get) == []
    assert config["server"]["maxUploadSize"] == 50  # equal to SEOULAI_INGEST__MAX_FILE_MB's default
    assert config["server"]["fileWatcherType"] == "none"  # a session's first screen without watching the code
