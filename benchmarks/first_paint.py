"""How long the home page stays blank after 로그인, in a real browser against a real server (`serve.py`).

First paint, as measured here: the time from the moment the sign-in form is submitted (the navigation start of the
POST /login, which the home page's own Navigation Timing keeps across the 303 redirect) until, in the home page's
document, both the title h1 "서울시 행정 AI 도우미" and the text of the first "할 수 있는 일" card are in the DOM
with a non-empty box. An init script checks that on every animation frame in the page and notes performance.now(),
so Playwright's polling adds nothing.

Scenarios, each run ``--runs`` times (median and max reported):

- (a) a new browser context (empty cache) opens /login and submits as soon as the form is there (a password
  manager fills it);
- (b) a new browser context opens /login and submits after ``--typing`` seconds (a person typing the account and
  password: what the sign-in page may do meanwhile counts);
- (c) in a browser that has signed in before: 로그아웃, then sign in again (cache warm).

Every scenario runs against two servers started side by side from this work tree, interleaved run by run in a
shuffled order: "before" has Streamlit's default file watcher (it sets up a watch of the source files for every new
session), "after" is the app as shipped (``server.fileWatcherType = "none"`` in .streamlit/config.toml).
The breakdown (from Navigation/Resource Timing and a wrapper around WebSocket) shows where the time goes: the
POST and its redirect, the page shell HTML, the JS/CSS modules, the WebSocket handshake, and the first script run
until the first paint.

Usage: python benchmarks/first_paint.py [--runs 5] [--typing 4]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers import app_server, clean_env, cli  # noqa: E402 - after the sys.path set-up

PASSWORD = "first-paint-2026"
PROBE = """(() => {
  const fp = window.__fp = {ws: null, msg: null, paint: null};
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const socket = new Native(...args);
    socket.addEventListener('open', () => { fp.ws = fp.ws ?? performance.now(); });
    socket.addEventListener('message', () => { fp.msg = fp.msg ?? performance.now(); });
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  const shown = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const check = () => {
    const title = [...document.querySelectorAll('h1')].some(h => h.textContent.includes('서울시 행정 AI 도우미') && shown(h));
    const card = [...document.querySelectorAll('[data-testid="stMarkdownContainer"] p')]
      .some(p => p.textContent.includes('행정 매뉴얼과 규정에 질문하고') && shown(p));
    if (title && card) { fp.paint = performance.now(); return; }
    requestAnimationFrame(check);
  };
  if (location.pathname !== '/login') requestAnimationFrame(check);
})();"""
BREAKDOWN = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fp = window.__fp;
  const assets = performance.getEntriesByType('resource').filter(r => r.name.includes('/static/'));
  const early = assets.filter(r => r.startTime < (fp.ws ?? Infinity));
  const late = assets.filter(r => r.startTime >= (fp.ws ?? Infinity));
  const end = (list) => Math.max(nav.responseEnd, ...list.map(r => r.responseEnd));
  return {
    post: nav.redirectEnd || nav.fetchStart, html: nav.responseEnd, assets: end(early), dcl: nav.domContentLoadedEventEnd,
    ws: fp.ws, msg: fp.msg, paint: fp.paint, late: end(late),
    fetched: early.filter(r => r.transferSize > 0).length, cached: early.filter(r => r.transferSize === 0).length,
    lazy: late.length, lazy_fetched: late.filter(r => r.transferSize > 0).length,
  };
}"""


class NoPaint(RuntimeError):
    """A sign-in whose home page never showed (reported and run again once)."""


def _submit(page, typing: float) -> dict[str, float]:
    page.wait_for_load_state("domcontentloaded")  # the form is usable; prefetches may still be under way
    if typing:
        page.wait_for_timeout(typing * 1000)
    page.get_by_label("아이디").fill("kim01")
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    from playwright.sync_api import TimeoutError as Timeout

    try:
        page.wait_for_function("() => window.__fp && window.__fp.paint", timeout=60_000)
    except Timeout as error:  # say where the browser ended up
        raise NoPaint(f"no first paint at {page.url}: {page.locator('.error').all_inner_texts()}") from error
    page.wait_for_timeout(300)  # the late chunks' timings
    return page.evaluate(BREAKDOWN)


def _context(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ko-KR")
    context.add_init_script(PROBE)
    return context


def run_once(browser, url: str, scenario: str, typing: float) -> dict[str, float]:
    context = _context(browser)
    try:
        page = context.new_page()
        page.goto(f"{url}/login", timeout=120_000)
        if scenario == "c":
            _submit(page, 0)
            page.get_by_test_id("stSidebar").get_by_role("button", name="로그아웃").click()
            page.wait_for_url("**/login*", timeout=60_000)
        return _submit(page, typing if scenario == "b" else 0)
    finally:
        context.close()


def summary(results: list[dict[str, float]], key: str) -> tuple[float, float]:
    values = [r[key] for r in results]
    return statistics.median(values), max(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--typing", type=float, default=4.0, help="seconds on the sign-in page in scenario (b)")
    parser.add_argument("--settle", type=float, default=20.0, help="seconds the servers run before the first run")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"load {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = clean_env(SEOULAI_DATA_DIR=str(work / "data"), SEOULAI_INDEX_DIR=str(work / "idx"),
                        SEOULAI_AUTH__MODE="local", SEOULAI_EMBED__BACKEND="none", SEOULAI_LLM__BACKEND="none")
        done = cli(env, "users", "add", "kim01", "--name", "김주무관", "--department", "서울특별시/행정국/총무과",
                   "--password-stdin", stdin=PASSWORD + "\n")
        assert done.returncode == 0, done.stderr
        results: dict[tuple[str, str], list[dict[str, float]]] = {}
        watched = {"STREAMLIT_SERVER_FILE_WATCHER_TYPE": "auto"}  # Streamlit's default, the config before
        arms = {"before": watched, "after": {}}
        with ExitStack() as stack:
            urls = {arm: stack.enter_context(app_server({**env, **extra}, log=work / f"{arm}.log"))
                    for arm, extra in arms.items()}
            playwright = stack.enter_context(sync_playwright())
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            for url in urls.values():  # each server's first sign-in warms it
                run_once(browser, url, "a", 0)
            time.sleep(args.settle)
            for i in range(args.runs):
                for scenario in "abc":
                    for arm in random.Random(f"{i}{scenario}").sample(list(urls), len(urls)):  # no order bias
                        url = urls[arm]
                        try:
                            result = run_once(browser, url, scenario, args.typing)
                        except NoPaint as failed:
                            print(f"  run {i + 1} ({scenario}, {arm}) failed, run again: {failed}", flush=True)
                            result = run_once(browser, url, scenario, args.typing)
                        results.setdefault((scenario, arm), []).append(result)
                        print(f"  run {i + 1} ({scenario}, {arm}): {result['paint']:.0f} ms "
                              f"({result['fetched']} fetched, {result['cached']} cached, {result['lazy']} late)",
                              flush=True)
            browser.close()
    print(f"load at the end {os.getloadavg()[0]:.2f}")
    report(results, list(arms))


def report(results: dict[tuple[str, str], list[dict[str, float]]], arms: list[str]) -> None:
    names = {"a": "(a) new browser, submit at once", "b": "(b) new browser, submit after typing",
             "c": "(c) sign in again after 로그아웃"}
    print("\n| scenario | " + " | ".join(f"{arm}: median / max" for arm in arms) + " | ratio to before (median) |")
    print("|---|" + "---|" * (len(arms) + 1))
    for scenario, name in names.items():
        paints = {arm: summary(results[(scenario, arm)], "paint") for arm in arms}
        base = paints[arms[0]][0]
        cells = " | ".join(f"{m / 1000:.2f} / {x / 1000:.2f} s" for m, x in paints.values())
        ratios = ", ".join(f"{base / paints[arm][0]:.2f}×" for arm in arms[1:])
        print(f"| {name} | {cells} | {ratios} |")
    print("\nBreakdown (medians, ms since the form was submitted; each step ends at the named moment)\n")
    print("| scenario | arm | POST+303 | shell HTML | JS/CSS | DOMContentLoaded | WebSocket open | first message | "
          "first paint | modules fetched / cached | late chunks (fetched) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for (scenario, arm), rows in sorted(results.items(), key=lambda item: (item[0][0], arms.index(item[0][1]))):
        med = {k: statistics.median(r[k] for r in rows) for k in
               ("post", "html", "assets", "dcl", "ws", "msg", "paint", "fetched", "cached", "lazy", "lazy_fetched")}
        print(f"| {scenario} | {arm} | {med['post']:.0f} | {med['html']:.0f} | {med['assets']:.0f} | {med['dcl']:.0f} | "
              f"{med['ws']:.0f} | {med['msg']:.0f} | {med['paint']:.0f} | {med['fetched']:.0f} / {med['cached']:.0f} | "
              f"{med['lazy']:.0f} ({med['lazy_fetched']:.0f}) |")


if __name__ == "__main__":
    main()
