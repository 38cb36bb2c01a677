"""`make run`'s server (serve.py around app.py) serves with no model server running, on a safe address."""

from __future__ import annotations

from pathlib import Path

import httpx

from seoulai.config import Settings
from seoulai.web.launch import choose_address
from tests.servers import app_server, clean_env


def test_app_serves_without_ollama(tmp_path: Path, dead_url: str) -> None:
    env = clean_env(SEOULAI_OLLAMA_URL=dead_url, SEOULAI_DATA_DIR=str(tmp_path / "data"),
                    SEOULAI_INDEX_DIR=str(tmp_path / "idx"))
    log = tmp_path / "server.log"
    with app_server(env, log=log) as url:
        assert httpx.get(f"{url}/_stcore/health", timeout=5).text == "ok"
        root = httpx.get(f"{url}/", timeout=5, headers={"Accept": "text/html"})
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
