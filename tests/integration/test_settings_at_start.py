"""A settings file or environment with a misspelled name or a bad value stops every entry point (the CLI and
`make run`'s launcher) with a Korean message naming the setting, exit code 2, and no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CASES = {
    "unknown name in .env": ({}, "SEOULAI_DATADIR=data\n", "SEOULAI_DATADIR"),
    "not a number": ({"SEOULAI_INGEST__MAX_FILE_MB": "많이"}, "", "SEOULAI_INGEST__MAX_FILE_MB"),
    "not a choice": ({"SEOULAI_AUTH__MODE": "ldap"}, "", "SEOULAI_AUTH__MODE"),
}
ENTRY_POINTS = {"cli": ["-m", "seoulai.cli", "doctor"], "launcher": ["-m", "seoulai.web.launch", "--port", "1"]}


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_settings_stop_with_a_korean_message(tmp_path: Path, entry: str, case: str) -> None:
    env_vars, dotenv, name = CASES[case]
    (tmp_path / ".env").write_text(dotenv, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEOULAI_")} | env_vars
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, *ENTRY_POINTS[entry]], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "Traceback" not in output and name in output and "설정" in output, output
