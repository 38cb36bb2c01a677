"""The daily model quota starts again at midnight in Seoul, not at 09:00 KST when the server's clock says UTC."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from seoulai.limits import ModelQuota, RateLimited
from seoulai.state import open_state


def _at(utc: str) -> float:
    return datetime.fromisoformat(utc).replace(tzinfo=timezone.utc).timestamp()


def test_the_day_turns_at_midnight_in_seoul(tmp_path: Path) -> None:
    state = open_state(None, tmp_path, "test")
    try:
        quota = ModelQuota(state.quotas, per_minute=10, per_day=1)
        quota.take("kim", now=_at("2026-12-07T14:50:00"))  # 23:50 on 7 December in Seoul
        with pytest.raises(RateLimited):
            quota.take("kim", now=_at("2026-12-07T14:55:00"))  # the same Seoul day: spent
        quota.take("kim", now=_at("2026-12-07T15:10:00"))  # 00:10 on 8 December in Seoul: a new day
    finally:
        state.close()
