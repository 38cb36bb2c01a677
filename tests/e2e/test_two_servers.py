"""Two app servers behind one address, sharing a real PostgreSQL (Debian's, started for the test), one data folder
and one index folder, as `운영 배포` in the README describes. In a real browser: sign in on one and continue on
the other with the same session and conversation history; a manual indexed on one is served by the other without
a restart; a person's daily model quota and a lockout are counted across both; every audit event lands once; the
usage dashboard on either server counts the questions asked on both."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import psycopg
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import REPLY, SHOTS
from tests.e2e.pages import LONG, LoginPage, ManualSearchPage, UsagePage
from tests.fakes.ollama_server import FakeOllama, Reply
from tests.servers import app_server, clean_env, cli

PASSWORD = "two-servers-2026"
PER_DAY = 3
MANUAL = """# 야간 드론 순찰 운영지침

## 제1조 (목적)
이 지침은 한강공원 야간 드론 순찰의 운영 절차를 정한다.

## 제2조 (순찰 시간)
야간 드론 순찰은 매일 22시부터 다음 날 4시까지 두 차례 실시한다.
"""


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, postgres_server: str) -> Iterator[dict[str, object]]:
    work = tmp_path_factory.mktemp("two")
    fake = FakeOllama()
    fake.default_reply = Reply(content=REPLY)
    fake.start()
    base = dict(SEOULAI_DATA_DIR=str(work / "data"), SEOULAI_INDEX_DIR=str(work / "idx"),
                SEOULAI_OLLAMA_URL=fake.url, SEOULAI_EMBED__BACKEND="none", SEOULAI_AUTH__MODE="local",
                SEOULAI_STATE__URL=postgres_server, SEOULAI_USAGE__MODE="parquet", SEOULAI_USAGE__FLUSH_INTERVAL="1",
                SEOULAI_USAGE__DASHBOARD_CACHE="0", SEOULAI_LIMITS__PER_DAY=str(PER_DAY),
                SEOULAI_AUTH__LOCKOUT_ATTEMPTS="3")
    env_a = clean_env(**base, SEOULAI_STATE__SERVER_ID="app-a", SEOULAI_USAGE__REPLICA_ID="app-a")
    env_b = clean_env(**base, SEOULAI_STATE__SERVER_ID="app-b", SEOULAI_USAGE__REPLICA_ID="app-b")
    for account, role in (("admin01", "admin"), ("lee", "staff")):
        made = cli(env_a, "users", "add", account, "--name", account, "--role", role, "--department",
                   "서울특별시/디지털도시국/디지털정책과", "--password-stdin", stdin=PASSWORD + "\n")
        assert made.returncode == 0, made.stderr
    demo = cli(env_a, "demo-library")
    assert demo.returncode == 0, demo.stderr
    logs = [work / "a.log", work / "b.log"]
    with ExitStack() as stack:
        url_a = stack.enter_context(app_server(env_a, log=logs[0]))
        url_b = stack.enter_context(app_server(env_b, log=logs[1]))
        yield {"a": url_a, "b": url_b, "fake": fake, "db": postgres_server, "work": work}
    fake.stop()
    for log in logs:
        assert "Traceback" not in log.read_text(encoding="utf-8")


def _sign_in_form(client: httpx.Client, account: str, password: str) -> httpx.Response:
    form = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf
    return client.post("/login", data={"csrf": csrf.group(1), "account": account, "password": password, "next": "/"})


def test_lockout_is_counted_across_both_servers(servers: dict[str, object]) -> None:
    with httpx.Client(base_url=str(servers["a"]), timeout=30) as a, httpx.Client(base_url=str(servers["b"]),
                                                                                   timeout=30) as b:
        assert _sign_in_form(a, "lee", "wrong-1").status_code == 401
        assert _sign_in_form(b, "lee", "wrong-2").status_code == 401
        assert _sign_in_form(a, "lee", "wrong-3").status_code in (401, 429)
        locked = _sign_in_form(b, "lee", PASSWORD)  # the right password, on the other server: still locked
        assert locked.status_code == 429 and "로그인 실패가 너무 많아" in locked.text


def test_one_session_history_index_quota_and_audit_across_two_servers(servers: dict[str, object], page: Page,
                                                                       tmp_path: Path) -> None:
    url_a, url_b, fake = str(servers["a"]), str(servers["b"]), servers["fake"]
    assert isinstance(fake, FakeOllama)
    login = LoginPage(page, url_a, SHOTS)
    login.sign_in("admin01", PASSWORD)
    on_a = ManualSearchPage(page, url_a, SHOTS)
    on_a.open("매뉴얼 검색")
    on_a.ask("민원의 처리기간은 어떻게 계산하나요?")  # model call 1, on server A
    expect(page.get_by_text(REPLY).first).to_be_visible(timeout=LONG)

    # Server B: the same browser, no sign-in form, and the conversation from A in the sidebar.
    page.goto(url_b)
    on_b = ManualSearchPage(page, url_b, SHOTS)
    expect(on_b.nav("매뉴얼 검색")).to_be_visible(timeout=LONG)
    assert page.get_by_label("비밀번호").count() == 0
    on_b.open("매뉴얼 검색")
    on_b.reopen("민원의 처리기간은")
    expect(page.get_by_text("민원의 처리기간은 어떻게 계산하나요?").first).to_be_visible(timeout=LONG)
    expect(page.get_by_text(REPLY).first).to_be_visible(timeout=LONG)

    # A manual indexed on A (매뉴얼 관리) is found by B, which keeps running.
    manual = tmp_path / "야간드론순찰_운영지침.md"
    manual.write_text(MANUAL, encoding="utf-8")
    page.goto(url_a)
    on_a.open("매뉴얼 관리")
    page.locator("input[type='file']").first.set_input_files(str(manual))
    page.get_by_role("button", name="올리고 색인하기").click()
    expect(page.get_by_text("추가 1건").first).to_be_visible(timeout=LONG)
    page.goto(url_b)
    on_b.open("매뉴얼 검색")  # a fresh page: a new conversation
    on_b.ask("야간 드론 순찰은 몇 시에 하나요?")  # model call 2, on server B
    expect(on_b.citation_card(1)).to_contain_text("야간 드론 순찰 운영지침", timeout=LONG)

    on_b.new_conversation()
    on_b.ask("처분의 사전 통지는 언제 해야 하나요?")  # model call 3, on server B: the day's quota is used up
    page.goto(url_a)
    on_a.open("매뉴얼 검색")
    box = page.get_by_placeholder("질문을 입력하세요 (예: 민원 처리기간은 어떻게 계산하나요?)")
    box.fill("행정심판은 언제까지 청구하나요?")
    box.press("Enter")
    expect(page.get_by_text(f"횟수({PER_DAY}회)를 모두 썼습니다").first).to_be_visible(timeout=LONG)  # refused on A
    assert len(fake.chat_requests()) == PER_DAY  # the refused question never reached the model

    # 이용 현황 on B counts what was asked on both servers (each folds its own spool; the page reads all).
    time.sleep(2)  # past both servers' flush interval
    page.goto(url_b)
    usage = UsagePage(page, url_b, SHOTS)
    usage.open("이용 현황")
    assert usage.metric("질문") == f"{PER_DAY}건"

    with psycopg.connect(str(servers["db"])) as db:
        by_server = dict(db.execute("SELECT server, count(*) FROM audit WHERE action = 'library_upload' "
                                    "GROUP BY server").fetchall())
        failed = dict(db.execute("SELECT server, count(*) FROM audit WHERE action = 'sign_in_failed' "
                                 "GROUP BY server").fetchall())
        ids, rows = db.execute("SELECT count(DISTINCT event_id), count(*) FROM audit").fetchone()
    assert by_server == {"app-a": 1}
    assert failed.get("app-a", 0) >= 1 and failed.get("app-b", 0) >= 1  # from the lockout test, both servers
    assert ids == rows  # every event once
    assert not (Path(str(servers["work"])) / "data" / "state.sqlite").exists()  # all state was on PostgreSQL


def test_embedded_default_needs_no_postgresql(tmp_path: Path) -> None:
    """Without SEOULAI_STATE__URL the same code keeps its state in one SQLite file under the data folder."""
    env = clean_env(SEOULAI_DATA_DIR=str(tmp_path / "data"), SEOULAI_INDEX_DIR=str(tmp_path / "idx"))
    made = cli(env, "users", "add", "kim", "--name", "김", "--department", "서울특별시/행정국/총무과", "--password-stdin",
               stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "data" / "state.sqlite").is_file()
