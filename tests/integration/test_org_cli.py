"""`seoulai org list [--json]` and `seoulai users add --department` against the chart in force."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from seoulai.cli import main

RULE = "corpus/seoul/규칙/서울특별시 행정기구 설치 조례 시행규칙.md"
PASSWORD = "seoul-pilot-2026"


@pytest.fixture
def cli_env(seoulai_env: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    seoulai_env.setenv("SEOULAI_EMBED__BACKEND", "none")
    seoulai_env.setenv("SEOULAI_LLM__BACKEND", "none")
    return seoulai_env


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _add(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, account: str,
         department: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    return _run(capsys, "users", "add", account, "--name", "시범", "--department", department, "--password-stdin")


def test_org_list_follows_the_rule_ingested(cli_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                            shared_dir: Path, tmp_path: Path) -> None:
    code, out, _ = _run(capsys, "org", "list", "--json")
    bundled = json.loads(out)["units"]
    assert code == 0 and {"path", "name", "parent"} <= set(bundled[0])
    assert "서울특별시/재무국/총무과" in {u["path"] for u in bundled}

    # Only 제2장 본청, to keep the test quick.
    text = (shared_dir / RULE).read_text(encoding="utf-8")
    rule = tmp_path / "서울특별시 행정기구 설치 조례 시행규칙.md"
    rule.write_text(text[: text.index("## 제3장 직속기관")], encoding="utf-8")
    assert _run(capsys, "ingest", str(rule), "--collection", "공통")[0] == 0

    code, out, _ = _run(capsys, "org", "list", "--json")
    units = {u["path"]: u for u in json.loads(out)["units"]}
    assert code == 0 and "서울특별시/재무국/총무과" not in units
    general = units["서울특별시/행정국/총무과"]
    assert general["name"] == "총무과" and general["parent"] == "행정국" and general["depth"] == 2
    assert "당직 및 보안에 관한 사항" in general["duties"]
    assert general["source"] == "서울특별시 행정기구 설치 조례 시행규칙"
    assert general["section"].startswith("제2장 본청 > 제17조의5 (행정국)")
    assert units["서울특별시/대변인/언론담당관"]["parent"] == "대변인"
    assert units["서울특별시"]["parent"] == ""

    code, out, _ = _run(capsys, "org", "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("서울특별시")
    assert any(line.startswith("    총무과  (분장 사무 ") and line.endswith("\t서울특별시/행정국/총무과") for line in lines)


def test_users_add_takes_a_unit_of_the_chart(cli_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _add(capsys, cli_env, "kim", "서울특별시/디지털도시국/정보보안과")
    assert code == 0 and "서울특별시/디지털도시국/정보보안과" in out
    code, _, err = _add(capsys, cli_env, "lee", "서울특별시/없는국/없는과")
    assert code == 2 and "조직도에 없는 부서" in err and "seoulai org list" in err
    code, out, _ = _run(capsys, "users", "list", "--json")
    assert [u["department"] for u in json.loads(out)] == ["서울특별시/디지털도시국/정보보안과"]


def test_a_broken_override_exits_2_in_korean(cli_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    cli_env.setenv("SEOULAI_AUTH__ORG_CHART", str(tmp_path / "missing.yaml"))
    code, out, _ = _run(capsys, "org", "list", "--json")
    assert code == 2 and json.loads(out)["error"]["code"] == "bad_org_chart"
    assert "조직도 파일" in json.loads(out)["error"]["message"]
