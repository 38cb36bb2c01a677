"""The chart in force: the YAML override, else the 행정기구 설치 조례 시행규칙 in the shared library (followed while
the services run), else the bundled chart; and an 조직 개편 (a renamed 과, two 과 merged) in a new version of the
rule keeps accounts, department collections and usage history working."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.errors import InputError
from seoulai.services import Filters, IncomingFile, Services, build_services, today_in_seoul

RULE = "corpus/seoul/규칙/서울특별시 행정기구 설치 조례 시행규칙.md"
NAME = "서울특별시 행정기구 설치 조례 시행규칙.md"
GENERAL = "서울특별시/행정국/총무과"
RENAMED = "서울특별시/행정국/총무행정과"
MERGED_FROM, MERGED_INTO = "서울특별시/행정국/대외협력과", "서울특별시/행정국/시민협력과"
ADMIN = Person("root", "관리자", "서울특별시", "admin")


def _settings(root: Path, **auth: object) -> Settings:
    return Settings(data_dir=root / "data", index_dir=root / "idx", embed={"backend": "none"},
                    llm={"backend": "none"}, usage={"db_path": root / "data" / "usage.duckdb"}, auth=auth)


@pytest.fixture(scope="module")
def rule_index(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index whose 공통 holds the real rule (ingested once: Kiwi takes a while on 2 cores)."""
    root = tmp_path_factory.mktemp("rule")
    services = build_services(_settings(root))
    try:
        services.library.ingest_paths([shared_dir / RULE], "공통")
    finally:
        services.close()
    return root / "idx"


@pytest.fixture
def with_rule(rule_index: Path, tmp_path: Path) -> Iterator[Services]:
    shutil.copytree(rule_index, tmp_path / "idx")
    services = build_services(_settings(tmp_path))
    yield services
    services.close()


def test_without_the_rule_the_bundled_chart(tmp_path: Path) -> None:
    services = build_services(_settings(tmp_path))
    try:
        assert services.accounts.policy.source.kind == "bundled"  # type: ignore[union-attr]  # an OrgSource
        assert "서울특별시/재무국/총무과" in {u.path for u in services.accounts.org_units()}
        assert not (tmp_path / "data" / "org_renames.json").exists()
    finally:
        services.close()


def test_the_rule_in_the_library_gives_the_chart(with_rule: Services) -> None:
    units = {u.path: u for u in with_rule.accounts.org_units()}
    assert with_rule.accounts.policy.source.kind == "rule"  # type: ignore[union-attr]  # an OrgSource
    assert [u.name for u in units.values() if u.parent_path == "서울특별시/행정국"] == [
        "총무과", "인사과", "인력개발과", "자치행정과", "국제행사지원과", "시민협력과", "대외협력과"]
    assert units[GENERAL].parent == "행정국" and units[GENERAL].depth == 2
    assert any("개인정보" in d for d in units["서울특별시/디지털도시국/정보보안과"].duties)
    # The demo person's department is a unit of the real chart.
    assert with_rule.accounts.demo_person().department == "서울특별시/디지털도시국/디지털정책과"


def test_the_yaml_override_wins(rule_index: Path, tmp_path: Path) -> None:
    shutil.copytree(rule_index, tmp_path / "idx")
    chart = tmp_path / "chart.yaml"
    chart.write_text("name: 부산광역시\nchildren:\n  - name: 행정자치국\n    children:\n"
                     "      - {name: 총무과, headcount: 30}\n", encoding="utf-8")
    services = build_services(_settings(tmp_path, org_chart=chart, demo_department="총무과"))
    try:
        assert [u.path for u in services.accounts.org_units()] == ["부산광역시", "부산광역시/행정자치국",
                                                                   "부산광역시/행정자치국/총무과"]
        assert services.accounts.demo_person().department == "부산광역시/행정자치국/총무과"
    finally:
        services.close()


def test_the_chart_follows_the_library_without_restart(shared_dir: Path, tmp_path: Path) -> None:
    services = build_services(_settings(tmp_path))
    try:
        assert "서울특별시/행정국/국제행사지원과" not in services.accounts.policy.org.by_path
        folder = tmp_path / "v1"
        folder.mkdir()
        # Only 제2장 본청, to keep the test quick: the chart follows whatever the library holds.
        text = (shared_dir / RULE).read_text(encoding="utf-8")
        (folder / NAME).write_text(text[: text.index("## 제3장 직속기관")], encoding="utf-8")
        services.library.ingest_paths([folder / NAME], "공통")
        chart = services.accounts.policy.org
        assert "서울특별시/행정국/국제행사지원과" in chart.by_path
        assert not [u for u in chart.units if u.path.startswith("서울특별시/서울시립대학교")]
        services.index.remove_documents("공통", [NAME])
        assert services.accounts.policy.source.kind == "bundled"  # type: ignore[union-attr]  # an OrgSource
    finally:
        services.close()


def test_users_add_accepts_a_real_unit_and_refuses_an_unknown_one(with_rule: Services) -> None:
    account = with_rule.accounts.add_user("kim", "김보안", "서울특별시/디지털도시국/정보보안과", "staff", "password123a")
    assert account.department == "서울특별시/디지털도시국/정보보안과"
    with pytest.raises(InputError) as refused:
        with_rule.accounts.add_user("lee", "이없음", "서울특별시/없는국/없는과", "staff", "password123a")
    assert "seoulai org list" in refused.value.message and refused.value.code == "bad_department"


def _reorganised(text: str) -> str:
    """총무과 renamed 총무행정과 (same duties); 대외협력과's duties merged into 시민협력과."""
    start, end = text.index("##### 제17조의5 (행정국)"), text.index("##### 제17조의6")
    article = text[start:end].replace("총무과", "총무행정과")
    heading = next(line for line in article.splitlines() if "대외협력과장은 다음 사항을 분장한다" in line)
    article = article.replace(heading + "\n", "")  # its items now continue 시민협력과's list
    return text[:start] + article + text[end:]


def test_reorganisation_keeps_accounts_collections_and_history(shared_dir: Path, with_rule: Services,
                                                                tmp_path: Path) -> None:
    services = with_rule
    old_staff = Person("park", "박총무", GENERAL, "dept_admin")
    merged_staff = Person("choi", "최대외", MERGED_FROM, "dept_admin")
    into_staff = Person("jung", "정시민", MERGED_INTO, "dept_admin")
    services.accounts.add_user("park", "박총무", GENERAL, "dept_admin", "password123a")
    for person, token in ((old_staff, "orgtokenalpha"), (merged_staff, "orgtokenbeta"),
                          (into_staff, "orgtokengamma")):
        (collection, _), = services.library.collections(person)
        services.library.upload(person, collection, [IncomingFile("지침.md", f"# 지침\n\n{token} 요령".encode())])
    services.manuals.search(old_staff, "관인 대장 점검")
    services.usage.flush()

    folder = tmp_path / "v2"
    folder.mkdir()
    (folder / NAME).write_text(_reorganised((shared_dir / RULE).read_text(encoding="utf-8")), encoding="utf-8")
    services.library.ingest_paths([folder / NAME], "공통")

    policy = services.accounts.policy
    assert RENAMED in policy.org.by_path and GENERAL not in policy.org.by_path
    assert MERGED_FROM not in policy.org.by_path
    assert policy.renames()[GENERAL] == RENAMED and policy.renames()[MERGED_FROM] == MERGED_INTO
    assert (tmp_path / "data" / "org_renames.json").is_file()
    # The account moved (an audit event says so); a session opened before still resolves.
    assert services.state.accounts.get("park").department == RENAMED  # type: ignore[union-attr]  # park was imported above
    assert [u.department for u in services.accounts.users()] == [RENAMED]
    assert any(row[4] == "org_rename" for row in services.state.audit.recent(50))
    # The department collection was renamed; old and new paths read it.
    names = services.index.collections()
    assert policy.department_collection(GENERAL) == policy.department_collection(RENAMED) in names
    assert "dept:서울특별시.행정국.총무과" not in names
    for person in (old_staff, Person("park", "박총무", RENAMED, "staff")):
        assert any("orgtokenalpha" in h.text for h in services.manuals.search(person, "orgtokenalpha"))
    # The merged unit's collection could not be renamed onto 시민협력과's: its people read both.
    assert policy.readable_manuals(into_staff) == ["공통", "dept:서울특별시.행정국.시민협력과",
                                                   "dept:서울특별시.행정국.대외협력과"]
    assert policy.readable_manuals(old_staff) == ["공통", "dept:서울특별시.행정국.총무행정과"]
    for token in ("orgtokenbeta", "orgtokengamma"):
        assert any(token in h.text for h in services.manuals.search(into_staff, token))
    assert not any("orgtokenbeta" in h.text
                   for h in services.manuals.search(Person("x", "x", "서울특별시/행정국/인사과"), "orgtokenbeta"))
    # Usage recorded under the old path counts for the new unit.
    today = today_in_seoul()
    assert services.usage.dashboard(ADMIN, Filters(today, today, RENAMED)).kpis.queries >= 1
    assert services.usage.summary(RENAMED)["queries"] >= 1  # type: ignore[operator]  # usage is on
