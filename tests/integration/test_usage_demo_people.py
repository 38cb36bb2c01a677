"""Demo usage events for given people (the pilot benchmark's accounts): a review can join each event to an account."""

from __future__ import annotations

from pathlib import Path

import pytest

from seoulai.auth.orgchart import OrgChart
from seoulai.auth.people import Person
from seoulai.usage.demo import generate
from seoulai.usage.log import UsageLog


def _people(org: OrgChart, per_unit: int) -> list[tuple[str, str]]:
    units = [u.path for u in org.leaves() if u.path != org.root]
    return [(Person(f"{i:03d}{j:02d}", "시범", unit).pseudonym, unit)
            for i, unit in enumerate(units) for j in range(per_unit)]


def test_people_are_the_only_users_each_in_their_own_unit(tmp_path: Path) -> None:
    org = OrgChart.load()
    people = _people(org, 20)
    log = UsageLog(tmp_path / "usage.duckdb", spool_dir=tmp_path / "spool")
    try:
        assert log.append_table(generate(30_000, org, days=90, people=people)) == 30_000
        log.flush()
        pairs = set(log.query("SELECT DISTINCT user_id, department FROM events"))
        span = log.query("SELECT date_diff('day', min(ts), max(ts)) FROM events")[0][0]
    finally:
        log.close()
    assert pairs <= set(people)  # no invented user, nobody outside their own unit
    units = {d for _, d in people}
    used = {d for _, d in pairs}
    # A share of each unit adopts and about one unit in six not yet at all (as without people).
    assert len(used) >= len(units) * 2 // 3 and len(used) < len(units)
    assert len(people) // 10 <= len(pairs) < len(people)
    assert 80 <= span <= 90


def test_no_people_is_refused() -> None:
    with pytest.raises(ValueError):
        generate(100, OrgChart.load(), people=[])
