"""AppTest helpers: run app.py from the repository root under isolated settings."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


@pytest.fixture
def app_env(seoulai_env: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    # AppTest resolves st.Page paths against the main script's folder; the cwd only matters for .env.
    return seoulai_env
