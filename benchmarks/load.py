"""Load check: 20 concurrent browser sessions drive 매뉴얼 검색 (answers and search-only) through a running
`streamlit run app.py` with the fake model answering at realistic speed, for 5 minutes.

Reports: actions done, errors, p50/p95 page response (question sent → answer shown), usage events logged
against actions (none may be lost: the server writes Parquet partitions this script can read), and the
server's memory over the run. Uses Debian's chromium through Playwright (async API, one context per session).

Usage: python benchmarks/load.py [--sessions 20] [--minutes 5] [--shared ../shared]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers import free_port, wait_for  # noqa: E402 - after the sys.path set-up

PASSWORD = "load-check-2026"
QUESTIONS = ["민원의 처리기간은 어떻게 계산하나요?", "처분의 사전 통지는 언제 하나요?", "공문서 결재 절차는?",
             "개인정보 파기 절차는?", "기록물 보존기간은 어떻게 정하나요?", "민원 이송은 어떻게 하나요?"]


async def session(number: int, url: str, browser, stop_at: float, results: dict) -> None:
    from playwright.async_api import expect

    await asyncio.sleep(number * 1.5)  # people arrive over half a minute, not in the same instant
    context = await browser.new_context(viewport={"width": 1366, "height": 768}, locale="ko-KR")
    page = await context.new_page()
    try:
        started = time.perf_counter()
        await page.goto(url, timeout=180_000)  # the whole Streamlit bundle, while 2 cores also run 20 browsers
        results["loads"].append(time.perf_counter() - started)
        nav = page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="매뉴얼 검색")
        for attempt in range(3):  # a form filled before the page finished loading is retried, as a person would
            await expect(page.get_by_label("비밀번호")).to_be_editable(timeout=120_000)
            await page.get_by_label("아이디").fill(f"user{number:02d}")
            await page.get_by_label("비밀번호").fill(PASSWORD)
            await page.get_by_role("button", name="로그인").click()
            try:
                await expect(nav).to_be_visible(timeout=60_000)
                break
            except AssertionError:
                results["messages"].append(f"session {number}: sign-in retried ({attempt + 1})")
        await expect(nav).to_be_visible(timeout=60_000)
        await nav.click()
        box = page.get_by_placeholder("질문을 입력하세요 (예: 민원 처리기간은 어떻게 계산하나요?)")
        await expect(box).to_be_visible(timeout=120_000)
        turn = 0
        while time.monotonic() < stop_at:
            if turn % 4 == 3:  # every fourth question in the search-only view
                await page.get_by_text("검색만", exact=True).click()
            elif turn % 4 == 0 and turn:
                await page.get_by_text("답변 생성", exact=True).click()
            if turn and turn % 6 == 0:
                await page.get_by_role("button", name="새 대화").click()
                await expect(page.get_by_label("의견 (선택)")).to_have_count(0, timeout=60_000)
            question = QUESTIONS[(number + turn) % len(QUESTIONS)]
            # Every finished answer gets its feedback box: one more of them means this answer is done.
            done = page.get_by_label("의견 (선택)")
            before = await done.count()
            started = time.perf_counter()
            await box.fill(question)
            await box.press("Enter")
            try:
                await expect(done).to_have_count(before + 1, timeout=120_000)
                results["times"].append(time.perf_counter() - started)
                results["actions"] += 1
            except AssertionError:
                results["errors"] += 1
            turn += 1
    except Exception as exc:  # noqa: BLE001 - a broken session is an error in the report, not a crash
        results["errors"] += 1
        results["messages"].append(f"session {number}: {type(exc).__name__}: {str(exc)[:200]}")
    finally:
        await context.close()


async def drive(url: str, sessions: int, minutes: float, results: dict, server_pid: int) -> list[float]:
    from playwright.async_api import async_playwright

    memory: list[float] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"])
        stop_at = time.monotonic() + minutes * 60
        server = psutil.Process(server_pid)

        async def sample() -> None:
            while time.monotonic() < stop_at:
                memory.append(server.memory_info().rss / 1024 / 1024)
                await asyncio.sleep(10)

        await asyncio.gather(sample(), *(session(i, url, browser, stop_at, results) for i in range(sessions)))
        await browser.close()
    return memory


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=5)
    args = parser.parse_args()
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}; "
          f"{args.sessions} sessions for {args.minutes:g} min", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SEOULAI_")}
        ollama_port, app_port = free_port(), free_port()
        env.update(SEOULAI_DATA_DIR=str(work / "data"), SEOULAI_INDEX_DIR=str(work / "idx"),
                   SEOULAI_OLLAMA_URL=f"http://127.0.0.1:{ollama_port}", SEOULAI_EMBED__BACKEND="none",
                   SEOULAI_AUTH__MODE="local", SEOULAI_USAGE__MODE="parquet", SEOULAI_USAGE__REPLICA_ID="app",
                   SEOULAI_LIMITS__PER_MINUTE="1000", SEOULAI_LIMITS__PER_DAY="100000")
        fake = subprocess.Popen([sys.executable, "-m", "tests.fakes.ollama_server", "--port", str(ollama_port),
                                 "--reply", "민원 처리기간은 일 단위로 계산하고 첫날을 산입합니다 [1]. 자세한 내용은 "
                                 "근거 조문을 확인하세요 [1].", "--first-token-delay", "0.6", "--token-delay", "0.05"],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for i in range(args.sessions):
            subprocess.run([sys.executable, "-m", "seoulai.cli", "users", "add", f"user{i:02d}", "--name", f"직원{i}",
                            "--department", "서울특별시/행정국/총무과", "--password-stdin"], input=PASSWORD + "\n",
                           text=True, env=env, cwd=ROOT, check=True, capture_output=True)
        subprocess.run([sys.executable, "-m", "seoulai.cli", "demo-library"], env=env, cwd=ROOT, check=True,
                       capture_output=True)
        app = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(app_port),
                                "--server.address", "127.0.0.1", "--server.headless", "true"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(f"http://127.0.0.1:{app_port}/_stcore/health", app, seconds=120)
            results: dict = {"times": [], "loads": [], "actions": 0, "errors": 0, "messages": []}
            memory = asyncio.run(drive(f"http://127.0.0.1:{app_port}", args.sessions, args.minutes, results,
                                       app.pid))
            time.sleep(15)  # the writer flushes Parquet batches every 10 s
        finally:
            app.terminate()
            app.wait(timeout=30)
            fake.terminate()
        logged = duckdb.sql(f"SELECT count(*) FROM read_parquet('{work}/data/usage/replica=*/*.parquet') "  # noqa: S608 - our own path
                            "WHERE action = 'ask'").fetchall()[0][0]
        times = sorted(results["times"])
        p95 = times[int(0.95 * (len(times) - 1))] if times else float("nan")
        warm = memory[min(6, len(memory) - 1)]  # after the first minute: Kiwi and the indexes are loaded
        print("| actions | errors | p50 response | p95 response | usage events logged / actions | "
              "server RSS after 1 min → end (max) |")
        print("|---|---|---|---|---|---|")
        print(f"| {results['actions']:,} | {results['errors']} | {statistics.median(times):.2f} s | {p95:.2f} s | "
              f"{logged:,} / {results['actions']:,} | {warm:.0f} → {memory[-1]:.0f} MB ({max(memory):.0f}) |")
        print("server RSS every minute (MB): " + ", ".join(f"{m:.0f}" for m in memory[::6]))
        loads = sorted(results["loads"])
        if loads:
            print(f"first page load (sessions arriving over 30 s): median {statistics.median(loads):.1f} s, "
                  f"max {loads[-1]:.1f} s")
        for message in results["messages"][:5]:
            print("  " + message)


if __name__ == "__main__":
    main()
