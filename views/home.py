"""홈: what the assistant does and whether the model is connected."""

from __future__ import annotations

import streamlit as st

from seoulai.ui import get_health
from seoulai.ui.widgets import model_guidance

st.title("🏛️ 서울시 행정 AI 도우미")
st.write("서울시 직원을 위한 행정 업무 AI 도우미입니다. 모든 처리는 시 내부 서버에서 이루어지며 "
         "입력한 내용은 외부로 나가지 않습니다.")

report = get_health()
model_guidance(report)
if report.llm.ok:
    st.success(report.summary(), icon="✅")

st.subheader("할 수 있는 일")
with st.container(border=True):
    st.markdown("**📚 매뉴얼 검색**  \n행정 매뉴얼과 규정에 질문하고, 근거 조문과 쪽수를 함께 받습니다.")
    st.page_link("views/manual_search.py", label="매뉴얼 검색 시작하기", icon="➡️")
with st.container(border=True):
    st.markdown("**📄 문서 Q&A**  \nHWP·HWPX·PDF·DOCX 문서를 올리고 요약·질문·비교합니다. 올린 문서는 나만 봅니다.")
    st.page_link("views/doc_qa.py", label="문서 올리기", icon="➡️")
with st.container(border=True):
    st.markdown("**✍️ 초안 작성**  \n보도자료·보고서·공문 초안을 단계별로 만들고 HWPX·DOCX로 내려받습니다.")
    st.page_link("views/drafting.py", label="초안 작성 시작하기", icon="➡️")

st.caption("민감정보(주민등록번호, 연락처 등)는 입력하지 마세요.")
