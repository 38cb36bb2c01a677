"""The 담당 부서 card of 매뉴얼 검색: which 과 handles the matter, shown above the answer.

Unit names and duty lines come from documents in the library: every piece is escaped, never unsafe_allow_html.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from seoulai.services import DepartmentMatch, escape_markdown


def render_departments(matches: Sequence[DepartmentMatch]) -> None:
    """The card, or nothing when no unit matched (or the library holds no 사무분장)."""
    if not matches:
        return
    with st.container(border=True):
        st.markdown("**🏢 담당 부서**")
        for match in matches:
            st.markdown(f"**{escape_markdown(match.label)}** — {escape_markdown(match.duty)}")
            st.caption(f"근거: {escape_markdown(match.citation)} ({escape_markdown(match.name)} 분장 사무)")
        st.caption("행정기구 설치 조례 시행규칙의 사무분장 기준입니다. 담당자와 연락처는 조직도에서 확인하세요.")
