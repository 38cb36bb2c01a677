"""app.py renders its home page with the model up and with the model down."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.fakes.ollama_server import FakeOllama
from tests.ui.conftest import APP


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [m.value for m in at.sidebar.markdown]
    parts += [w.value for w in at.warning] + [s.value for s in at.success] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


def test_model_up(app_env: pytest.MonkeyPatch, fake_ollama: FakeOllama) -> None:
    app_env.setenv("SEOULAI_OLLAMA_URL", fake_ollama.url)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value.endswith("서울시 행정 AI 도우미")
    assert "언어 모델: 연결됨" in _texts(at)
    assert not at.warning
    assert at.success and "모든 기능" in at.success[0].value


def test_model_down_still_serves_and_explains(app_env: pytest.MonkeyPatch, dead_url: str) -> None:
    app_env.setenv("SEOULAI_OLLAMA_URL", dead_url)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    text = _texts(at)
    assert "언어 모델: 연결 안 됨" in text
    assert at.warning and "검색" in at.warning[0].value and "연결되지 않았습니다" in at.warning[0].value
    assert "ollama/setup.sh" in text
