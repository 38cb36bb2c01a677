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
