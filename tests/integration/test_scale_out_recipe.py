"""The README's recipe for several app servers without Docker ("Docker 없이 여러 대에 설치하기"), followed as written:
its SQL on a fresh PostgreSQL, its settings (paths and host names swapped for the test's, Qdrant for its documented
alternative) on two servers, each command run from a folder that is not the checkout."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg

from tests.servers import ROOT, clean_env
from tests.unit.test_deploy_config import _known as known

SECTION = "### Docker 없이 여러 대에 설치하기"
MANUAL = """# 야간 드론 순찰 운영지침

## 제1조 (목적)
이 지침은 한강공원 야간 드론 순찰의 운영 절차를 정한다.
"""


def recipe_blocks() -> tuple[str, list[str]]:
    """The recipe's SQL and its settings lines, from the README."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    sql = re.search(r"```sql\n(.*?)```", section, re.S)
    env = re.search(r"```bash\n(.*?)```", section, re.S)
    assert sql and env, "the recipe lost its SQL or its settings block"
    lines = [line.strip() for line in env.group(1).splitlines() if line.strip().startswith("SEOULAI_")]
    return sql.group(1), lines


def run(env: dict[str, str], cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "seoulai.cli", *args], input=stdin, capture_output=True, text=True,
                          timeout=300, env=env, cwd=cwd)


def test_the_readme_recipe_on_two_servers(tmp_path: Path, postgres_server: str) -> None:
    sql, lines = recipe_blocks()
    names = [line.split("=", 1)[0] for line in lines]
    assert [n for n in names if not known(n)] == []  # every setting the recipe names exists
    assert {"SEOULAI_STATE__URL", "SEOULAI_STATE__SERVER_ID", "SEOULAI_USAGE__REPLICA_ID", "SEOULAI_USAGE__MODE",
            "SEOULAI_RETRIEVAL__QDRANT_URL", "SEOULAI_DATA_DIR", "SEOULAI_INDEX_DIR"} <= set(names)

    # 1. PostgreSQL: the recipe's role and database (under a name of the test's own; the cluster's superuser is
    # already called seoulai), then the app connects as that role, not as a superuser.
    name = f"recipe_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        for statement in re.sub(r"--[^\n]*", "", sql).split(";"):
            if statement.strip():
                admin.execute(re.sub(r"\bseoulai\b", name, statement))
    host = postgres_server.split("@", 1)[1].split("/", 1)[0]
    url = f"postgresql://{name}:pw@{host}/{name}"

    # 2-4. Each server's settings: the recipe's lines with the test's shared folder, database and no Qdrant server.
    shared = tmp_path / "srv"
    values = dict(line.split("=", 1) for line in lines)
    values = {k: v.replace("/srv/seoulai", str(shared)) for k, v in values.items()}
    values.pop("SEOULAI_RETRIEVAL__QDRANT_URL")
    values.update(SEOULAI_STATE__URL=url, SEOULAI_EMBED__BACKEND="none", SEOULAI_OLLAMA_URL="http://127.0.0.1:9")
    env_a = clean_env(**values)
    env_b = clean_env(**{**values, "SEOULAI_STATE__SERVER_ID": "app-2", "SEOULAI_USAGE__REPLICA_ID": "app-2"})
    assert env_a["SEOULAI_STATE__SERVER_ID"] == "app-1"
    home_a, home_b = tmp_path / "home-a", tmp_path / "home-b"  # neither is the checkout
    for home in (home_a, home_b):
        home.mkdir()

    # 5. Once, on one server, from any folder: the administrator, the demo library (here one law of it, named by a
    # relative path), and a manual by `seoulai ingest`.
    made = run(env_a, home_a, "users", "add", "admin01", "--name", "관리자", "--role", "admin", "--department",
               "서울특별시/디지털도시국/디지털정책과", "--password-stdin", stdin="recipe-2026-pass\n")
    assert made.returncode == 0, made.stderr
    shutil.copytree(ROOT / "demo" / "manuals" / "지방공무원법", home_a / "manuals")
    demo = run(env_a, home_a, "demo-library", "--folder", "manuals")
    assert demo.returncode == 0 and "추가 1건" in demo.stdout, demo.stdout + demo.stderr
    (home_a / "docs").mkdir()
    (home_a / "docs" / "야간드론순찰_운영지침.md").write_text(MANUAL, encoding="utf-8")
    ingest = run(env_a, home_a, "ingest", "docs", "--collection", "공통")
    assert ingest.returncode == 0 and "추가 1건" in ingest.stdout, ingest.stdout + ingest.stderr
    assert "색인 폴더" not in ingest.stdout  # absolute paths: nothing to warn about
    with psycopg.connect(url) as db:
        audited = db.execute("SELECT server, target FROM audit WHERE action = 'library_upload' ORDER BY ts").fetchall()
    assert [server for server, _ in audited] == ["app-1"]  # the ingest, once
    assert "명령줄 ingest" in audited[0][1] and "야간드론순찰_운영지침.md" in audited[0][1]

    # The other server, from another folder, serves both (shared index folder, shared state).
    for query, title in (("야간 드론 순찰", "야간 드론 순찰 운영지침"), ("지방공무원의 임용", "지방공무원법")):
        found = run(env_b, home_b, "search", query, "--collection", "공통", "--json")
        assert found.returncode == 0, found.stderr
        assert title in {hit["title"] for hit in json.loads(found.stdout)["hits"]}, found.stdout[:500]
    listed = run(env_b, home_b, "users", "list", "--json")
    assert [row["id"] for row in json.loads(listed.stdout)] == ["admin01"]


def test_a_relative_index_folder_is_named_and_a_missing_demo_folder_says_what_to_do(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "docs").mkdir(parents=True)
    (elsewhere / "docs" / "지침.md").write_text(MANUAL, encoding="utf-8")
    env = clean_env(SEOULAI_DATA_DIR="data", SEOULAI_INDEX_DIR="indexes", SEOULAI_EMBED__BACKEND="none")
    ingest = run(env, elsewhere, "ingest", "docs", "--collection", "공통")
    assert ingest.returncode == 0, ingest.stderr
    assert f"색인 폴더: {elsewhere / 'indexes'}" in ingest.stdout  # where it went, since it follows the folder
    missing = run(env, elsewhere, "demo-library", "--folder", "no-such-folder")
    assert missing.returncode == 2 and "--folder" in missing.stderr and "Traceback" not in missing.stderr
