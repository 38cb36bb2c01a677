"""`streamlit run app.py` serves with no model server running (what `make run` starts)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_app_serves_without_ollama(tmp_path: Path, dead_url: str) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEOULAI_")}
    env.update(SEOULAI_OLLAMA_URL=dead_url, SEOULAI_DATA_DIR=str(tmp_path / "data"),
               SEOULAI_INDEX_DIR=str(tmp_path / "idx"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        assert health is not None and health.status_code == 200 and health.text == "ok"
        root = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert root.status_code == 200
        assert "<html" in root.text.lower()
    finally:
        proc.terminate()
        output = proc.communicate(timeout=20)[0]
    assert "Traceback" not in output, output
