"""Rendering of answers and their evidence. Model output and document text are untrusted: both go
through safe_markdown / escape_markdown, never unsafe_allow_html."""

from __future__ import annotations

import re

import streamlit as st

from collections.abc import Iterator
from typing import TYPE_CHECKING

from seoulai.answer.engine import Answer, AnswerEvent
from seoulai.answer.safety import escape_markdown, safe_markdown
from seoulai.retrieval.hits import Hit
from seoulai.errors import SeoulAIError

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator


def highlight(text: str, terms: list[str], limit: int = 900) -> str:
    """The passage with the question's words in bold (escaped first, so the text cannot format itself)."""
    shown = text if len(text) <= limit else text[:limit] + " …"
    escaped = escape_markdown(shown)
    # Verb and adjective lemmas ("계산하다") do not occur as written; every noun does, one syllable ("끝") too.
    words = sorted({w for w in terms if w and not (len(w) > 1 and w.endswith("다"))}, key=len, reverse=True)
    if words:
        # Runs of matched words become one bold span ("**처리기간**", not "**처리****기간**").
        pattern = re.compile("(?:" + "|".join(re.escape(w) for w in words) + ")+")
        escaped = pattern.sub(lambda m: f"**{m.group(0)}**", escaped)
    return escaped.replace("\n", "  \n")


def passage_card(number: int | None, hit: Hit, terms: list[str]) -> None:
    with st.container(border=True):
        label = f"[{number}] " if number else ""
        page = f" · {hit.page}쪽" if hit.page else ""
        st.markdown(f"**{label}{escape_markdown(hit.title)}**  \n{escape_markdown(hit.section)}{page}")
        source = escape_markdown(hit.source)
        if hit.effective_date:
            st.caption(f"시행일 {escape_markdown(hit.effective_date)} · 출처 파일 {source}")
        else:
            st.caption(f"출처 파일 {source}")
        st.markdown(highlight(hit.text, terms))


def render_answer(answer: Answer) -> None:
    """The checked answer, its notices, then the cited passages as numbered cards."""
    if answer.masked and answer.error_code != "pii_blocked":
        st.caption(f"🔒 질문의 개인정보({answer.masked})를 가린 뒤 모델에 보냈습니다.")
    if answer.searched:
        st.caption(f"🔁 앞 대화에 이어지는 질문으로 보고 이렇게 찾았습니다: {escape_markdown(answer.searched)}")
    if answer.status in ("answered",) and answer.text:
        st.markdown(safe_markdown(answer.text))
        if answer.incomplete:
            st.warning(f"답변이 중간에 끊겨 불완전합니다. {answer.notice}", icon="⚠️")
        if answer.invalid_citations:
            numbers = ", ".join(f"[{n}]" for n in answer.invalid_citations)
            st.warning(f"주어진 근거에 없는 번호 {numbers}가 답변에 있어 지웠습니다. 해당 문장은 근거를 확인하세요.",
                       icon="⚠️")
        st.caption("근거")
        for number, hit in answer.cited_passages():
            passage_card(number, hit, answer.terms)
        return
    if answer.status in ("no_evidence", "no_citation"):
        st.info(answer.notice or "근거를 찾지 못했습니다.", icon="🔎")
    else:
        st.info(answer.notice, icon="ℹ️")
    if answer.passages:
        st.caption("가장 가까운 근거 문단")
        for number, hit in enumerate(answer.passages, start=1):
            passage_card(number, hit, answer.terms)


def stream_answer(events: "Iterator[AnswerEvent]", placeholder: "DeltaGenerator") -> Answer | None:
    """Show deltas as they come (sanitised), and return the final answer; Korean errors replace it."""
    streamed = ""
    try:
        for event in events:
            if event.kind == "passages":
                placeholder.caption(f"근거 문단 {len(event.passages)}건을 찾았습니다.")
            elif event.kind == "delta":
                streamed += event.text
                placeholder.markdown(safe_markdown(streamed) + " ▌")
            elif event.kind == "done":
                return event.answer
    except SeoulAIError as error:
        placeholder.error(error.message, icon="⚠️")
    return None
