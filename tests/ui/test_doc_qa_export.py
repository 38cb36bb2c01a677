"""문서 Q&A offers the summary and the comparison as HWPX and DOCX once they are shown (issue #33, point 3; the
files' content: tests/integration/test_export_results.py)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.fakes.ollama_server import FakeOllama
from tests.ui.conftest import APP


def test_summary_and_comparison_download_buttons(app_env: pytest.MonkeyPatch, fake_ollama: FakeOllama) -> None:
    app_env.setenv("SEOULAI_OLLAMA_URL", fake_ollama.url)
    app_env.setenv("SEOULAI_EMBED__BACKEND", "none")
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("views/doc_qa.py").run()
    at.file_uploader[0].set_value([
        ("여비규정.txt", "제1조 출장 여비는 정액으로 지급한다.\n\n제2조 숙박비는 실비로 정산한다.".encode(), "text/plain"),
        ("여비규정_개정.txt", "제1조 출장 여비는 실비로 지급한다.\n\n제2조 숙박비는 실비로 정산한다.".encode(), "text/plain"),
    ]).run()
    at.button(key="dq_upload").click().run()
    assert not at.exception and not at.get("download_button")
    fake_ollama.responder = lambda body: "○ 출장 여비는 정액으로 지급합니다 [1]."
    at.selectbox(key="dq_summary_doc").set_value("여비규정.txt").run()
    at.button(key="dq_summarize").click().run()
    assert not at.exception, at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["요약 HWPX (한글)로 내려받기", "요약 DOCX (워드)로 내려받기"]
    at.selectbox(key="dq_before").set_value("여비규정.txt").run()
    at.selectbox(key="dq_after").set_value("여비규정_개정.txt").run()
    at.button(key="dq_compare").click().run()
    assert not at.exception, at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[2:] == ["비교 HWPX (한글)로 내려받기", "비교 DOCX (워드)로 내려받기"]
