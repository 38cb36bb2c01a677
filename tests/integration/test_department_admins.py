"""Department administrators (issue #34, point 3) and the rest of point 1, on a real state store (SQLite and
PostgreSQL): a 과 or 실/국 administrator manages the accounts and collections of their unit and sees its usage
roll-up, nothing outside it, and gives no role above their own; an import stores 직급 and 이메일; a 부서 관리자
who moves hands their 과's collections to a successor in the same step; imported accounts sign in with their
initial password."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.errors import InputError
from seoulai.services import Services, build_services

GUK = "서울특별시/행정국"
GENERAL = f"{GUK}/총무과"
PERSONNEL = f"{GUK}/인사과"
LOCAL = f"{GUK}/자치행정과"
DIGITAL = "서울특별시/디지털도시국/디지털정책과"
HEADER = "사번,이름,부서,직급,이메일,권한\n"
CITY = (f"{HEADER}a01,김국장,{GUK},3급,a01@seoul.go.kr,dept_admin\nb01,이총무,{GENERAL},주무관,,dept_admin\n"
        f"b02,박총무,{GENERAL},주무관,b02@seoul.go.kr,staff\nc01,최인사,{PERSONNEL},6급,,staff\n"
        f"d01,정디지,{DIGITAL},주무관,,staff\nm01,한과장,{GENERAL},과장,,manager\n")


@pytest.fixture
def services(tmp_path: Path, state_url: str | None) -> Iterator[Services]:
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "idx", embed={"backend": "none"},
                        llm={"backend": "none"}, usage={"enabled": False}, state={"url": state_url},
                        auth={"mode": "local"})
    built = build_services(settings)
    built.accounts.import_users(CITY.encode(), "인사.csv")
    try:
        yield built
    finally:
        built.close()


def _person(services: Services, account_id: str) -> Person:
    return next(a for a in services.accounts.users() if a.id == account_id).person()


def _role(services: Services, account_id: str) -> str:
    return next(a.role for a in services.accounts.users() if a.id == account_id)


def test_an_import_keeps_grade_and_email_and_a_new_grade_ends_no_session(services: Services) -> None:
    stored = {a.id: (a.grade, a.email) for a in services.accounts.users()}
    assert stored["a01"] == ("3급", "a01@seoul.go.kr") and stored["b01"] == ("주무관", "")
    assert services.accounts.import_users(CITY.encode(), "인사.csv").plan.summary() == "변경 없음 (그대로 6명)"
    promoted = CITY.replace("c01,최인사,서울특별시/행정국/인사과,6급", "c01,최인사,서울특별시/행정국/인사과,5급")
    result = services.accounts.import_users(promoted.encode(), "인사.csv")
    change = next(c for c in result.plan.changes if c.kind == "changed")
    assert (change.id, change.fields, result.sessions_ended) == ("c01", ("직급",), 0)
    assert next(a.grade for a in services.accounts.users() if a.id == "c01") == "5급"


def test_a_bad_email_or_grade_is_named_by_its_line(services: Services) -> None:
    bad = f"{HEADER}x01,김,{GENERAL},주무관,메일아님,staff\nx02,이,{GENERAL},{'가' * 41},,staff\n"
    with pytest.raises(InputError) as caught:
        services.accounts.import_users(bad.encode(), "인사.csv")
    assert [e.line for e in caught.value.plan.errors] == [2, 3]  # type: ignore[attr-defined]  # ImportRejected
    assert "이메일 형식" in caught.value.message and "직급이 너무 깁니다" in caught.value.message
    assert {a.id for a in services.accounts.users()}.isdisjoint({"x01", "x02"})


def test_a_guk_administrator_manages_only_the_accounts_under_the_guk(services: Services) -> None:
    guk = _person(services, "a01")
    assert {a.id for a in services.accounts.users(guk)} == {"a01", "b01", "b02", "c01", "m01"}
    assert [u.path for u in services.accounts.units(by=guk)] == sorted([GUK, GENERAL, PERSONNEL, LOCAL])
    services.accounts.disable_user("c01", by=guk)
    services.accounts.transfer_user("b02", PERSONNEL, by=guk)
    for step in (lambda: services.accounts.disable_user("d01", by=guk),
                 lambda: services.accounts.transfer_user("b02", DIGITAL, by=guk),
                 lambda: services.accounts.change_role("b02", "admin", by=guk),
                 lambda: services.accounts.disable_user("m01", by=guk),  # a 관리자(이용 현황): above a 부서 관리자
                 lambda: services.accounts.reset_password("d01", "새비밀번호2026abc", by=guk)):
        with pytest.raises(InputError) as caught:
            step()
        assert caught.value.code == "forbidden" and "시스템 관리자" in caught.value.message
    assert services.accounts.role_labels(guk) == {"staff": "직원", "dept_admin": "부서 관리자"}
    assert _role(services, "b02") == "staff" and _role(services, "d01") == "staff"


def test_a_department_administrators_import_may_not_reach_outside(services: Services) -> None:
    general = _person(services, "b01")
    outside = (f"{HEADER}n01,새직원,{GENERAL},주무관,,staff\nn02,남의과,{PERSONNEL},주무관,,staff\n"
               f"n03,높은권한,{GENERAL},과장,,manager\nd01,정디지,{GENERAL},주무관,,staff\n")
    with pytest.raises(InputError) as caught:
        services.accounts.import_users(outside.encode(), "인사.csv", by=general)
    lines = {e.line: e.reason for e in caught.value.plan.errors}  # type: ignore[attr-defined]  # ImportRejected
    assert sorted(lines) == [3, 4, 5]
    assert "담당 조직(총무과) 밖" in lines[3] and "시스템 관리자만" in lines[4]
    assert "지금 부서" in lines[5]  # d01 is 디지털정책과's today: a 총무과 file cannot take them over
    assert "n01" not in {a.id for a in services.accounts.users()}
    ok = services.accounts.import_users(f"{HEADER}n01,새직원,{GENERAL},주무관,,staff\n".encode(), "인사.csv", by=general)
    assert ok.plan.summary().startswith("추가 1명") and ok.passwords[0][0] == "n01"


def test_a_department_administrator_manages_the_collections_and_sees_the_usage_of_their_unit(
        services: Services) -> None:
    policy = services.accounts.policy
    guk, general, staff = _person(services, "a01"), _person(services, "b01"), _person(services, "b02")
    assert set(policy.manageable(guk)) == {policy.department_collection(p) for p in (GUK, GENERAL, PERSONNEL, LOCAL)}
    assert policy.manageable(general) == [policy.department_collection(GENERAL)]
    assert policy.manageable(staff) == []
    assert (policy.usage_scope(guk), policy.usage_scope(general), policy.usage_scope(staff)) == (GUK, GENERAL, None)
    with pytest.raises(InputError):
        policy.check_usage(general, PERSONNEL)
    assert services.accounts.admin_pages(general) == ["library", "accounts", "usage"]
    assert services.accounts.admin_pages(staff) == []


def test_the_last_department_administrator_hands_the_collections_over_when_moving(services: Services) -> None:
    with pytest.raises(InputError) as caught:
        services.accounts.transfer_user("b01", DIGITAL)
    assert caught.value.code == "needs_successor" and "--successor" in caught.value.message
    assert next(a.department for a in services.accounts.users() if a.id == "b01") == GENERAL  # nothing moved
    with pytest.raises(InputError) as caught:
        services.accounts.transfer_user("b01", DIGITAL, successor="d01")  # not of 총무과
    assert caught.value.code == "bad_successor"
    change = services.accounts.transfer_user("b01", DIGITAL, successor="b02")
    assert change.changed and change.note == "총무과 문서함 관리: b01 → b02"
    assert (_role(services, "b01"), _role(services, "b02")) == ("staff", "dept_admin")
    assert services.accounts.policy.manageable(_person(services, "b02")) == \
        [services.accounts.policy.department_collection(GENERAL)]
    actions = [row[4] for row in services.state.audit.recent(50)]
    assert {"account_transfer", "library_handover"} <= set(actions)
    # Explicitly without one: the system administrators keep the 과's collections.
    change = services.accounts.transfer_user("b02", PERSONNEL, without_successor=True)
    assert change.note.endswith("시스템 관리자 (이어받을 사람 없음)") and _role(services, "b02") == "staff"


def test_imported_accounts_sign_in_with_their_initial_password(services: Services) -> None:
    result = services.accounts.import_users(f"{HEADER}p01,새사람,{GENERAL},주무관,,staff\n".encode(), "인사.csv")
    (account_id, password), = result.passwords
    stored = services.state.accounts.get(account_id)
    assert stored is not None and stored.password_hash.startswith("pbkdf2_sha256$")
    assert services.accounts.sign_in(account_id, password + "x") is None
    signed = services.accounts.sign_in(account_id, password)
    assert signed is not None and signed.person.id == account_id
    services.accounts.reset_password(account_id, "바뀐비밀번호2026")  # a password a person sets: bcrypt
    stored = services.state.accounts.get(account_id)
    assert stored is not None and stored.password_hash.startswith("$2")
    assert services.accounts.sign_in(account_id, password) is None
    assert services.accounts.sign_in(account_id, "바뀐비밀번호2026") is not None


def test_an_imported_account_changes_its_initial_password_itself(services: Services) -> None:
    result = services.accounts.import_users(f"{HEADER}q01,새사람,{GENERAL},주무관,,staff\n".encode(), "인사.csv")
    (account_id, initial), = result.passwords
    signed = services.accounts.sign_in(account_id, initial)
    assert signed is not None and services.accounts.must_change_password(signed.person)
    for current, new, code in ((initial + "x", "새비밀번호2026abc", "wrong_password"),
                               (initial, initial, "same_password"), (initial, "짧은1", "weak_password")):
        with pytest.raises(InputError) as caught:
            services.accounts.change_password(signed.person, current, new)
        assert caught.value.code == code
    other = services.accounts.sign_in(account_id, initial)  # the same account open elsewhere
    assert other is not None
    assert services.accounts.change_password(signed.person, initial, "새비밀번호2026abc", signed.cookie) == 1
    assert services.accounts.session_person(signed.cookie) is not None  # where it was changed: goes on
    assert services.accounts.session_person(other.cookie) is None  # anywhere else: ended
    assert not services.accounts.must_change_password(signed.person)
    assert services.accounts.sign_in(account_id, "새비밀번호2026abc") is not None
    assert "password_changed" in [row[4] for row in services.state.audit.recent(20)]
    services.accounts.add_user("chosen", "직접", GENERAL, "staff", "직접정한비밀번호12")  # a password set by a person
    chosen = services.accounts.sign_in("chosen", "직접정한비밀번호12")
    assert chosen is not None and not services.accounts.must_change_password(chosen.person)


def test_roles_may_be_written_in_korean_as_the_screens_name_them(services: Services) -> None:
    korean = (f"{HEADER}k01,한글권한,{GENERAL},주무관,,직원\nk02,한글관리,{GENERAL},사무관,,부서 관리자\n"
              f"k03,한글국장,{GENERAL},과장,,관리자\nk04,틀린권한,{GENERAL},,,팀장\n")
    with pytest.raises(InputError) as caught:
        services.accounts.import_users(korean.encode(), "인사.csv")
    (bad,) = caught.value.plan.errors  # type: ignore[attr-defined]  # ImportRejected
    assert bad.line == 5 and "직원, 부서 관리자" in bad.reason and "팀장" in bad.reason
    services.accounts.import_users(korean.rsplit("k04", 1)[0].encode(), "인사.csv")
    assert [_role(services, i) for i in ("k01", "k02", "k03")] == ["staff", "dept_admin", "manager"]
