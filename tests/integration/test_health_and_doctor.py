"""The health check and `seoulai doctor` in both states: model up and model down."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from seoulai.config import Settings
from seoulai.llm.health import check_health
from tests.fakes.ollama_server import FakeOllama


def test_all_up(fake_ollama: FakeOllama) -> None:
    report = check_health(Settings(ollama_url=fake_ollama.url))
    assert report.ok and report.mode == "full"
    assert report.llm.state == "ok" and report.embed.state == "ok"
    assert report.server_version == "0.12.6"


def test_server_down_says_what_to_run(dead_url: str) -> None:
    report = check_health(Settings(ollama_url=dead_url, health_timeout=1))
    assert not report.ok
    assert report.mode == "retrieval_only"  # the embedded embedder needs no server: hybrid search still works
    assert report.llm.state == "down"
    assert "ollama serve" in report.llm.fix and "SEOULAI_OLLAMA_URL" in report.llm.fix
    assert "검색은 사용할 수 있지만" in report.summary()


def test_missing_models_are_named_with_the_command() -> None:
    with FakeOllama(models=("llama3",)) as fake:
        report = check_health(Settings(ollama_url=fake.url, embed={"backend": "ollama"}))
    assert report.llm.state == "missing_model" and "ollama/setup.sh" in report.llm.fix
    assert report.embed.state == "missing_model" and "ollama pull bge-m3" in report.embed.fix


def test_retrieval_only_configuration() -> None:
    report = check_health(Settings(llm={"backend": "none"}, embed={"backend": "none"}))
    assert report.llm.state == "disabled" and report.embed.state == "disabled"
    assert report.mode == "keyword_only"


def _doctor(env_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEOULAI_")}
    env.update(SEOULAI_OLLAMA_URL=env_url, SEOULAI_HEALTH_TIMEOUT="2")
    return subprocess.run([sys.executable, "-m", "seoulai.cli", "doctor", "--json"], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=60)


def test_doctor_json_reports_up(fake_ollama: FakeOllama, tmp_path: Path) -> None:
    result = _doctor(fake_ollama.url, tmp_path)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["ok"] is True and payload["mode"] == "full"
    assert payload["llm"]["state"] == "ok" and payload["embed"]["model"] == "multilingual-e5-small-int8"
    assert payload["embed"]["backend"] == "embedded" and payload["settings"]["embed_backend"] == "embedded"


def test_doctor_json_reports_down(dead_url: str, tmp_path: Path) -> None:
    result = _doctor(dead_url, tmp_path)
    assert result.returncode == 1
    payload = json.loads(result.stdout)
    assert payload["ok"] is False and payload["llm"]["state"] == "down"
    assert "연결할 수 없습니다" in payload["llm"]["message"]
    assert "Traceback" not in result.stderr


def test_doctor_text_report_is_korean(dead_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEOULAI_")}
    env.update(SEOULAI_OLLAMA_URL=dead_url, SEOULAI_HEALTH_TIMEOUT="1")
    result = subprocess.run([sys.executable, "-m", "seoulai.cli", "doctor"], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=60)
    assert "[문제] 언어 모델" in result.stdout and "조치:" in result.stdout
    assert "[정상] 임베딩 모델 (embedded): 내장 임베딩 모델 `multilingual-e5-small-int8`" in result.stdout


@pytest.mark.parametrize("argv", [["doctor", "--bogus"], ["no-such-command"]])
def test_bad_cli_usage_exits_2(argv: list[str]) -> None:
    result = subprocess.run([sys.executable, "-m", "seoulai.cli", *argv], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
