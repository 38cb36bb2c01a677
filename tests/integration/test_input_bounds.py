"""Every text a person sends is bounded before any analysis, on every path, with a Korean message that says the
limit; the prompt to the model is bounded at the gateway whatever reached it; every text input on the pages carries
the same limit (``max_chars``)."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.errors import InputError
from seoulai.llm import ChatModel, LLMError, Message
from seoulai.services import Draft, Services, Turn, build_services
from tests.fakes.scripted import ScriptedLLM, scripted_chat

ROOT = Path(__file__).resolve().parents[2]
ALICE = Person("alice", "김서울", "서울특별시/행정국/총무과", "staff")
HUGE = "가나다 라마바 " * 25_000  # 200,000 characters


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Services, ScriptedLLM]]:
    root = tmp_path_factory.mktemp("bounds")
    chat, llm = scripted_chat()
    services = build_services(Settings(data_dir=root / "data", index_dir=root / "idx", embed={"backend": "none"},
                                       usage={"enabled": False}), chat=chat)
    yield services, llm
    services.close()


def _draft(services: Services, **changes: str) -> Draft:
    template = services.drafting.find_template("press_release")
    return Draft(template, {**{f.name: f.examples[0] if f.examples else "" for f in template.fields}, **changes})


def _section(services: Services, draft: Draft, revise: str = "") -> None:
    for _ in services.drafting.stream_section(ALICE, draft, "lead", revise):
        pass


PATHS: dict[str, tuple[Callable[[Services], object], str]] = {
    "draft field": (lambda s: _section(s, _draft(s, facts=HUGE)), "3,000자"),
    "draft one-line field": (lambda s: _section(s, _draft(s, title=HUGE)), "300자"),
    "고칠 점": (lambda s: _section(s, _draft(s), revise=HUGE), "500자"),
    "edited section sent back": (lambda s: _section(s, Draft(_draft(s).template, _draft(s).fields, {"lead": HUGE}),
                                                    revise="짧게"), "8,000자"),
    "draft autosave": (lambda s: s.drafting.save(ALICE, None, _draft(s, facts=HUGE)), "3,000자"),
    "draft references query": (lambda s: s.drafting.references(ALICE, HUGE), "2,000자"),
    "feedback comment": (lambda s: s.manuals.feedback(ALICE, "e1", 1, HUGE), "1,000자"),
    "follow-up": (lambda s: list(s.manuals.ask(ALICE, HUGE, [Turn("user", "연가는 며칠?"), Turn("assistant", "21일")])),
                  "2,000자"),
    "문서 Q&A": (lambda s: list(s.documents.ask(ALICE, HUGE)), "2,000자"),
    "conversation name": (lambda s: s.conversations.rename(ALICE, "c1", HUGE), "80자"),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("path", list(PATHS))
def test_every_text_a_person_sends_is_refused_over_its_limit(built: tuple[Services, ScriptedLLM], path: str) -> None:
    services, llm = built
    send, limit = PATHS[path]
    before = len(llm.requests)
    with pytest.raises(InputError) as refused:
        send(services)
    assert limit in refused.value.message and "줄여" in refused.value.message
    assert refused.value.code in ("too_long", "query_too_long")
    assert len(llm.requests) == before  # nothing reached the model


def test_the_gateway_bounds_every_prompt() -> None:
    """A 226,000-character prompt (a 200k field once reached the model whole) is refused before it is sent."""
    llm = ScriptedLLM()
    with ChatModel(lambda: llm, name="scripted") as chat:
        with pytest.raises(LLMError) as refused:
            chat.generate([Message("system", "지시"), Message("user", "가" * 226_000)])
        assert refused.value.code == "prompt_too_long" and "40,000자" in refused.value.message
        assert llm.requests == []
        assert chat.generate([Message("user", "가" * 30_000)])  # a long but bounded prompt goes out


def test_the_cli_refuses_a_huge_field_and_batch_line(built: tuple[Services, ScriptedLLM], tmp_path: Path,
                                                     seoulai_env: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from seoulai.cli import main

    seoulai_env.setenv("SEOULAI_LLM__BACKEND", "none")
    seoulai_env.setenv("SEOULAI_EMBED__BACKEND", "none")
    assert main(["draft", "press_release", "--field", f"facts={HUGE}", "--export", str(tmp_path / "a.docx"),
                 "--json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["code"] == "too_long" and "3,000자" in error["message"]
    assert not (tmp_path / "a.docx").exists()
    batch = tmp_path / "q.jsonl"
    batch.write_text(json.dumps({"id": "long", "question": HUGE}, ensure_ascii=False) + "\n", encoding="utf-8")
    main(["search", "--batch", str(batch), "--collection", "공통"])
    row = json.loads(capsys.readouterr().out.splitlines()[0])
    assert row["id"] == "long" and "2,000자" in row["error"]["message"]


def _inputs(tree: ast.Module) -> Iterator[ast.Call]:
    """Calls of st.text_input / st.text_area / st.chat_input, also through a name bound to one of them."""
    kinds = {"text_input", "text_area", "chat_input"}
    aliases = {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
               for target in node.targets if isinstance(target, ast.Name)
               and any(isinstance(n, ast.Attribute) and n.attr in kinds for n in ast.walk(node.value))}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ((isinstance(node.func, ast.Attribute) and node.func.attr in kinds)
                                           or (isinstance(node.func, ast.Name) and node.func.id in aliases)):
            yield node


@pytest.mark.parametrize("page", sorted([*(ROOT / "views").glob("*.py"), *(ROOT / "seoulai" / "ui").glob("*.py")]),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_text_input_on_the_pages_has_max_chars(page: Path) -> None:
    tree = ast.parse(page.read_text(encoding="utf-8"))
    unbounded = [node.lineno for node in _inputs(tree) if not any(k.arg == "max_chars" for k in node.keywords)]
    assert unbounded == [], f"{page.name}: text inputs without max_chars on lines {unbounded}"


@pytest.mark.timeout(180)
def test_health_is_answered_while_a_huge_request_is_sent(tmp_path: Path, dead_url: str) -> None:
    """One person's oversized request (a 20 MB sign-in form: parsing it on the event loop held it 4-6 s) must not
    keep the health check, or anyone else, waiting. Measured once the server has settled after its start-up."""
    import threading
    import time

    import httpx

    from tests.servers import app_server, clean_env

    env = clean_env(SEOULAI_OLLAMA_URL=dead_url, SEOULAI_DATA_DIR=str(tmp_path / "data"),
                    SEOULAI_INDEX_DIR=str(tmp_path / "idx"), SEOULAI_AUTH__MODE="local",
                    SEOULAI_EMBED__BACKEND="none")
    with app_server(env) as url, httpx.Client(timeout=60) as client:
        quiet = 0
        for _ in range(1200):  # until the start-up warm-up (Kiwi's model, the indexes) is over: 20 quick answers
            started = time.perf_counter()
            client.get(f"{url}/_stcore/health")
            quiet = quiet + 1 if time.perf_counter() - started < 0.2 else 0
            if quiet >= 20:
                break
            time.sleep(0.05)
        sent = threading.Event()

        def oversized() -> None:
            body = "account=" + "a" * 20_000_000 + "&password=x&csrf=y"
            try:
                with httpx.Client(timeout=120) as client:
                    client.post(f"{url}/login", content=body,
                                headers={"content-type": "application/x-www-form-urlencoded"})
            except httpx.HTTPError:
                pass  # refused before the whole body was read: fine
            finally:
                sent.set()

        sender = threading.Thread(target=oversized)
        sender.start()
        waits = []
        while not sent.is_set():
            started = time.perf_counter()
            assert client.get(f"{url}/_stcore/health").text == "ok"
            waits.append(time.perf_counter() - started)
            time.sleep(0.05)
        sender.join()
    assert waits and max(waits) < 1.0, f"health waited {max(waits):.1f} s behind one request"
