"""문서 Q&A: upload your own documents, then summarise, ask and compare. Nobody else can see them."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from seoulai.services import SeoulAIError, seoul_time
from seoulai.ui import escape_markdown, get_person, get_services, safe_markdown
from seoulai.ui.answer_view import changed_words, document_card_label, render_answer, stream_answer
from seoulai.ui.history import conversation_turns, history_of, new_conversation, remember
from seoulai.ui.uploads import release, upload_box

services = get_services()
person = get_person()

st.title("📄 문서 Q&A")
st.caption(f"올린 문서는 나만 볼 수 있는 '내 문서'에 보관되고 {services.settings.uploads.retention_days:g}일 뒤 자동으로 "
           "지워집니다. 민감정보가 담긴 문서는 올리지 마세요.")

upload_tab, ask_tab, summary_tab, compare_tab = st.tabs(["올리기", "질문하기", "요약", "비교"])

with upload_tab:
    payload = upload_box("문서", "dq_files",
                         services.settings.ingest.max_file_mb, services.documents.check_batch)
    if st.button("올리기", type="primary", disabled=not payload, key="dq_upload"):
        bar = st.progress(0.0, text=f"{len(payload)}개 문서 준비 중")
        try:
            st.session_state["dq_results"] = services.documents.upload(
                person, payload, progress=lambda label, f: bar.progress(f, text=label))
        except SeoulAIError as error:
            st.session_state["dq_results"] = error
        release("dq_files", payload)
        st.rerun()  # the box is emptied; the results are shown below
    results = st.session_state.get("dq_results")
    if isinstance(results, SeoulAIError):
        st.error(results.message, icon="⚠️")
    for result in results if isinstance(results, list) else []:
        name = escape_markdown(result.name)
        if result.ok:
            pages = f"{result.pages}쪽, " if result.pages else ""
            st.success(f"{name}: {pages}{result.chars or 0:,}자를 읽었습니다.")
            if result.pii:
                st.warning(f"{name}: 개인정보로 보이는 항목 {result.pii}건이 있습니다. 모델에는 가려서 "
                           "보내지만, 필요 없는 개인정보는 지운 문서를 올려 주세요.", icon="🔒")
            if result.warning:
                st.warning(f"{name}: {result.warning}", icon="⚠️")
            if result.semantic_pending:
                st.info(f"{name}: 지금 바로 키워드로 검색됩니다. 뜻으로 찾는 의미 검색 색인은 뒤에서 만들고 있으며, "
                        "진행 상황은 왼쪽 아래 '시스템 상태'에 보입니다.", icon="⏳")
        else:
            st.error(f"{name}: {result.message}", icon="⚠️")

    documents = services.documents.documents(person)
    st.subheader("내 문서")
    if not documents:
        st.info("아직 올린 문서가 없습니다. 위에서 파일을 올려 주세요.", icon="📂")
    for record in documents:
        pages = f" · {record.pages}쪽" if record.pages else ""
        pages += " · 일부만 읽음" if record.metadata.get("partial") else ""
        st.markdown(f"- {escape_markdown(record.title)} ({escape_markdown(record.doc)}{pages}, "
                    f"올린 날 {seoul_time(record.ingested_at, 'day')})")
    if documents:
        chosen = st.multiselect("지울 문서", [d.doc for d in documents], key="dq_delete_docs", placeholder="문서 선택")
        if st.button("지우기", disabled=not chosen, key="dq_delete"):
            services.documents.delete(person, chosen)
            st.rerun()

names = [d.doc for d in services.documents.documents(person)]
MIMES = {"hwpx": "application/hwp+zip",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def download_buttons(what: str, name: str, key: str, export: Callable[[str], bytes]) -> None:
    """HWPX (한글) and DOCX (워드) of a summary or comparison, named "요약_<문서>.hwpx"."""
    stem = f"{what}_{name.rsplit('.', 1)[0] if '.' in name[-6:] else name}"[:60].replace("/", "_")
    left, right = st.columns(2)
    for column, fmt, label in ((left, "hwpx", "HWPX (한글)로 내려받기"), (right, "docx", "DOCX (워드)로 내려받기")):
        column.download_button(f"{what} {label}", export(fmt), file_name=f"{stem}.{fmt}", mime=MIMES[fmt],
                               key=f"{key}_{fmt}")


with ask_tab:
    turns = conversation_turns(services, person, "documents", "dq_conversation")
    if not names:
        st.info("먼저 '올리기'에서 문서를 올려 주세요.", icon="📂")
    left, right = st.columns([4, 1])
    limit = left.multiselect("질문할 문서 (비우면 내 문서 전체)", names, key="dq_limit", placeholder="전체 문서")
    if right.button("새 대화", key="dq_reset", disabled=not turns):
        new_conversation("dq_conversation")
        st.rerun()
    for index, turn in enumerate(turns):
        with st.chat_message("user"):
            st.text(turn["question"])
        with st.chat_message("assistant"):
            render_answer(turn["answer"], key=f"dq_{index}", label=document_card_label)
    with st.form("dq_ask_form", clear_on_submit=True):
        question = st.text_input("올린 문서에 대한 질문", key="dq_question", disabled=not names,
                                 max_chars=services.settings.answer.max_question_chars)
        asked = st.form_submit_button("묻기", disabled=not names)
    if asked and question.strip():
        history = history_of(turns)
        answer = stream_answer(services.documents.ask(person, question, history, docs=limit or None), st.empty())
        if answer is not None:
            remember(services, person, "documents", "dq_conversation", question, answer)
            st.rerun()

with summary_tab:
    if not names:
        st.info("먼저 '올리기'에서 문서를 올려 주세요.", icon="📂")
    else:
        doc = st.selectbox("요약할 문서", names, key="dq_summary_doc")
        if st.button("요약하기", key="dq_summarize"):
            bar = st.progress(0.0, text="준비 중")
            try:
                summary = services.documents.summarize(
                    person, doc, progress=lambda label, f: bar.progress(f, text=label))
            except SeoulAIError as error:
                st.error(error.message, icon="⚠️")
            else:
                st.session_state["dq_summary"] = summary
        summary = st.session_state.get("dq_summary")
        if summary is not None:
            st.markdown(f"**{escape_markdown(summary.title)} 요약**")
            if summary.text:
                st.markdown(safe_markdown(summary.text))
            if summary.notice:  # stopped half-way (quota, broken output): a warning, what was done is shown above
                (st.warning if summary.incomplete else st.info)(summary.notice, icon="⚠️" if summary.incomplete else "ℹ️")
            if summary.invalid_citations:
                st.warning("근거에 없는 번호 " + ", ".join(f"[{n}]" for n in summary.invalid_citations) + "를 지웠습니다.")
            for number in summary.cited:
                chunk = summary.passages[number - 1]
                page = f"{chunk.page}쪽 · " if chunk.page else ""
                with st.expander(f"\\[{number}\\] {page}{escape_markdown(chunk.section)}"):
                    st.markdown(escape_markdown(chunk.text))
            download_buttons("요약", summary.title, "dq_summary",
                             lambda fmt: services.documents.export_summary(person, summary, fmt))

with compare_tab:
    if len(names) < 2:
        st.info("비교하려면 문서를 두 개 이상 올려 주세요 (예: 초안과 수정안).", icon="📂")
    else:
        before = st.selectbox("이전 문서 (초안)", names, key="dq_before")
        after = st.selectbox("이후 문서 (수정안)", [n for n in names if n != before], key="dq_after")
        if st.button("비교하기", key="dq_compare"):
            try:
                with st.spinner("비교하고 있습니다…"):
                    st.session_state["dq_comparison"] = services.documents.compare(person, before, after)
            except SeoulAIError as error:
                st.error(error.message, icon="⚠️")
        result = st.session_state.get("dq_comparison")
        if result is not None:
            st.markdown(f"**{escape_markdown(result.title_a)} → {escape_markdown(result.title_b)}: "
                        f"변경 {len(result.changes)}건**")
            if result.explanation:
                st.markdown(safe_markdown(result.explanation))
            if result.notice:
                (st.warning if result.error_code else st.info)(result.notice, icon="⚠️" if result.error_code else "ℹ️")
            for number, change in enumerate(result.changes[:40], start=1):
                with st.expander(f"\\[{number}\\] {change.kind_label} · {escape_markdown(change.section)}",
                                 expanded=change.kind == "changed" and number <= 3):
                    if change.kind == "changed":
                        st.caption("바뀐 낱말: ~~지운 말~~ → **새로 쓴 말**")
                        st.markdown(changed_words(change.before, change.after))
                    elif change.before:
                        st.markdown("이전: " + escape_markdown(change.before[:800]))
                    else:
                        st.markdown("이후: " + escape_markdown(change.after[:800]))
            download_buttons("비교", f"{result.title_a}_{result.title_b}", "dq_compare",
                             lambda fmt: services.documents.export_comparison(person, result, fmt))
