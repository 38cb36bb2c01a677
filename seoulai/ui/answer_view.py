"""Rendering of answers and their evidence. Model output and document text are untrusted: both go
through safe_markdown / escape_markdown, never unsafe_allow_html."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

import streamlit as st

from seoulai.errors import SeoulAIError
from seoulai.services import Answer, AnswerEvent, Hit, escape_markdown, safe_markdown
from seoulai.services.documents import word_changes

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator


_ARTICLE_PART = re.compile(r"제\s*\d+\s*조")
_CLAUSE = re.compile(r"(?=\n|[①-⑳]|\s\d{1,2}\.\s)")


def _words(terms: list[str]) -> list[str]:
    # Verb and adjective lemmas ("계산하다") do not occur as written; every noun does, one syllable ("끝") too.
    return sorted({w for w in terms if w and not (len(w) > 1 and w.endswith("다"))}, key=len, reverse=True)


def excerpt(text: str, terms: list[str], limit: int = 900) -> str:
    """At most ``limit`` characters of a passage, the matching 항/호 first: a long article's first 900
    characters may not hold the clause the question is about."""
    if len(text) <= limit:
        return text
    clauses = [c for c in _CLAUSE.split(text) if c.strip()]
    words = _words(terms)
    ranked = sorted(range(len(clauses)), key=lambda i: -sum(w in clauses[i] for w in words))
    chosen, size = {0}, len(clauses[0])  # the article's heading line stays first
    for i in ranked:
        if i not in chosen and size + len(clauses[i]) <= limit:
            chosen.add(i)
            size += len(clauses[i])
    shown, last = [], -1
    for i in sorted(chosen):
        if last >= 0 and i != last + 1:
            shown.append(" …")
        shown.append(clauses[i])
        last = i
    return "".join(shown).strip() + (" …" if last < len(clauses) - 1 else "")


def highlight(text: str, terms: list[str], limit: int = 900) -> str:
    """The passage with the question's words in bold (escaped first, so the text cannot format itself)."""
    escaped = escape_markdown(excerpt(text, terms, limit))
    if words := _words(terms):
        # Runs of matched words become one bold span ("**처리기간**", not "**처리****기간**").
        pattern = re.compile("(?:" + "|".join(re.escape(w) for w in words) + ")+")
        escaped = pattern.sub(lambda m: f"**{m.group(0)}**", escaped)
    return escaped.replace("\n", "  \n")


def card_label(number: int | None, hit: Hit) -> str:
    """Title · 조 · 종류 · 시행일 (or 시행 예정 and its date: not yet in force, decided today)."""
    parts = [f"\\[{number}\\]" if number else "", escape_markdown(hit.title),
             escape_markdown(_article_of(hit.section)), escape_markdown(hit.kind or "")]
    if hit.page:
        parts.append(f"{hit.page}쪽")
    if enforced := hit.enforced_on:
        parts.append(f"{'시행 예정' if hit.pending() else '시행일'} {escape_markdown(enforced)}")
    return " · ".join(p for p in parts if p).replace("\\] · ", "\\] ", 1)


def document_card_label(number: int | None, hit: Hit) -> str:
    """문서 Q&A: the upload's name (with its title when that is a real title), the section when the document has
    headings, and the page. An upload's title property is often its first sentence, and a passage under no heading
    has the title as its section: a header made of them repeated the sentence and never named the file."""
    name = PurePosixPath(hit.source).name
    title, stem = hit.title.strip(), PurePosixPath(name).stem
    named = name if not title or title == stem or _sentence_like(title) else f"{title} ({name})"
    section = _article_of(hit.section).strip()
    parts = [f"\\[{number}\\]" if number else "", escape_markdown(named)]
    if section and section not in (title, name, stem):
        parts.append(escape_markdown(section if len(section) <= 40 else section[:40].rstrip() + " …"))
    if hit.page:
        parts.append(f"{hit.page}쪽")
    return " · ".join(p for p in parts if p).replace("\\] · ", "\\] ", 1)


def _sentence_like(text: str) -> bool:
    """A cut or long line of body text rather than a title."""
    return len(text) > 60 or text.endswith(("…", "..."))


def _article_of(section: str) -> str:
    """The section from its article on: "제17조의5 (행정국) > 총무과" for one unit's duties, else the last part."""
    parts = section.split(" > ")
    for index in range(len(parts) - 1, -1, -1):
        if _ARTICLE_PART.match(parts[index]):
            return " > ".join(parts[index:])
    return parts[-1]


def _document_caption(hit: Hit) -> str:
    """담당부서, 공포번호 and 제개정구분, and the 출처 address as text (escape_markdown puts it in code: no link)."""
    facts = hit.metadata
    office = facts.get("담당부서") or facts.get("소관부처")
    issued = " ".join(part for part in (f"제{facts['공포번호']}호" if facts.get("공포번호") else "",
                                        f"({facts['공포일자']} 공포)" if facts.get("공포일자") else "",
                                        facts.get("제개정구분") or "") if part)
    parts = [f"담당 {escape_markdown(str(office))}" if office else "", escape_markdown(issued),
             f"출처 주소 {escape_markdown(str(facts['출처']))}" if facts.get("출처") else ""]
    return " · ".join(part for part in parts if part)


CardLabel = Callable[[int | None, Hit], str]


def passage_card(number: int | None, hit: Hit, terms: Sequence[str], key: str, label: CardLabel = card_label
                 ) -> None:
    """A card collapsed to its title, article, 종류 and 시행일 (``label``: 문서 Q&A names the file instead); the
    text and the document's facts on opening."""
    with st.expander(label(number, hit), key=f"{key}_card_{number}_{hit.chunk_id}", on_change="rerun"):
        st.caption(f"{escape_markdown(hit.section)} · 출처 파일 {escape_markdown(hit.source)}")
        if facts := _document_caption(hit):
            # Normal text, not a caption: the 출처 address is code, and code in a caption is too faint (WCAG AA).
            st.markdown(facts)
        st.markdown(highlight(hit.text, list(terms)))
        _references(hit)


def _references(hit: Hit) -> None:
    """The articles this one cites that the library holds, each a link that opens the referred article's text."""
    if not hit.references:
        return
    st.caption("이 조문이 인용한 조문 (눌러서 원문 보기)")
    columns = st.columns(min(len(hit.references), 3))
    for index, reference in enumerate(hit.references):
        article = reference.section.rsplit(" > ", 1)[-1]
        label = f"「{reference.title}」 {article}"
        with columns[index % len(columns)].popover(escape_markdown(label), width="stretch"):
            st.caption(escape_markdown(f"{reference.title} · {reference.section}"))
            st.markdown(escape_markdown(reference.text).replace("\n", "  \n"))


def _open_card(card_key: str) -> None:
    st.session_state[card_key] = True  # a stateful expander: set before it is drawn on the rerun


def _open_buttons(cards: list[tuple[int, Hit]], key: str) -> None:
    """[n] in the answer opens its card."""
    columns = st.columns(min(len(cards), 6) + 1)
    for column, (number, hit) in zip(columns, cards[:6]):
        column.button(f"[{number}] 근거 열기", key=f"{key}_btn_{number}", help=f"근거 {number} 카드를 펼칩니다",
                      on_click=_open_card, args=(f"{key}_card_{number}_{hit.chunk_id}",))


def source_line(number: int, hit: Hit) -> str:
    """"[1] 제목 제N조 (종류, 시행일 …)" as plain text: a copied answer names what it rests on."""
    where = " ".join(p for p in (hit.title, _article_of(hit.section) if hit.section != hit.title else "",
                                 f"{hit.page}쪽" if hit.page else "") if p)
    facts = [hit.kind or "", f"{'시행 예정' if hit.pending() else '시행일'} {hit.enforced_on}" if hit.enforced_on else ""]
    shown = ", ".join(f for f in facts if f)
    return f"[{number}] {where}" + (f" ({shown})" if shown else "")


def copy_text(answer: Answer) -> str:
    """The answer as text to paste elsewhere, with its cited sources after it (the [n] in it point there)."""
    cited = answer.cited_passages()
    if not cited:
        return answer.text
    return answer.text.rstrip() + "\n\n근거\n" + "\n".join(source_line(n, hit) for n, hit in cited)


def render_answer(answer: Answer, key: str = "answer", label: CardLabel = card_label) -> None:
    """The checked answer, its notices, then the cited passages as numbered cards (headed by ``label``)."""
    if answer.masked and answer.error_code != "pii_blocked":
        st.caption(f"🔒 질문의 개인정보({answer.masked})를 가린 뒤 모델에 보냈습니다.")
    if answer.searched:
        st.caption(f"🔁 앞 대화에 이어지는 질문으로 보고 이렇게 찾았습니다: {escape_markdown(answer.searched)}")
    if answer.status in ("answered",) and answer.text:
        st.markdown(safe_markdown(answer.text))
        if answer.incomplete:
            st.warning(f"답변이 불완전합니다. {answer.notice}", icon="⚠️")
        if answer.invalid_citations:
            numbers = ", ".join(f"[{n}]" for n in answer.invalid_citations)
            st.warning(f"주어진 근거에 없는 번호 {numbers}가 답변에 있어 지웠습니다. 해당 문장은 근거를 확인하세요.",
                       icon="⚠️")
        if answer.notice and not answer.incomplete:
            st.info(answer.notice, icon="ℹ️")
        with st.expander("답변 복사하기"):
            st.code(copy_text(answer), language=None, wrap_lines=True)
        st.caption("근거 (제목을 누르면 원문이 펼쳐집니다)")
        _open_buttons(answer.cited_passages(), key)
        for number, hit in answer.cited_passages():
            passage_card(number, hit, answer.terms, key, label)
        return
    if answer.status in ("no_evidence", "no_citation"):
        st.info(answer.notice or "근거를 찾지 못했습니다.", icon="🔎")
    else:
        st.info(answer.notice, icon="ℹ️")
    if answer.passages:
        st.caption("가장 가까운 근거 문단 (제목을 누르면 원문이 펼쳐집니다)")
        for number, hit in enumerate(answer.passages, start=1):
            passage_card(number, hit, answer.terms, key, label)


def stream_answer(events: "Iterator[AnswerEvent]", placeholder: "DeltaGenerator") -> Answer | None:
    """Show deltas as they come (sanitised), and return the final answer; Korean errors replace it."""
    from seoulai.services import StreamSanitiser

    streamed = StreamSanitiser()  # safe_markdown of the text so far, reading each delta once
    try:
        for event in events:
            if event.kind == "passages":
                placeholder.caption(f"근거 문단 {len(event.passages)}건을 찾았습니다.")
            elif event.kind == "delta":
                placeholder.markdown(streamed.feed(event.text) + " ▌")
            elif event.kind == "done":
                return event.answer
    except SeoulAIError as error:
        placeholder.error(error.message, icon="⚠️")
    return None


def changed_words(before: str, after: str, limit: int = 1200) -> str:
    """A changed paragraph with deletions struck through and insertions in bold (each piece escaped)."""
    out = []
    for kind, text in word_changes(before[:limit], after[:limit]):
        core, space = text.rstrip(), text[len(text.rstrip()):]
        shown = escape_markdown(core)
        out.append((f"~~{shown}~~" if kind == "delete" else f"**{shown}**" if kind == "insert" else shown) + space)
    return "".join(out).replace("\n", "  \n")
