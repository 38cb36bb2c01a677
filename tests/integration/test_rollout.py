"""Rollout waves and the announcement banner (issue #34, point 2) on a real state store (SQLite and PostgreSQL):
no wave at all keeps everyone in; once a wave exists a unit is open when it or a unit above it has reached its
date (Seoul's today), the nearest wave with the earliest date names the day; system administrators are always
in; closing a unit hands the decision back to the units above; announcements show between their dates; every
change is an audit event; the command line (`seoulai rollout`, `seoulai announce`) says mistakes in Korean and
exits 2."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.errors import InputError
from seoulai.services import Services, build_services
from seoulai.services import rollout as rollout_module
from seoulai.services.accounts import AUDIT_ACTIONS
from tests.servers import clean_env, cli

CITY = "서울특별시"
BUREAU = "서울특별시/행정국"
GENERAL = "서울특별시/행정국/총무과"
DIGITAL = "서울특별시/디지털도시국/디지털정책과"
STAFF = Person("staff", "김직원", GENERAL, "staff")
OTHER = Person("other", "박남산", DIGITAL, "manager")
ADMIN = Person("admin", "관리자", DIGITAL, "admin")
TODAY = date(2026, 12, 7)


def _settings(root: Path, state_url: str | None, **auth: object) -> Settings:
    return Settings(data_dir=root / "data", index_dir=root / "idx", embed={"backend": "none"},
                    llm={"backend": "none"}, usage={"enabled": False}, state={"url": state_url}, auth=auth)


@pytest.fixture
def services(tmp_path: Path, state_url: str | None) -> Iterator[Services]:
    built = build_services(_settings(tmp_path, state_url))
    built.rollout.clock = lambda: TODAY
    try:
        yield built
    finally:
        built.close()


def _at(services: Services, day: date) -> None:
    services.rollout.clock = lambda: day


def _actions(services: Services) -> list[tuple[str, str]]:
    return [(row[4], row[5]) for row in services.state.audit.recent(100)][::-1]


def test_no_wave_at_all_keeps_everyone_in(services: Services) -> None:
    assert services.rollout.waves(ADMIN) == []
    for person in (STAFF, OTHER, ADMIN):
        assert services.rollout.status(person).open


def test_a_unit_opens_on_its_date_and_the_units_below_it_with_it(services: Services) -> None:
    wave = services.rollout.open_unit(BUREAU, date(2026, 12, 14), by=ADMIN)
    assert (wave.unit, wave.label, wave.open) == (BUREAU, "행정국", False)
    access = services.rollout.status(STAFF)
    assert not access.open and access.opens_on == date(2026, 12, 14) and access.decided_by == BUREAU
    assert access.message() == "행정국 > 총무과는 2026. 12. 14.부터 쓸 수 있습니다."
    other = services.rollout.status(OTHER)  # a wave exists, none covers 디지털도시국: not open, no date yet
    assert not other.open and other.opens_on is None and "아직 개통일이 정해지지 않았습니다" in other.message()
    assert services.rollout.status(ADMIN).open  # administrators prepare before anyone else
    _at(services, date(2026, 12, 13))
    assert not services.rollout.status(STAFF).open  # the day before, in Seoul
    _at(services, date(2026, 12, 14))
    assert services.rollout.status(STAFF).open and not services.rollout.status(OTHER).open
    assert [(w.unit, w.open) for w in services.rollout.waves(ADMIN)] == [(BUREAU, True)]


def test_a_past_date_opens_at_once_and_the_city_opens_every_unit(services: Services) -> None:
    services.rollout.open_unit(GENERAL, "2026-12-01", by=ADMIN)
    assert services.rollout.status(STAFF).open and not services.rollout.status(OTHER).open
    services.rollout.open_unit(CITY, TODAY, by=ADMIN)  # today counts as come
    assert services.rollout.status(OTHER).open


def test_the_nearest_earliest_wave_names_the_day_and_closing_hands_back_to_the_units_above(
        services: Services) -> None:
    services.rollout.open_unit(BUREAU, date(2026, 12, 21), by=ADMIN)
    services.rollout.open_unit(GENERAL, date(2026, 12, 14), by=ADMIN)
    access = services.rollout.status(STAFF)
    assert (access.opens_on, access.decided_by) == (date(2026, 12, 14), GENERAL)
    services.rollout.open_unit(GENERAL, date(2026, 12, 28), by=ADMIN)  # a later own date: the bureau opens it first
    assert services.rollout.status(STAFF).opens_on == date(2026, 12, 21)
    _at(services, date(2026, 12, 21))
    assert services.rollout.status(STAFF).open  # the unit above has come: open, whatever the unit's own date
    _at(services, TODAY)
    assert services.rollout.close_unit(GENERAL, by=ADMIN)
    access = services.rollout.status(STAFF)
    assert (access.opens_on, access.decided_by) == (date(2026, 12, 21), BUREAU)
    assert not services.rollout.close_unit(GENERAL, by=ADMIN)  # nothing left to remove
    assert services.rollout.close_unit("행정국", by=ADMIN)  # the last wave gone: everyone is in again
    assert services.rollout.waves(ADMIN) == [] and services.rollout.status(STAFF).open


def test_units_are_named_like_the_import_names_them_and_mistakes_are_said_in_korean(services: Services) -> None:
    assert services.rollout.unit_path("행정국 > 총무과") == GENERAL
    assert services.rollout.unit_path("디지털정책과") == DIGITAL  # a 과 name the chart has once
    with pytest.raises(InputError, match="조직도에 없는 부서") as bad:
        services.rollout.open_unit("서울특별시/없는국", TODAY, by=ADMIN)
    assert bad.value.code == "bad_department"
    with pytest.raises(InputError, match="2026-12-14처럼") as bad:
        services.rollout.open_unit(GENERAL, "2026-02-30", by=ADMIN)
    assert bad.value.code == "bad_date"
    assert services.rollout.open_unit(GENERAL, "2026. 12. 9.", by=ADMIN).opens_on == date(2026, 12, 9)
    for refused in (lambda: services.rollout.open_unit(GENERAL, TODAY, by=OTHER),
                    lambda: services.rollout.close_unit(GENERAL, by=STAFF), lambda: services.rollout.waves(OTHER),
                    lambda: services.rollout.announce("안내", "x", by=STAFF),
                    lambda: services.rollout.announcements(active_only=False, by=OTHER)):
        with pytest.raises(InputError, match="시스템 관리자만") as forbidden:
            refused()
        assert forbidden.value.code == "forbidden"


def test_a_unit_code_of_the_chart_names_the_unit(tmp_path: Path, state_url: str | None) -> None:
    chart = tmp_path / "chart.yaml"
    chart.write_text("name: 서울특별시\nchildren:\n  - name: 행정국\n    children:\n"
                     "      - {name: 총무과, code: '3000123', headcount: 5}\n", encoding="utf-8")
    built = build_services(_settings(tmp_path, state_url, org_chart=chart))
    try:
        assert built.rollout.open_unit("3000123", TODAY, by=ADMIN).unit == GENERAL
    finally:
        built.close()


def test_announcements_show_between_their_dates_newest_first(services: Services) -> None:
    later = services.rollout.announce("점검", "12월 8일 18시부터 점검합니다.", "2026-12-08", "2026-12-10", by=ADMIN)
    always = services.rollout.announce("안내", "시범 운영 중입니다.", by=ADMIN)
    gone = services.rollout.announce("새 기능", "초안 공유가 생겼습니다.", None, "2026-12-06", by=ADMIN)
    assert (later.kind, later.kind_label, later.urgent) == ("maintenance", "점검 안내", True)
    assert (gone.kind, always.kind, always.urgent) == ("feature", "notice", False)
    assert [a.id for a in services.rollout.announcements()] == [always.id]
    _at(services, date(2026, 12, 8))
    assert [a.id for a in services.rollout.announcements()] == [always.id, later.id]
    _at(services, date(2026, 12, 11))
    assert [a.id for a in services.rollout.announcements()] == [always.id]
    assert [a.id for a in services.rollout.announcements(active_only=False, by=ADMIN)] == [gone.id, always.id, later.id]
    services.rollout.remove(always.id, by=ADMIN)
    assert services.rollout.announcements() == []
    with pytest.raises(InputError, match="그런 공지가 없습니다") as missing:
        services.rollout.remove(always.id, by=ADMIN)
    assert missing.value.code == "not_found"


@pytest.mark.parametrize(("kind", "body", "start", "end", "code"), [
    ("휴가", "본문", None, None, "bad_kind"), ("안내", "  \n", None, None, "empty_announcement"),
    ("안내", "가" * 501, None, None, "announcement_too_long"), ("안내", "본문", "내일", None, "bad_date"),
    ("안내", "본문", "2026-12-10", "2026-12-09", "bad_date")])
def test_a_bad_announcement_is_refused_in_korean_and_nothing_is_stored(services: Services, kind: str, body: str,
                                                                       start: str | None, end: str | None,
                                                                       code: str) -> None:
    with pytest.raises(InputError) as refused:
        services.rollout.announce(kind, body, start, end, by=ADMIN)
    assert refused.value.code == code and re.match("[가-힣]", refused.value.message)  # a Korean sentence
    assert services.rollout.announcements(active_only=False, by=ADMIN) == []


def test_every_change_is_an_audit_event_with_a_korean_name(services: Services) -> None:
    services.rollout.open_unit(BUREAU, "2026-12-14", by=ADMIN)
    services.rollout.open_unit(BUREAU, "2026-12-15", by=ADMIN)
    services.rollout.close_unit(BUREAU, by=ADMIN)
    notice = services.rollout.announce("안내", "시범 운영 중입니다.", by=ADMIN)
    services.rollout.remove(notice.id, by=ADMIN)
    actions = [a for a in _actions(services) if a[0] in ("rollout_open", "rollout_close", "announcement_add",
                                                          "announcement_remove")]
    assert actions == [("rollout_open", f"{BUREAU} (2026-12-14)"),
                       ("rollout_open", f"{BUREAU} (2026-12-14 → 2026-12-15)"), ("rollout_close", BUREAU),
                       ("announcement_add", f"{notice.id} (안내)"), ("announcement_remove", notice.id)]
    shown = set(services.accounts.audit_log(ADMIN)["동작"])
    assert {"개통일 지정", "개통일 삭제(다시 준비 중)", "공지 등록", "공지 삭제"} <= shown
    assert {a for a, _ in actions} <= set(AUDIT_ACTIONS)


def test_another_server_sees_a_change_after_its_short_cache(tmp_path: Path, state_url: str | None,
                                                            services: Services,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    other = build_services(_settings(tmp_path, state_url))  # a second app server on the same state store
    try:
        other.rollout.clock = lambda: TODAY
        assert other.rollout.status(STAFF).open
        db = other.state.db
        before = db.queries
        assert other.rollout.status(STAFF).open and other.rollout.announcements() == []
        assert db.queries == before  # every rerun of every page asks: read from the cache, not the store
        services.rollout.open_unit(BUREAU, "2026-12-14", by=ADMIN)
        services.rollout.announce("점검", "곧 점검합니다.", by=ADMIN)
        monkeypatch.setattr(rollout_module, "CACHE_SECONDS", 0.0)  # as if the few seconds had passed
        assert not other.rollout.status(STAFF).open and len(other.rollout.announcements()) == 1
    finally:
        other.close()


# -- the command line (SQLite; each call a process of its own) ----------------------------------------------------
@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return clean_env(SEOULAI_DATA_DIR=str(tmp_path / "data"), SEOULAI_INDEX_DIR=str(tmp_path / "idx"),
                     SEOULAI_EMBED__BACKEND="none", SEOULAI_LLM__BACKEND="none", SEOULAI_USAGE__ENABLED="false")


def _audit(env: dict[str, str]) -> list[str]:
    with sqlite3.connect(Path(env["SEOULAI_DATA_DIR"]) / "state.sqlite") as db:
        actions = [r[0] for r in db.execute("SELECT action FROM audit ORDER BY ts")]
    db.close()
    return actions


def test_cli_opens_lists_and_closes_units(env: dict[str, str]) -> None:
    opened = cli(env, "rollout", "open", "행정국 > 총무과", "--on", "2000-01-01")
    assert opened.returncode == 0, opened.stderr
    assert f"{GENERAL} → 2000. 1. 1." in opened.stdout and "오늘부터 쓸 수 있습니다" in opened.stdout
    assert cli(env, "rollout", "open", BUREAU, "--on", "2999-12-31").returncode == 0
    listed = cli(env, "rollout", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == {"waves": [
        {"unit": BUREAU, "label": "행정국", "opens_on": "2999-12-31", "open": False},
        {"unit": GENERAL, "label": "행정국 > 총무과", "opens_on": "2000-01-01", "open": True}]}
    plain = cli(env, "rollout", "list")
    assert f"{BUREAU}\t2999. 12. 31.\t준비 중" in plain.stdout and "개통됨" in plain.stdout
    closed = cli(env, "rollout", "close", GENERAL)
    assert closed.returncode == 0 and "개통 일정을 삭제했습니다" in closed.stdout
    again = cli(env, "rollout", "close", GENERAL)
    assert again.returncode == 0 and "개통 일정이 없는 부서입니다" in again.stdout
    assert _audit(env) == ["rollout_open", "rollout_open", "rollout_close"]


def test_cli_bad_unit_or_date_exits_2_in_korean_and_changes_nothing(env: dict[str, str]) -> None:
    unit = cli(env, "rollout", "open", "서울특별시/없는국", "--on", "2026-12-14")
    assert unit.returncode == 2 and "조직도에 없는 부서입니다" in unit.stderr and "seoulai org list" in unit.stderr
    day = cli(env, "rollout", "open", GENERAL, "--on", "12/14", "--json")
    assert day.returncode == 2 and json.loads(day.stdout)["error"]["code"] == "bad_date"
    assert "2026-12-14처럼" in json.loads(day.stdout)["error"]["message"]
    missing = cli(env, "rollout", "open", GENERAL)
    assert missing.returncode == 2 and "명령을 잘못 입력했습니다" in missing.stderr
    assert json.loads(cli(env, "rollout", "list", "--json").stdout) == {"waves": []}


def test_cli_sets_lists_and_removes_announcements(env: dict[str, str]) -> None:
    made = cli(env, "announce", "set", "--kind", "점검", "오늘 18시 점검 <b>x</b>", "--until", "2999-01-01", "--json")
    assert made.returncode == 0, made.stderr
    notice = json.loads(made.stdout)
    assert (notice["kind"], notice["kind_label"], notice["active"]) == ("maintenance", "점검 안내", True)
    later = cli(env, "announce", "set", "--kind", "새기능", "다음 주 새 서식", "--from", "2999-01-01")
    assert later.returncode == 0 and "오늘은 표시되지 않습니다" in later.stdout
    listed = json.loads(cli(env, "announce", "list", "--json").stdout)["announcements"]
    assert [a["body"] for a in listed] == ["다음 주 새 서식", "오늘 18시 점검 <b>x</b>"]
    bad = cli(env, "announce", "set", "--kind", "휴가", "본문")
    assert bad.returncode == 2 and "점검, 새기능, 안내" in bad.stderr
    removed = cli(env, "announce", "remove", notice["id"])
    assert removed.returncode == 0 and "공지를 삭제했습니다" in removed.stdout
    unknown = cli(env, "announce", "remove", notice["id"])
    assert unknown.returncode == 2 and "그런 공지가 없습니다" in unknown.stderr
    assert _audit(env) == ["announcement_add", "announcement_add", "announcement_remove"]
