"""`seoulai usage review` (issue #34: the review export works from the command line too): the XLSX and the
one-page HWPX/DOCX report written to a folder and re-read; bad dates and units refused in Korean with exit 2."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from tests.servers import clean_env, cli

GENERAL = "서울특별시/행정국/총무과"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = clean_env(SEOULAI_DATA_DIR=str(tmp_path / "data"), SEOULAI_INDEX_DIR=str(tmp_path / "idx"),
                    SEOULAI_EMBED__BACKEND="none", SEOULAI_LLM__BACKEND="none")
    people = tmp_path / "인사.csv"
    people.write_text("사번,이름,부서,직급,이메일,권한\n" + "".join(
        f"p{n:02d},직원{n},{GENERAL},주무관,,staff\n" for n in range(6)), encoding="utf-8")
    assert cli(env, "users", "import", str(people)).returncode == 0
    made = cli(env, "usage", "demo-data", "--events", "3000", "--days", "20")
    assert made.returncode == 0, made.stderr
    return env


def test_the_review_is_written_as_xlsx_hwpx_and_docx(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "결과"
    result = cli(env, "usage", "review", "--department", "서울특별시/행정국", "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["department"] == "서울특별시/행정국" and payload["imported"] == 6
    files = sorted(Path(p).suffix for p in payload["files"])
    assert files == [".docx", ".hwpx", ".xlsx"] and all(Path(p).parent == out for p in payload["files"])
    xlsx, hwpx, word = (next(Path(p) for p in payload["files"] if p.endswith(s)) for s in (".xlsx", ".hwpx", ".docx"))
    book = openpyxl.load_workbook(xlsx, read_only=True)
    try:
        assert "부서별 결과" in book.sheetnames
    finally:
        book.close()
    with zipfile.ZipFile(hwpx) as archive:
        assert "시범 운영 결과" in archive.read("Contents/section0.xml").decode("utf-8")
    assert "시범 운영 결과" in "\n".join(p.text for p in docx.Document(str(word)).paragraphs)


def test_bad_dates_and_units_are_refused_in_korean(env: dict[str, str], tmp_path: Path) -> None:
    for args, code in ((["--from", "어제"], "bad_date"), (["--from", "2026-12-10", "--to", "2026-12-01"], "bad_date"),
                       (["--department", "없는국"], "bad_department")):
        result = cli(env, "usage", "review", "--out", str(tmp_path / "x"), "--json", *args)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert json.loads(result.stdout)["error"]["code"] == code
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())
