"""Accounts in bulk from an 인사 export (`seoulai users import`), and a transfer or role change: a malformed file
names each bad line and changes nothing; a good one adds people once (re-running changes nothing); --dry-run
applies nothing; CP949 CSV and XLSX read alike; a transfer or role change ends the person's open sessions (on
every server) so the next request carries the new unit and role; every change is an audit event."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from seoulai.auth.accounts import Accounts
from seoulai.auth.people import Person
from seoulai.auth.roles import Role
from seoulai.auth.sessions import Sessions
from seoulai.services.account_import import read_rows
from seoulai.state import open_state
from seoulai.state.stores import AccountRow
from tests.servers import clean_env, cli

GENERAL = "서울특별시/행정국/총무과"
DIGITAL = "서울특별시/디지털도시국/디지털정책과"
HEADER = "사번,이름,부서,직급,이메일,권한"
GOOD = f"{HEADER}\n2026001,김서울,{GENERAL},주무관,kim@seoul.go.kr,staff\n2026002,이행정,{DIGITAL},사무관,,manager\n"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return clean_env(SEOULAI_DATA_DIR=str(tmp_path / "data"), SEOULAI_INDEX_DIR=str(tmp_path / "idx"),
                     SEOULAI_AUTH__MODE="local", SEOULAI_EMBED__BACKEND="none", SEOULAI_LLM__BACKEND="none",
                     SEOULAI_USAGE__ENABLED="false")


def _listed(env: dict[str, str]) -> list[dict[str, object]]:
    result = cli(env, "users", "list", "--json")
    assert result.returncode == 0, result.stderr
    listed: list[dict[str, object]] = json.loads(result.stdout)
    return listed


def _actions(env: dict[str, str]) -> list[tuple[str, str]]:
    with sqlite3.connect(Path(env["SEOULAI_DATA_DIR"]) / "state.sqlite") as db:
        rows = [(r[0], r[1]) for r in db.execute("SELECT action, target FROM audit ORDER BY ts")]
    db.close()
    return rows


def test_a_malformed_file_names_each_bad_line_and_changes_nothing(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\n2026001,김서울,{GENERAL},주무관,,staff\n2026002,이행정,서울특별시/없는국/없는과,,,staff\n"
                   f"2026003,박시민,{GENERAL},,,boss\n2026004,,{GENERAL},,,staff\n2026001,김중복,{GENERAL},,,staff\n",
                   encoding="utf-8")
    result = cli(env, "users", "import", str(bad), "--json")
    assert result.returncode == 2, result.stderr
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "bad_import"
    assert [line["line"] for line in error["lines"]] == [3, 4, 5, 6]
    reasons = {line["line"]: line["reason"] for line in error["lines"]}
    assert "부서" in reasons[3] and "권한" in reasons[4] and "이름" in reasons[5] and "2번째 줄" in reasons[6]
    plain = cli(env, "users", "import", str(bad))
    assert plain.returncode == 2 and "3번째 줄" in plain.stderr and "적용하지 않았습니다" in plain.stderr
    assert _listed(env) == []  # nothing applied, not even the good line 2


def test_import_adds_once_dry_run_applies_nothing_and_a_rerun_changes_nothing(env: dict[str, str],
                                                                             tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))  # Excel's "CSV UTF-8" starts with a BOM
    dry = cli(env, "users", "import", str(people), "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    plan = json.loads(dry.stdout)
    assert (plan["added"], plan["changed"], plan["unchanged"], plan["applied"]) == (2, 0, 0, False)
    assert plan["passwords"] == {} and _listed(env) == []

    done = cli(env, "users", "import", str(people), "--json")
    assert done.returncode == 0, done.stderr
    applied = json.loads(done.stdout)
    assert applied["applied"] and sorted(applied["passwords"]) == ["2026001", "2026002"]
    assert all(len(p) >= 12 for p in applied["passwords"].values())
    assert [(a["id"], a["department"], a["role"], a["disabled"]) for a in _listed(env)] == [
        ("2026001", GENERAL, "staff", False), ("2026002", DIGITAL, "manager", False)]
    logged = [f.read_text(encoding="utf-8", errors="replace") for f in Path(env["SEOULAI_DATA_DIR"]).rglob("*.log")]
    assert not any(p in text for p in applied["passwords"].values() for text in logged)  # shown once, never logged
    audited = " ".join(target for _, target in _actions(env))
    assert not any(p in audited for p in applied["passwords"].values())

    again = cli(env, "users", "import", str(people))
    assert again.returncode == 0 and "변경 없음" in again.stdout

    people.write_text(GOOD.replace(f"{DIGITAL},사무관,,manager", f"{GENERAL},사무관,,dept_admin"), encoding="utf-8")
    moved = json.loads(cli(env, "users", "import", str(people), "--dry-run", "--json").stdout)
    assert (moved["added"], moved["changed"], moved["unchanged"]) == (0, 1, 1)
    assert [c["fields"] for c in moved["changes"] if c["kind"] == "changed"] == [["부서", "권한"]]
    assert _listed(env)[1]["department"] == DIGITAL  # the dry run applied nothing
    assert ("account_added", "2026001") in _actions(env)


def test_cp949_csv_and_xlsx_read_alike() -> None:
    cp949 = read_rows(GOOD.encode("cp949"), "인사.csv")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for line in GOOD.strip().split("\n"):
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    book.close()
    xlsx = read_rows(buffer.getvalue(), "인사.xlsx")
    assert cp949 == xlsx == read_rows(GOOD.encode("utf-8"), "인사.csv")
    assert cp949[0][0] == 2 and cp949[0][1]["이름"] == "김서울"


def test_a_file_too_large_is_refused_in_korean() -> None:
    from seoulai.errors import InputError

    with pytest.raises(InputError, match="줄"):
        read_rows((HEADER + "\n" + "1,김,a,b,c,staff\n" * 20001).encode("utf-8"), "big.csv")


def test_a_transfer_or_role_change_ends_the_sessions_on_every_server(tmp_path: Path, state_url: str | None) -> None:
    one, two = open_state(state_url, tmp_path, "one"), open_state(state_url, tmp_path, "two")
    Accounts(one.accounts).add("kim", "김서울", GENERAL, "staff", "pilot-pass-2026")
    kim = Person("kim", "김서울", GENERAL)
    on_one, on_two = Sessions(one.sessions, "secret", 60), Sessions(two.sessions, "secret", 60)
    cookies = [on_one.open(kim), on_two.open(kim)]
    assert two.accounts.update("kim", department=DIGITAL, updated_at="now") == (True, 2)
    assert [s.person(c) for s in (on_one, on_two) for c in cookies] == [None] * 4
    row = one.accounts.get("kim")
    assert row is not None and (row.department, row.role) == (DIGITAL, "staff")
    again = on_one.open(Person("kim", "김서울", DIGITAL))
    assert one.accounts.update("kim", department=DIGITAL, updated_at="now") == (False, 0)  # nothing to change
    assert one.accounts.update("kim", role=Role.MANAGER.value, updated_at="now") == (True, 1)
    assert on_two.person(again) is None
    assert one.accounts.update("nobody", role="staff", updated_at="now") is None
    # The import applies in one transaction: a failing row leaves nothing behind.
    with pytest.raises(Exception):  # noqa: B017 - the backend's own integrity error
        two.accounts.apply([AccountRow("lee", "이", GENERAL, "staff", "x", "now"),
                            AccountRow("lee", "이", GENERAL, "staff", "x", "now")], [])
    assert one.accounts.get("lee") is None
    one.close()
    two.close()


def test_transfer_and_role_from_the_command_line(env: dict[str, str]) -> None:
    made = cli(env, "users", "add", "kim", "--name", "김서울", "--department", GENERAL, "--password-stdin",
               stdin="pilot-pass-2026\n")
    assert made.returncode == 0, made.stderr
    moved = cli(env, "users", "transfer", "kim", "--department", "디지털정책과")
    assert moved.returncode == 0 and DIGITAL in moved.stdout, moved.stderr
    role = cli(env, "users", "role", "kim", "manager")
    assert role.returncode == 0, role.stderr
    assert [(a["department"], a["role"]) for a in _listed(env)] == [(DIGITAL, "manager")]
    bad = cli(env, "users", "transfer", "kim", "--department", "없는과", "--json")
    assert bad.returncode == 2 and json.loads(bad.stdout)["error"]["code"] == "bad_department"
    assert cli(env, "users", "role", "kim", "boss").returncode == 2
    assert cli(env, "users", "role", "nobody", "staff").returncode == 2
    actions = [a for a, _ in _actions(env)]
    assert "account_transfer" in actions and "account_role" in actions


def test_a_department_administrator_moves_with_a_successor_from_the_command_line(env: dict[str, str],
                                                                                   tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text(f"{HEADER}\nchief,이총무,{GENERAL},사무관,chief@seoul.go.kr,dept_admin\n"
                      f"mate,박총무,{GENERAL},주무관,,staff\n", encoding="utf-8")
    assert cli(env, "users", "import", str(people)).returncode == 0
    listed = {a["id"]: a for a in _listed(env)}
    assert (listed["chief"]["grade"], listed["chief"]["email"]) == ("사무관", "chief@seoul.go.kr")
    refused = cli(env, "users", "transfer", "chief", "--department", DIGITAL, "--json")
    assert refused.returncode == 2 and json.loads(refused.stdout)["error"]["code"] == "needs_successor"
    assert "Traceback" not in refused.stderr
    moved = cli(env, "users", "transfer", "chief", "--department", DIGITAL, "--successor", "mate")
    assert moved.returncode == 0 and "총무과 문서함 관리: chief → mate" in moved.stdout, moved.stderr
    assert {a["id"]: a["role"] for a in _listed(env)} == {"chief": "staff", "mate": "dept_admin"}
    assert "library_handover" in [a for a, _ in _actions(env)]
