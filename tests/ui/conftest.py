"""AppTest helpers: run app.py from the repository root under isolated settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


@pytest.fixture
def app_env(seoulai_env: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    # AppTest resolves st.Page paths against the main script's folder; the cwd only matters for .env.
    return seoulai_env


def press_release_wizard(app_env: pytest.MonkeyPatch, ollama_url: str) -> AppTest:
    """The drafting page on the fake model, 보도자료 chosen (its required fields still empty)."""
    app_env.setenv("SEOULAI_OLLAMA_URL", ollama_url)
    app_env.setenv("SEOULAI_EMBED__BACKEND", "none")
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("views/drafting.py").run()
    at.selectbox(key="dr_template").set_value("press_release").run()
    return at
