"""Saving a conversation writes the new turn only: the twelfth answer costs the store what the second did, on
SQLite and on PostgreSQL, and the conversation reads back whole and in order."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from seoulai.answer.result import Answer
from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.services import build_services

ALICE = Person("alice", "김서울", "서울특별시/행정국/총무과", "staff")
BOB = Person("bob", "이서울", "서울특별시/행정국/총무과", "staff")


class _Counting:
    """The state database, counting the bytes of every value written through it."""

    def __init__(self, db: Any) -> None:
        self.db, self.written = db, 0

    def _count(self, params: Sequence[Any]) -> None:
        self.written += sum(len(str(p).encode()) for p in params)

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._count(params)
        return int(self.db.run(sql, params))

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        outer = self

        class _Tx:
            def __init__(self, tx: Any) -> None:
                self.tx = tx

            def run(self, sql: str, params: Sequence[Any] = ()) -> int:
                outer._count(params)
                return int(self.tx.run(sql, params))

            def __getattr__(self, name: str) -> Any:
                return getattr(self.tx, name)

        with self.db.transaction() as tx:
            yield _Tx(tx)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.db, name)


def test_each_save_writes_only_the_new_turn(tmp_path: Path, state_url: str | None) -> None:
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "idx", embed={"backend": "none"},
                        llm={"backend": "none"}, usage={"enabled": False}, state={"url": state_url})
    services = build_services(settings)
    try:
        store = services.conversations.store
        counting = _Counting(store.db)
        store.db = counting  # type: ignore[assignment]  # a spy on the real database, same interface
        costs, conversation = [], None
        for n in range(12):
            before = counting.written
            answer = Answer(question=f"질문 {n}번: 연가는 며칠인가요?", status="answered", text="가" * 2000 + f" {n}")
            conversation = services.conversations.add(ALICE, "manual", conversation, answer)
            costs.append(counting.written - before)
        assert costs[11] < 1.5 * costs[1], costs  # rewriting the whole conversation made the 12th ~11x the 2nd
        opened = services.conversations.open(ALICE, conversation)
        assert opened is not None and [a.question for a in opened.answers] == [f"질문 {n}번: 연가는 며칠인가요?"
                                                                               for n in range(12)]
        assert services.conversations.open(BOB, conversation) is None  # turns are read with their owner
        other = services.conversations.add(BOB, "manual", conversation, Answer(question="남의 대화", status="answered"))
        assert other != conversation and len(services.conversations.open(ALICE, conversation).answers) == 12
        services.conversations.delete(ALICE, conversation)
        assert services.state.db.rows("SELECT count(*) FROM conversation_turns WHERE conversation = ?",
                                      [conversation])[0][0] == 0
    finally:
        services.close()


def test_conversations_stored_before_keep_their_turns(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "idx", embed={"backend": "none"},
                        llm={"backend": "none"}, usage={"enabled": False})
    services = build_services(settings)
    try:
        legacy = [{"question": "예전 질문", "status": "answered", "text": "예전 답변 [1]", "cited": [], "invalid": []}]
        services.state.db.run("INSERT INTO conversations VALUES (?, ?, ?, ?, ?, ?, ?)",
                              ["old", ALICE.pseudonym, "manual", "예전 대화", 1.0, 1.0, json.dumps(legacy)])
        services.conversations.add(ALICE, "manual", "old", Answer(question="새 질문", status="answered"))
        opened = services.conversations.open(ALICE, "old")
        assert opened is not None and [a.question for a in opened.answers] == ["예전 질문", "새 질문"]
        assert opened.answers[0].text == "예전 답변 [1]"
    finally:
        services.close()
