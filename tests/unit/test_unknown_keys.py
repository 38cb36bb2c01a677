"""A misspelled key in a draft template or the settings file is refused with a Korean message naming the key and
the file, instead of being ignored (a template that silently loses its ``required:``, a server that silently keeps
its default model). What other programs keep in the same .env (docker compose's variables) is left alone."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from seoulai.config import Settings
from seoulai.drafting.template import BUILTIN, load_template, load_templates
from seoulai.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
REPORT = (BUILTIN / "report.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("where", "old", "new", "key"), [
    ("top level", "description:", "descripton:", "descripton"),
    ("a field", "{name: title, label: 제목, step: 기본 정보, required: true",
     "{name: title, label: 제목, step: 기본 정보, requird: true", "requird"),
    ("a section", 'instruction: "목적·기간·대상', 'instructon: "목적·기간·대상', "instructon"),
    ("the format rules", "end_mark: false", "end_mrak: false", "end_mrak"),
], ids=["top level", "a field", "a section", "the format rules"])
def test_a_misspelled_template_key_is_refused_naming_key_and_file(
        tmp_path: Path, where: str, old: str, new: str, key: str) -> None:
    assert REPORT.count(old) == 1, where
    path = tmp_path / "my_report.yaml"
    path.write_text(REPORT.replace(old, new), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_template(path)
    message = info.value.message
    assert key in message and "my_report.yaml" in message and "알 수 없는 항목" in message, message
    assert re.search(r"\d+번째 줄", message), message  # where in the file to look
    _, problems = load_templates(tmp_path)  # an administrator's folder: reported, the built-in ones still load
    assert key in problems["my_report.yaml"]


def test_the_shipped_templates_load() -> None:
    templates, problems = load_templates()
    assert problems == {} and set(templates) == {"press_release", "report", "official_letter"}


@pytest.mark.parametrize(("line", "key"), [
    ("SEOULAI_LLM__MODLE=qwen2.5", "SEOULAI_LLM__MODLE"),
    ("SEOULAI_DATADIR=/srv/data", "SEOULAI_DATADIR"),
    ("SEOULAI_STATE__URI=postgresql://db/seoulai", "SEOULAI_STATE__URI"),
    ("seoulai_retrieval__topk=8", "seoulai_retrieval__topk"),
])
def test_an_unknown_setting_in_the_settings_file_is_refused(
        seoulai_env: pytest.MonkeyPatch, tmp_path: Path, line: str, key: str) -> None:
    (tmp_path / ".env").write_text(f"SEOULAI_LLM__MODEL=seoulai\n{line}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        Settings()
    message = info.value.message
    assert f"'{key}'" in message and str(tmp_path / ".env") in message and "알 수 없는" in message, message


def test_the_message_suggests_the_setting_meant(seoulai_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SEOULAI_LLM__MODLE=qwen2.5\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        Settings()
    assert "SEOULAI_LLM__MODEL" in info.value.message


def test_the_environment_of_other_programs_is_not_refused(seoulai_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """docker compose reads ${POSTGRES_PASSWORD} from the same .env; ollama/setup.sh reads SEOULAI_BASE_MODEL; a
    SEOULAI_-named variable of the environment (a test harness's, another tool's) is no settings file."""
    (tmp_path / ".env").write_text("POSTGRES_PASSWORD=secret\nSEOULAI_BASE_MODEL=gemma3:12b\n"
                                   "SEOULAI_USAGE__MINUTES_SAVED__DRAFTING=30\nSEOULAI_LLM__MODEL=qwen2.5\n",
                                   encoding="utf-8")
    seoulai_env.setenv("SEOULAI_SOMETHING_ELSE", "1")
    settings = Settings()
    assert settings.llm.model == "qwen2.5" and settings.usage.minutes_saved["drafting"] == 30


def test_the_example_settings_and_the_compose_variables_load(seoulai_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`cp .env.example .env` plus the ${…} variables the compose files read from it: a settings file that loads."""
    compose = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "docker-compose.yml",
                                                               ROOT / "deploy" / "docker-compose.cluster.yml"))
    variables = sorted(set(re.findall(r"\$\{(\w+)", compose)))
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    uncommented = re.sub(r"^# (SEOULAI_[A-Z0-9_]+=)", r"\1", example, flags=re.M)  # every setting it names, set
    (tmp_path / ".env").write_text(uncommented + "".join(f"\n{v}=x" for v in variables if v not in example),
                                   encoding="utf-8")
    assert variables and Settings().llm.model == "seoulai"


def test_the_cli_exits_2_with_the_korean_message(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SEOULAI_LLM__MODLE=qwen2.5\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEOULAI_")}
    env.update(SEOULAI_OLLAMA_URL="http://127.0.0.1:9", SEOULAI_HEALTH_TIMEOUT="1", SEOULAI_EMBED__BACKEND="none")
    for json_flag in ([], ["--json"]):
        result = subprocess.run([sys.executable, "-m", "seoulai.cli", "doctor", *json_flag], capture_output=True,
                                text=True, env=env, cwd=tmp_path, timeout=120)
        assert result.returncode == 2, (result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        shown = json.loads(result.stdout)["error"]["message"] if json_flag else result.stderr
        assert "SEOULAI_LLM__MODLE" in shown and ".env" in shown and "알 수 없는" in shown
