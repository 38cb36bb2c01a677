"""Server options a production deployment must have; the app refuses to start without them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def unsafe_options(get_option: Callable[[str], Any]) -> list[str]:
    """Korean descriptions of every unsafe Streamlit option (empty when all is well)."""
    problems = []
    if not get_option("server.enableXsrfProtection"):
        problems.append("XSRF 보호가 꺼져 있습니다 (server.enableXsrfProtection = true 로 설정하세요).")
    details = get_option("client.showErrorDetails")
    if details in (True, "full", "stacktrace", "type"):
        problems.append("오류 상세가 브라우저에 표시됩니다 (client.showErrorDetails = \"none\" 으로 설정하세요).")
    if get_option("browser.gatherUsageStats"):
        problems.append("Streamlit 사용 통계가 외부로 전송됩니다 (browser.gatherUsageStats = false 로 설정하세요).")
    return problems


def page_boundary(draw: Callable[[], None]) -> None:
    """Draw a page; any failure inside it becomes a Korean notice with an incident number for the administrator
    (the full error goes to the server log), never Streamlit's error page. Streamlit's own control flow
    (st.rerun, st.stop) derives from BaseException and passes through."""
    import logging
    import uuid

    import streamlit as st

    try:
        draw()
    except Exception:  # the page boundary (logged): nothing a person sees may be a traceback
        incident = uuid.uuid4().hex[:8]
        logging.getLogger("seoulai.ui").exception("page failed (incident %s)", incident)
        st.error("이 화면을 처리하는 중 문제가 생겼습니다. 입력한 내용은 그대로 두고 새로 고침(F5)하거나 잠시 뒤 다시 "
                 f"시도하세요. 계속되면 관리자에게 기록 번호 **{incident}**를 알려 주세요.", icon="⚠️")
