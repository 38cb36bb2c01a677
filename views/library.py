"""매뉴얼 관리: department admins and administrators keep the manual library up to date."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from seoulai.services import SeoulAIError, seoul_time
from seoulai.ui import escape_markdown, get_person, get_services
from seoulai.ui.uploads import release, upload_box

services = get_services()
person = get_person()
st.title("🗂️ 매뉴얼 관리")

labels = dict(services.library.collections(person))
if not labels:
    st.warning("매뉴얼을 관리할 권한이 없습니다. 부서 관리자나 시스템 관리자에게 요청하세요.", icon="🔒")
    st.stop()
collection = st.selectbox("문서함", list(labels), format_func=labels.__getitem__, key="lib_collection")

st.subheader("매뉴얼 올리기")
st.caption("같은 이름의 파일을 올리면 새 판으로 교체되고, 이전 판의 내용은 검색에서 빠집니다.")
files = upload_box("매뉴얼", "lib_files", services.settings.ingest.max_file_mb)
effective = st.date_input("시행일 (선택)", value=None, key="lib_effective", format="YYYY-MM-DD",
                          min_value=date(1948, 1, 1), max_value=date(2100, 12, 31),
                          help="파일에 시행일이 적혀 있으면(머리말의 시행일자나 첫머리의 [시행 …] 줄) 그 날짜를 씁니다.")
if st.button("올리고 색인하기", type="primary", disabled=not files, key="lib_upload"):
    bar = st.progress(0.0, text="준비 중")
    st.session_state["lib_given"] = effective.isoformat() if isinstance(effective, date) else None
    try:
        st.session_state["lib_report"] = services.library.upload(
            person, collection, files, progress=lambda label, f: bar.progress(f, text=label), effective_date=effective)
    except SeoulAIError as error:
        st.session_state["lib_report"] = error
    release("lib_files", files)
    st.rerun()  # the box is emptied; the report is shown below
report = st.session_state.get("lib_report")
if isinstance(report, SeoulAIError):
    st.error(report.message, icon="⚠️")
elif report is not None:
    c = report.changes
    st.success(f"추가 {len(c.added)}건, 교체 {len(c.replaced)}건, 변경 없음 {len(c.unchanged)}건")
    for source, error in report.failed.items():
        st.error(f"{escape_markdown(source)}: {error.message}", icon="⚠️")
    for source, why in report.partial.items():
        st.warning(f"{escape_markdown(source)}: {why}. 원본에서 파일이 온전히 열리는지 확인하고 다시 올려 주세요.",
                   icon="⚠️")
    if given := st.session_state.get("lib_given"):
        dates = {d.doc: d.effective_date for d in services.library.documents(person, collection)}
        for doc in report.changes.added + report.changes.replaced:
            if dates.get(doc) and dates[doc] != given:
                st.info(f"{escape_markdown(doc)}: 파일에 적힌 시행일 {dates[doc]}을(를) 썼습니다.", icon="📅")
    if report.vector_error:
        st.warning(f"키워드 검색에는 반영했습니다. 의미 검색 색인은 보류: {report.vector_error}", icon="⚠️")
    elif report.vectors_pending:
        st.info(f"키워드 검색에는 바로 반영했습니다. 검색 단위 {report.vectors_pending:,}개의 의미 검색 색인은 뒤에서 "
                "만들고 있으며, 진행 상황은 왼쪽 아래 '시스템 상태'에 보입니다.", icon="⏳")

st.subheader("등록된 매뉴얼")
documents = services.library.documents(person, collection)
if not documents:
    st.info("아직 등록된 매뉴얼이 없습니다. 위에서 파일을 올려 주세요.", icon="📂")
    st.stop()
table = pd.DataFrame([{"제목": d.title + (" (일부만 읽음)" if d.metadata.get("partial") else ""), "파일": d.doc,
                       "검색 단위": d.chunks, "쪽수": str(d.pages) if d.pages else "-",
                       "시행일": d.effective_date or "", "등록": seoul_time(d.ingested_at)}
                      for d in documents])
st.dataframe(table, hide_index=True, use_container_width=True)

with st.expander("이력 (올린 사람 · 때 · 바뀐 내용)"):
    shown = st.selectbox("문서", [d.doc for d in documents], key="lib_history_doc")
    versions = services.library.versions(person, collection, shown)
    if not versions:
        st.caption("기록된 이력이 없습니다. 이력은 이 화면에서 올린 판부터 쌓입니다.")
    for v in versions:
        st.markdown(f"- {seoul_time(v.at)} · {escape_markdown(v.who)} · {v.summary}"
                    + (f" · 시행일 {v.effective_date}" if v.effective_date else ""))

with st.expander("의미 검색 색인 다시 만들기"):
    st.caption("임베딩 모델이 꺼져 있는 동안 올린 문서는 키워드로만 검색됩니다. 모델이 돌아오면 여기서 채워 넣으세요.")
    if st.button("다시 만들기", key="lib_reindex"):
        bar = st.progress(0.0, text="확인 중")
        try:
            added = services.library.reindex(person, collection,
                                             progress=lambda label, f: bar.progress(f, text=label))
        except SeoulAIError as error:
            st.error(error.message, icon="⚠️")
        else:
            bar.progress(1.0, text="완료")
            st.success(f"검색 단위 {added:,}개의 의미 검색 색인을 만들었습니다." if added else "빠진 색인이 없습니다.")

with st.expander("삭제"):
    chosen = st.multiselect("삭제할 매뉴얼", [d.doc for d in documents], key="lib_delete_docs",
                            placeholder="매뉴얼 선택")
    sure = st.checkbox("삭제하면 검색에서 바로 빠지며 되돌릴 수 없습니다.", key="lib_delete_sure")
    if st.button("삭제", disabled=not (chosen and sure), key="lib_delete"):
        try:
            report = services.library.delete(person, collection, chosen)
        except SeoulAIError as error:
            st.error(error.message, icon="⚠️")
        else:
            st.success(f"{len(report.changes.removed)}건을 삭제했습니다.")
            st.rerun()
