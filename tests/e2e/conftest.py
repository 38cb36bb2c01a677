"""A real `streamlit run app.py` with the fake Ollama server, signed-in accounts and the demo manuals,
driven by Playwright in Debian's chromium (installed by `make test`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "e2e-pilot-2026"
REPLY = "민원 처리기간은 일 단위로 계산하고 첫날을 산입합니다 [1]."
SHOTS = ROOT / "tests" / "e2e" / "artifacts"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Iterator[dict[str, str]]:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium not found: `make test` installs Debian's chromium (apt-get install chromium)")
    work = tmp_path_factory.mktemp("e2e")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEOULAI_")}
    ollama_port, app_port = free_port(), free_port()
    env.update(SEOULAI_DATA_DIR=str(work / "data"), SEOULAI_INDEX_DIR=str(work / "idx"),
               SEOULAI_OLLAMA_URL=f"http://127.0.0.1:{ollama_port}", SEOULAI_EMBED__BACKEND="none",
               SEOULAI_AUTH__MODE="local", SEOULAI_SHARED=str(shared_dir))
    fake = subprocess.Popen([sys.executable, "-m", "tests.fakes.ollama_server", "--port", str(ollama_port),
                             "--reply", REPLY, "--token-delay", "0.02"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for account, name, role, department in (("admin01", "김관리", "admin", "서울특별시/디지털도시국/디지털정책과"),
                                             ("manager01", "이국장", "manager", "서울특별시/디지털도시국"),
                                             ("staff01", "박주무관", "staff", "서울특별시/행정국/총무과")):
        subprocess.run([sys.executable, "-m", "seoulai.cli", "users", "add", account, "--name", name,
                        "--department", department, "--role", role, "--password-stdin"], input=PASSWORD + "\n",
                       text=True, env=env, cwd=ROOT, check=True, capture_output=True, timeout=60)
    subprocess.run([sys.executable, "-m", "seoulai.cli", "demo-library"], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=300)
    app = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(app_port),
                            "--server.address", "127.0.0.1", "--server.headless", "true"], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{ollama_port}/api/version", fake)
        wait_for(f"http://127.0.0.1:{app_port}/_stcore/health", app)
        yield {"url": f"http://127.0.0.1:{app_port}", "password": PASSWORD, "pid": str(app.pid)}
    finally:
        for proc in (app, fake):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"])
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ko-KR",  # type: ignore[attr-defined]  # a Browser
                                  accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def colleague(server: dict[str, str]) -> str:
    """A second account in staff01's 과 (행정국/총무과), added to the running server's own store: the account a
    draft is shared with. The server's environment is read back from the process, so both use the same data."""
    env = dict(line.split("=", 1) for line in
               Path(f"/proc/{server['pid']}/environ").read_text(encoding="utf-8").split("\0") if "=" in line)
    subprocess.run([sys.executable, "-m", "seoulai.cli", "users", "add", "staff02", "--name", "최주무관",
                    "--department", "서울특별시/행정국/총무과", "--role", "staff", "--password-stdin"],
                   input=PASSWORD + "\n", text=True, env=env, cwd=ROOT, check=True, capture_output=True, timeout=60)
    return "staff02"
