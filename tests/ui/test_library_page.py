"""매뉴얼 관리 page: 쪽수 is "-" when a file has no pages (never "None"), the 시행일 entered at upload is shown, and a
re-upload of the same name appears in the document's 이력 (who, when in KST, what changed)."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import APP

V1 = "# 출장 규정\n\n## 제1조 (목적)\n\n출장 절차를 정한다.\n\n## 제2조 (여비)\n\n여비는 실비로 정산한다.\n".encode()
V2 = "# 출장 규정\n\n## 제1조 (목적)\n\n출장 절차를 정한다.\n\n## 제2조 (여비)\n\n여비는 정액으로 정산한다.\n".encode()


def _upload(at: AppTest, data: bytes, effective: dt.date | None) -> None:
    at.file_uploader[0].set_value([("출장.md", data, "text/markdown")]).run()
    at.date_input(key="lib_effective").set_value(effective).run()
    at.button(key="lib_upload").click().run()
    assert not at.exception


def test_pages_effective_date_and_history(app_env: pytest.MonkeyPatch) -> None:
    for name, value in (("SEOULAI_EMBED__BACKEND", "none"), ("SEOULAI_LLM__BACKEND", "none"),
                        ("SEOULAI_AUTH__DEMO_ROLE", "admin")):
        app_env.setenv(name, value)
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("views/library.py").run()
    _upload(at, V1, dt.date(2025, 1, 1))
    row = at.dataframe[0].value.set_index("파일").loc["출장.md"]
    assert str(row["쪽수"]) == "-" and row["시행일"] == "2025-01-01"

    _upload(at, V2, None)
    assert any("교체 1건" in s.value for s in at.success)
    history = " ".join(m.value for m in at.markdown)
    assert "이력" in " ".join(e.label for e in at.expander)
    assert "변경 1" in history and "처음 등록" in history
    assert dt.datetime.now(dt.timezone(dt.timedelta(hours=9))).strftime("%Y. %-m. %-d.") in history  # KST
