"""Conversation history in the sidebar, and the page state that makes a reload bring the conversation back.

The open conversation's id is in the address (``?c=…``), so F5 or a copied link reopens it; the turns themselves
are read from the server's store, never from the browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from seoulai.errors import SeoulAIError
from seoulai.services import Answer, Person, Services, Turn

PAGES = {"manual": "views/manual_search.py", "documents": "views/doc_qa.py"}


def conversation_turns(services: Services, person: Person, kind: str, key: str) -> list[dict[str, Any]]:
    """The turns of the conversation this page shows (reloaded from the store when the address names one)."""
    wanted = st.query_params.get("c")
    state = st.session_state.setdefault(key, {"id": None, "turns": []})
    if wanted and wanted != state["id"]:
        conversation = services.conversations.open(person, wanted)
        if conversation is None or conversation.kind != kind:
            st.query_params.pop("c", None)
            state.update(id=None, turns=[])
        else:
            state.update(id=conversation.id, turns=[{"question": a.question, "answer": a}
                                                    for a in conversation.answers])
    elif not wanted and state["id"]:
        state.update(id=None, turns=[])
    turns: list[dict[str, Any]] = state["turns"]
    return turns


def history_of(turns: Sequence[dict[str, Any]]) -> list[Turn]:
    out: list[Turn] = []
    for turn in turns:
        out.append(Turn("user", turn["question"]))
        if turn["answer"].text:
            out.append(Turn("assistant", turn["answer"].text))
    return out


def remember(services: Services, person: Person, kind: str, key: str, question: str, answer: Answer) -> None:
    """Store the answered question in the open conversation (a new one for the first question)."""
    state = st.session_state[key]
    try:
        state["id"] = services.conversations.add(person, kind, state["id"], answer)
    except SeoulAIError as error:  # the answer is shown anyway; only the history could not be kept
        st.warning(f"대화 기록을 저장하지 못했습니다: {error.message}", icon="⚠️")
    state["turns"].append({"question": question, "answer": answer})
    st.query_params["c"] = state["id"]


def new_conversation(key: str) -> None:
    st.session_state[key] = {"id": None, "turns": []}
    st.query_params.pop("c", None)


def sidebar_history(services: Services, person: Person) -> None:
    """The person's recent conversations: open, rename or delete each."""
    conversations = services.conversations.list(person, limit=15)
    with st.sidebar:
        st.caption("최근 대화")
        if not conversations:
            st.caption("아직 대화가 없습니다.")
        for item in conversations:
            left, right = st.columns([5, 1])
            label = f"{'📚' if item.kind == 'manual' else '📄'} {item.title}"
            if left.button(label, key=f"hist_open_{item.id}", use_container_width=True,
                           help=f"{'매뉴얼 검색' if item.kind == 'manual' else '문서 Q&A'} 대화 열기"):
                st.switch_page(PAGES[item.kind], query_params={"c": item.id})
            with right.popover("⋮", help="이름 바꾸기·삭제"):
                title = st.text_input("대화 이름", value=item.title, key=f"hist_title_{item.id}", max_chars=80)
                if st.button("이름 바꾸기", key=f"hist_rename_{item.id}"):
                    try:
                        services.conversations.rename(person, item.id, title)
                    except SeoulAIError as error:
                        st.error(error.message)
                    else:
                        st.rerun()
                if st.button("삭제", key=f"hist_delete_{item.id}", type="primary"):
                    services.conversations.delete(person, item.id)
                    if st.query_params.get("c") == item.id:
                        st.query_params.pop("c", None)
                    st.rerun()

