"""매뉴얼 검색: ask the manuals, get a cited answer; follow-up questions keep the conversation."""

from __future__ import annotations

import streamlit as st

from seoulai.services import SeoulAIError
from seoulai.ui import escape_markdown, get_person, get_services, render_departments
from seoulai.ui.answer_view import render_answer, stream_answer
from seoulai.ui.history import conversation_turns, history_of, new_conversation, remember

EXAMPLES = ["민원 처리기간은 어떻게 계산하나요?", "처분의 사전 통지는 언제 해야 하나요?", "공문서의 결재는 어떻게 하나요?"]

services = get_services()
person = get_person()
turns = conversation_turns(services, person, "manual", "ms_conversation")

st.title("📚 매뉴얼 검색")
st.caption("공통 매뉴얼과 우리 부서 문서에서 근거를 찾아 답합니다. 답변의 [1], [2]는 아래 근거 카드의 번호입니다.")
scope = services.manuals.scope(person)
with st.expander(f"검색하는 매뉴얼 {sum(len(t) for t in scope.values())}건"):
    for label, titles in scope.items():
        st.markdown(f"**{escape_markdown(label)}**  \n" + ("  \n".join(f"- {escape_markdown(t)}" for t in titles)
                                                         or "(아직 없음)"))
left, right = st.columns([3, 1])
mode = left.radio("보기", ["답변 생성", "검색만"], horizontal=True, key="ms_mode",
                  help="검색만: 모델 없이 근거 문단만 보여 줍니다.")
if right.button("새 대화", key="ms_reset", disabled=not turns):
    new_conversation("ms_conversation")
    st.rerun()


def feedback(index: int, turn: dict) -> None:
    answer = turn["answer"]
    if not answer.event_id:
        return
    if turn.get("rated"):
        st.caption("의견을 보내 주셔서 감사합니다.")
        return
    comment = st.text_input("의견 (선택)", key=f"ms_comment_{index}", placeholder="무엇이 좋았거나 아쉬웠나요?",
                            max_chars=services.manuals.limits.comment)
    up, down, _ = st.columns([1, 1, 6])
    for column, rating, label in ((up, 1, "👍"), (down, -1, "👎")):
        if column.button(label, key=f"ms_rate_{index}_{rating}", help="도움이 됐어요" if rating > 0 else "아쉬워요"):
            try:
                services.manuals.feedback(person, answer.event_id, rating, comment)
            except SeoulAIError as error:
                st.error(error.message, icon="⚠️")
                return
            turn["rated"] = rating
            st.rerun()


if not turns:
    st.info("아래 입력창에 질문을 적어 보세요. 예: " + " / ".join(EXAMPLES), icon="💬")

for index, turn in enumerate(turns):
    with st.chat_message("user"):
        st.text(turn["question"])
    with st.chat_message("assistant"):
        render_departments(turn.get("departments", []))
        render_answer(turn["answer"], key=f"ms_{index}")
        feedback(index, turn)

question = st.chat_input("질문을 입력하세요 (예: 민원 처리기간은 어떻게 계산하나요?)", max_chars=services.settings.answer.max_question_chars,
                         key="ms_input")
if question:
    history = history_of(turns)
    with st.chat_message("user"):
        st.text(question)
    with st.chat_message("assistant"):
        # "○○은 어느 과에서 해요?": the units whose 사무분장 covers it, above the answer (none for other questions).
        departments = services.departments.for_question(person, question)
        render_departments(departments)
        with st.spinner("근거를 찾고 답변을 작성하고 있습니다…"):
            answer = stream_answer(services.manuals.ask(person, question, history, use_model=mode == "답변 생성"),
                                   st.empty())
        if answer is not None:
            remember(services, person, "manual", "ms_conversation", question, answer)
            turns[-1]["departments"] = departments
            st.rerun()
