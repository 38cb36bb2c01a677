"""How long a 국장 waits for 이용 현황, in a real browser against a real server (`serve.py`, what `make run` starts).

For each scale (the demo data `make run` suggests, 20,000 events; and 10,000,000 events over a year), a fresh
server with that usage store; a signed-in administrator (whole city) clicks 이용 현황 and the clock stops when
the headline numbers and the first chart are on screen and the script run is over. Reported:

- first visit in a new browser right after the server started (the warm-up still running),
- first visit in a new browser (empty cache: the chart library is downloaded) on a server that has been up,
- first visit in a new tab of a browser that has been here before (a new session, the browser cache kept):
  what a 국장 meets on an ordinary morning,
- later visits in the same session (median of 5).

Targets (issue 16): under 2 s at demo scale, under 3 s at 10M events.
Usage: python benchmarks/usage_page.py [--scales 20000,10000000] [--settle 60]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers import app_server, clean_env, cli  # noqa: E402 - after the sys.path set-up

PASSWORD = "usage-page-2026"
IDLE = """() => !document.querySelector('[data-testid="stStatusWidget"]')
           && !document.querySelector('[data-stale="true"]')"""


def _open_usage(page) -> float:
    from playwright.sync_api import expect

    started = time.perf_counter()
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="이용 현황").click()
    expect(page.locator("[data-testid='stMetric']").filter(has_text="질문").first).to_be_visible(timeout=120_000)
    expect(page.locator("[data-testid='stPlotlyChart']").first).to_be_visible(timeout=120_000)
    page.wait_for_function(IDLE, timeout=120_000)
    return time.perf_counter() - started


def _go_home(page) -> None:
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="홈").click()
    page.wait_for_function(IDLE, timeout=120_000)
    page.wait_for_timeout(300)


def sign_in(context, url: str):
    """A new page of ``context`` with the benchmark's administrator signed in and the first script run over."""
    from playwright.sync_api import expect

    page = context.new_page()
    page.goto(url, timeout=120_000)
    page.get_by_label("아이디").fill("boss01")
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_test_id("stSidebarNavItems")).to_be_visible(timeout=120_000)
    page.wait_for_function(IDLE, timeout=120_000)
    return page


def _session(browser, url: str, visits: int, again: bool = False) -> list[float]:
    """A new browser (empty cache) signs in and opens the page ``visits`` times; with ``again``, then a new tab
    of the same browser (its cache and sign-in kept, a new Streamlit session) opens it once more."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ko-KR")
    page = sign_in(context, url)
    times = []
    for _ in range(visits):
        times.append(_open_usage(page))
        _go_home(page)
    if again:
        page.close()
        page = context.new_page()
        page.goto(url, timeout=120_000)
        expect(page.get_by_test_id("stSidebarNavItems")).to_be_visible(timeout=120_000)
        page.wait_for_function(IDLE, timeout=120_000)
        times.append(_open_usage(page))
    context.close()
    return times


def measure(events: int, settle: float, browser) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = clean_env(SEOULAI_DATA_DIR=str(work / "data"), SEOULAI_INDEX_DIR=str(work / "idx"),
                        SEOULAI_AUTH__MODE="local", SEOULAI_EMBED__BACKEND="none", SEOULAI_LLM__BACKEND="none")
        done = cli(env, "users", "add", "boss01", "--name", "최국장", "--department", "서울특별시/기획조정실",
                   "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
        assert done.returncode == 0, done.stderr
        started = time.perf_counter()
        days = "60" if events <= 100_000 else "365"
        done = subprocess.run([sys.executable, "-m", "seoulai.cli", "usage", "demo-data", "--events", str(events),
                               "--days", days], env=env, cwd=ROOT, capture_output=True, text=True, timeout=3600)
        assert done.returncode == 0, done.stderr
        print(f"  {events:,} demo events written in {time.perf_counter() - started:.1f} s", flush=True)
        with app_server(env, log=work / "server.log") as url:
            cold = _session(browser, url, 1)[0]
            time.sleep(settle)
            later = _session(browser, url, 6, again=True)
        return {"cold": cold, "first": later[0], "warm": statistics.median(later[1:6]), "tab": later[6]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="20000,10000000")
    parser.add_argument("--settle", type=float, default=60.0, help="seconds the server runs before the session")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for events in (int(s) for s in args.scales.split(",")):
            result = measure(events, args.settle, browser)
            rows.append((events, result))
            print(f"  {events:,}: {result}", flush=True)
        browser.close()
    print("\n| events | right after server start, new browser | server up, new browser | server up, new tab "
          "(browser cache kept) | later visits (median of 5) |")
    print("|---|---|---|---|---|")
    for events, r in rows:
        print(f"| {events:,} | {r['cold']:.2f} s | {r['first']:.2f} s | {r['tab']:.2f} s | {r['warm']:.2f} s |")


if __name__ == "__main__":
    main()
