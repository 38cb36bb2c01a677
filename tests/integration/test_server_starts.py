"""`make run`'s server (serve.py around app.py) serves with no model server running, on a safe address, and in
production mode never without sign-in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from seoulai.config import Settings
from seoulai.web import launch
from seoulai.web.launch import choose_address
from tests.servers import ROOT, app_server, clean_env, free_port


def test_app_serves_without_ollama(tmp_path: Path, dead_url: str) -> None:
    env = clean_env(SEOULAI_OLLAMA_URL=dead_url, SEOULAI_DATA_DIR=str(tmp_path / "data"),
                    SEOULAI_INDEX_DIR=str(tmp_path / "idx"))
    log = tmp_path / "server.log"
    with app_server(env, log=log) as url:
        assert httpx.get(f"{url}/_stcore/health", timeout=5).text == "ok"
        # Served, not fast: right after start the warm-up (Kiwi, the index) shares two busy cores (speed: benchmarks/)
        root = httpx.get(f"{url}/", timeout=30, headers={"Accept": "text/html"})
        assert root.status_code == 200 and "<html" in root.text.lower()
        assert root.headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in root.headers[
            "content-security-policy"]
    assert "Traceback" not in log.read_text()


def test_without_sign_in_the_server_listens_on_loopback_only() -> None:
    open_mode = Settings(auth={"mode": "none"})
    assert choose_address(open_mode, None)[0] == "127.0.0.1"
    address, note = choose_address(open_mode, "0.0.0.0")  # the operator asked for it: allowed, with a warning
    assert address == "0.0.0.0" and "경고" in note
    assert choose_address(Settings(auth={"mode": "local"}), None)[0] == "0.0.0.0"


def _production_without_sign_in(tmp_path: Path) -> dict[str, str]:
    return clean_env(SEOULAI_PRODUCTION="true", SEOULAI_AUTH__MODE="none", SEOULAI_DATA_DIR=str(tmp_path / "data"),
                     SEOULAI_INDEX_DIR=str(tmp_path / "idx"), SEOULAI_EMBED__BACKEND="none",
                     SEOULAI_LLM__BACKEND="none")


def test_production_server_refuses_to_start_without_sign_in(tmp_path: Path) -> None:
    """What the audit page and everything else would be: open to whoever reaches the port."""
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(free_port()),
                             "--server.address", "127.0.0.1", "--server.headless", "true"], cwd=ROOT,
                            env=_production_without_sign_in(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("the server kept serving in production mode without sign-in")
    assert proc.returncode == 2 and "운영 모드" in out and "SEOULAI_AUTH__MODE" in out and "Traceback" not in out


def test_make_run_refuses_production_without_sign_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    for key, value in _production_without_sign_in(tmp_path).items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)  # no .env of the working tree
    started: list[list[str]] = []
    monkeypatch.setattr(launch.os, "execv", lambda _exe, argv: started.append(argv))
    with pytest.raises(SystemExit) as exited:
        launch.main(["--port", "8501"])
    assert exited.value.code == 2 and started == []
    assert "SEOULAI_AUTH__MODE" in capsys.readouterr().err
    assert Settings(production=True, auth={"mode": "local"}).unsafe_to_serve() is None
    assert Settings(production=False, auth={"mode": "none"}).unsafe_to_serve() is None  # 1-person evaluation
