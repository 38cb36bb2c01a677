"""Small widgets used by several pages."""

from __future__ import annotations

import streamlit as st

from seoulai.services import ComponentStatus, HealthReport, Person, SemanticProgress, escape_markdown
from seoulai.ui.state import get_services


def _status_line(label: str, status: ComponentStatus) -> str:
    if status.ok:
        return f":green[●] {label}: 연결됨"
    if status.state == "disabled":
        return f":gray[●] {label}: 사용 안 함"
    return f":red[●] {label}: 연결 안 됨"


def sidebar_status(report: HealthReport, progress: SemanticProgress | None = None) -> None:
    """The model status block at the bottom of the sidebar. ``progress``: the semantic index's figures as this
    person sees them (Services.semantic_status; None where no vector filler runs)."""
    with st.sidebar:
        st.caption("시스템 상태")
        st.markdown(_status_line("언어 모델", report.llm) + "  \n" + _status_line("임베딩", report.embed))
        if progress is not None:
            semantic_progress(progress)
        if not report.llm.ok:
            st.caption("답변 생성은 쉬고 검색만 가능합니다.")


def semantic_progress(progress: SemanticProgress) -> None:
    """The dense side's state in figures that only grow while nothing is deleted: every passage this person can
    search, then their own uploads on a line of their own while any wait."""
    if progress.preparing and not progress.error:
        st.caption("의미 검색 모델 준비 중입니다 (이 컴퓨터에서 처음 한 번). 키워드 검색은 바로 됩니다.")
    elif progress.done < progress.total:
        st.progress(progress.done / progress.total,
                    text=f"의미 검색 색인 준비 중 {progress.done:,}/{progress.total:,} (키워드 검색은 바로 됩니다)")
    if progress.own_busy:
        st.progress(progress.own_done / progress.own_total,
                    text=f"내 문서: 의미 검색 색인 만드는 중 {progress.own_done:,}/{progress.own_total:,}")
    if progress.busy and progress.error:
        st.caption("의미 검색 색인이 잠시 멈췄습니다. 키워드 검색은 계속 됩니다. 계속되면 관리자에게 알려 주세요.")


def model_guidance(report: HealthReport) -> None:
    """Explain, in Korean, what works without a model and how an administrator connects one."""
    if report.llm.ok:
        return
    st.warning(
        "**언어 모델이 연결되지 않았습니다.** 지금은 매뉴얼과 문서의 **검색**만 사용할 수 있고, "
        "답변 생성과 초안 작성은 모델이 연결되면 사용할 수 있습니다.",
        icon="⚠️",
    )
    with st.expander("모델 연결 방법 (관리자용)"):
        st.markdown(
            "1. 이 서버 또는 내부망의 GPU 서버에 Ollama를 설치하고 실행합니다: `ollama serve`\n"
            "2. 저장소의 `bash ollama/setup.sh`로 기본 모델과 임베딩 모델(bge-m3)을 받고 "
            "`seoulai` 모델을 만듭니다.\n"
            "3. 다른 서버라면 `SEOULAI_OLLAMA_URL=http://서버주소:11434`를 설정하고 앱을 다시 시작합니다.\n"
            "4. `seoulai doctor`로 연결을 확인합니다."
        )
        st.text(f"언어 모델 상태: {report.llm.message}\n조치: {report.llm.fix}")


def sidebar_person(person: Person, mode: str) -> None:
    with st.sidebar:
        st.caption("사용자")
        unit = person.department.rsplit("/", 1)[-1]
        st.markdown(f"{escape_markdown(person.name)} · {escape_markdown(unit)}  \n{person.role.label}")
        if mode == "none":
            department_picker(person)
            st.caption("로그인 없이 실행 중인 시범 환경입니다 (1인 평가용).")


def department_picker(person: Person) -> None:
    """내 부서: the evaluator (sign-in mode none) picks their 과 from the chart in force. Searchable: typing part
    of a name ("정보보안") narrows the list. The choice holds for this browser session."""
    accounts = get_services().accounts
    labels = dict(accounts.units())
    paths = list(labels)
    if person.department not in labels:  # a department the chart does not know (a hand-set demo department)
        labels[person.department] = person.department.split("/", 1)[-1]
        paths.insert(0, person.department)

    def choose() -> None:
        chosen = st.session_state.get("sidebar_department")
        if isinstance(chosen, str) and chosen:
            st.session_state["auth_person"] = accounts.demo_person(chosen)

    st.selectbox("내 부서", paths, index=paths.index(person.department), key="sidebar_department",
                 format_func=lambda path: labels.get(path, path), on_change=choose,
                 help="실·국 > 과 순서로 표시됩니다. 부서 이름을 입력하면 찾을 수 있습니다. 부서 문서함과 이용 기록이 이 "
                      "부서로 잡힙니다.")
