"""Shared fixtures: the fake Ollama server, the shared samples, isolated settings."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from tests.fakes.ollama_server import FakeOllama

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


@pytest.fixture
def closing() -> Iterator[Callable[[T], T]]:
    """``closing(model)`` returns the model and closes it (its HTTP client) when the test ends: a test leaves
    no socket open (the test run turns ResourceWarning into an error)."""
    from seoulai.llm import ChatModel, close_model

    held: list[object] = []

    def keep(thing: T) -> T:
        held.append(thing)
        return thing

    yield keep
    for thing in held:
        thing.close() if isinstance(thing, ChatModel) else close_model(thing)


@pytest.fixture
def fake_ollama() -> Iterator[FakeOllama]:
    """A fresh fake Ollama server on a random 127.0.0.1 port."""
    server = FakeOllama()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def dead_url() -> str:
    """A URL where nothing listens (a port we bound and released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only shared material; tests that need it skip, visibly, when it is absent."""
    value = os.environ.get("SEOULAI_SHARED")
    candidates = [Path(value)] if value else [ROOT.parent / "shared"]
    for candidate in candidates:
        if (candidate / "samples").is_dir():
            return candidate.resolve()
    pytest.skip("shared material not found: set SEOULAI_SHARED=../shared (CI sets it)")


@pytest.fixture
def seoulai_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """Isolate settings: clear SEOULAI_* from the environment and point data/index dirs at tmp_path."""
    for key in list(os.environ):
        if key.startswith("SEOULAI_") and key != "SEOULAI_SHARED":
            monkeypatch.delenv(key)
    monkeypatch.setenv("SEOULAI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SEOULAI_INDEX_DIR", str(tmp_path / "indexes"))
    monkeypatch.setenv("SEOULAI_HEALTH_TIMEOUT", "2")
    monkeypatch.chdir(tmp_path)  # no stray .env from the working tree
    return monkeypatch


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """One throwaway PostgreSQL cluster for the test run (Debian's binaries; `make test` installs them)."""
    from tests.servers import postgres_cluster

    with postgres_cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def state_url(request: pytest.FixtureRequest) -> str | None:
    """Each state-store test runs on both backends: ``None`` (embedded SQLite under tmp_path) and a fresh
    database of its own on the session's PostgreSQL cluster."""
    if request.param == "sqlite":
        return None
    import uuid

    import psycopg

    server = request.getfixturevalue("postgres_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + "/" + name
